//! Contact persons → their organization's golden record, by (strongest first)
//! an explicit reference to a source key, the company name written in the
//! person's row, the company e-mail domain, a shared fixed-line phone.
//! Each method narrows the candidates; two candidates left is a question for
//! a steward, never a guess.

use crate::model::{Field, Kind, MAX_LINK_CANDIDATES as MAX_CANDIDATES, Party, PhoneType};
use crate::normalize::text::FastMap;
use rapidfuzz::distance::jaro_winkler;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

/// A name match needs this Jaro-Winkler similarity of the match keys…
pub const NAME_THRESHOLD: f64 = 0.92;
/// …and to beat the next organization by this much, or it is ambiguous.
pub const NAME_MARGIN: f64 = 0.04;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The person and the organization were read from one row (a Xero contact
    /// and its primary person, a HubSpot contact and its company columns).
    SameRow,
    /// The person's row names the organization's source key (1C owner, CRM account id).
    SourceKey,
    OrgName,
    EmailDomain,
    SharedPhone,
    /// A sole proprietor is its own organization.
    SoleProprietor,
    /// No organization had this name: one was created from it.
    CreatedFromName,
    /// A data steward chose the organization (review import).
    Steward,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::SameRow => "same_row",
            Method::SourceKey => "source_key",
            Method::OrgName => "org_name",
            Method::EmailDomain => "email_domain",
            Method::SharedPhone => "shared_phone",
            Method::SoleProprietor => "sole_proprietor",
            Method::CreatedFromName => "created_from_name",
            Method::Steward => "steward",
        }
    }

    fn confidence(self) -> f64 {
        match self {
            Method::SameRow | Method::SourceKey | Method::SoleProprietor | Method::Steward => 1.0,
            Method::OrgName => 0.95,
            Method::EmailDomain => 0.9,
            Method::SharedPhone => 0.8,
            Method::CreatedFromName => 0.7,
        }
    }
}

/// What became of one person.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Linked {
        organization: String,
        methods: Vec<Method>,
        confidence: f64,
    },
    /// Several organizations fit equally: for review. `candidates` holds at
    /// most [`MAX_LINK_CANDIDATES`](crate::model::MAX_LINK_CANDIDATES) of the
    /// `of` that fit (by golden ID).
    Ambiguous {
        candidates: Vec<String>,
        of: usize,
        by: Method,
    },
    Unlinked {
        reason: String,
    },
}

impl Outcome {
    /// The organization and the confidence, when linked.
    pub fn organization(&self) -> Option<(&str, f64)> {
        match self {
            Outcome::Linked {
                organization,
                confidence,
                ..
            } => Some((organization, *confidence)),
            _ => None,
        }
    }

    /// `method` column of links.csv: the methods that decided, or the reason.
    pub fn method(&self) -> String {
        match self {
            Outcome::Linked { methods, .. } => methods
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join("+"),
            Outcome::Ambiguous { candidates, of, by } if *of > candidates.len() => format!(
                "ambiguous {}: {of} organizations fit, the first {}: {}",
                by.as_str(),
                candidates.len(),
                candidates.join(" | ")
            ),
            Outcome::Ambiguous { candidates, by, .. } => {
                format!("ambiguous {}: {}", by.as_str(), candidates.join(" | "))
            }
            Outcome::Unlinked { reason } => format!("unlinked: {reason}"),
        }
    }
}

/// An organization created from a person's free-text company name.
#[derive(Clone, Debug, PartialEq)]
pub struct NewOrganization {
    pub golden_id: String,
    pub name: String,
    pub match_key: String,
}

/// One organization golden record, as the linker sees it.
#[derive(Default)]
struct Org {
    id: String,
    keys: BTreeSet<String>,
}

/// Indexes over the organizations' golden records.
pub struct Linker {
    orgs: Vec<Org>,
    index_of: FastMap<String, u32>,
    /// (source, source key) → organization, for [`Method::SameRow`].
    by_row_key: FastMap<(String, String), u32>,
    by_source_key: FastMap<String, BTreeSet<u32>>,
    by_name: FastMap<String, BTreeSet<u32>>,
    by_token: FastMap<String, BTreeSet<u32>>,
    by_domain: FastMap<String, BTreeSet<u32>>,
    by_phone: FastMap<String, BTreeSet<u32>>,
}

/// What the linker indexes of one organization's party.
pub struct OrgKeys {
    /// (source, source key), for [`Method::SameRow`].
    row_key: (String, String),
    source_key: String,
    /// The name's match key, when it has one.
    name: Option<String>,
    /// Company e-mail domains and the website's.
    domains: Vec<String>,
    /// Fixed lines, E.164.
    phones: Vec<String>,
}

impl OrgKeys {
    /// `None` for a person.
    pub fn of(p: &Party) -> Option<Self> {
        if p.kind == Kind::Person {
            return None;
        }
        let domains = p
            .emails
            .iter()
            .filter(|e| !e.free_mail)
            .filter_map(|e| e.domain().map(str::to_string))
            .chain(p.website.clone())
            .collect();
        let phones = p
            .phones
            .iter()
            .filter(|ph| is_fixed_line(ph.phone_type))
            .filter_map(|ph| ph.e164.clone())
            .collect();
        Some(OrgKeys {
            row_key: (p.provenance.source.clone(), p.provenance.source_key.clone()),
            source_key: p.provenance.source_key.clone(),
            name: p
                .org
                .as_ref()
                .map(|o| o.match_key.clone())
                .filter(|k| !k.is_empty()),
            domains,
            phones,
        })
    }
}

fn add(index: &mut FastMap<String, BTreeSet<u32>>, key: String, i: u32) {
    index.entry(key).or_default().insert(i);
}

fn is_fixed_line(t: PhoneType) -> bool {
    matches!(
        t,
        PhoneType::FixedLine | PhoneType::FixedLineOrMobile | PhoneType::TollFree | PhoneType::Uan
    )
}

/// Index keys for fuzzy name candidates: the first four letters of each word
/// of three or more, so "romashkaa" still meets "romashka" without a scan.
fn tokens(key: &str) -> impl Iterator<Item = &str> {
    key.split(' ')
        .filter(|t| t.chars().count() >= 3)
        .map(|t| t.char_indices().nth(4).map_or(t, |(i, _)| &t[..i]))
}

impl Linker {
    /// `golden[i]` is party `i`'s golden id; organizations (and sole
    /// proprietors) index under their golden record.
    pub fn new(parties: &[Party], golden: &[String]) -> Self {
        let ids: Vec<String> = parties
            .iter()
            .zip(golden)
            .filter(|(p, _)| p.kind != Kind::Person)
            .map(|(_, g)| g.clone())
            .collect();
        let mut l = Linker::for_organizations(ids);
        for (p, g) in parties.iter().zip(golden) {
            l.add_organization(p, g);
        }
        l
    }

    /// A linker for the organizations' golden records `ids` (any order,
    /// repeats allowed), which [`Linker::add_organization`] then fills in
    /// from their members, a party at a time.
    pub fn for_organizations(mut ids: Vec<String>) -> Self {
        // Organizations numbered in golden-ID order: a set of indices then
        // iterates in ID order, with no sort of strings per person.
        ids.sort_unstable();
        ids.dedup();
        let index_of = ids
            .iter()
            .enumerate()
            .map(|(i, g)| (g.clone(), i as u32))
            .collect();
        Linker {
            orgs: ids
                .into_iter()
                .map(|id| Org {
                    id,
                    ..Org::default()
                })
                .collect(),
            index_of,
            by_row_key: FastMap::default(),
            by_source_key: FastMap::default(),
            by_name: FastMap::default(),
            by_token: FastMap::default(),
            by_domain: FastMap::default(),
            by_phone: FastMap::default(),
        }
    }

    /// Whether `id` is an organization's golden record the linker knows.
    pub fn has_organization(&self, id: &str) -> bool {
        self.index_of.contains_key(id)
    }

    /// Index one member of organization golden record `golden` (persons and
    /// golden records not given to [`Linker::for_organizations`] are passed over).
    pub fn add_organization(&mut self, p: &Party, golden: &str) {
        if let Some(keys) = OrgKeys::of(p) {
            self.add_keys(keys, golden);
        }
    }

    /// As [`Linker::add_organization`], with the keys taken from the party
    /// beforehand (on any thread).
    pub fn add_keys(&mut self, keys: OrgKeys, golden: &str) {
        let Some(&i) = self.index_of.get(golden) else {
            return;
        };
        self.by_row_key.insert(keys.row_key, i);
        add(&mut self.by_source_key, keys.source_key, i);
        if let Some(name) = keys.name {
            for t in tokens(&name) {
                match self.by_token.get_mut(t) {
                    Some(set) => {
                        set.insert(i);
                    }
                    None => {
                        self.by_token.insert(t.to_string(), BTreeSet::from([i]));
                    }
                }
            }
            self.orgs[i as usize].keys.insert(name.clone());
            add(&mut self.by_name, name, i);
        }
        for d in keys.domains {
            add(&mut self.by_domain, d, i);
        }
        for ph in keys.phones {
            add(&mut self.by_phone, ph, i);
        }
    }

    /// The golden IDs of `set` in order (indices follow golden IDs), at most `limit`.
    fn ids(&self, set: &BTreeSet<u32>, limit: usize) -> Vec<String> {
        set.iter()
            .take(limit)
            .map(|&i| self.orgs[i as usize].id.clone())
            .collect()
    }

    /// Organizations whose name matches the person's company text, best first,
    /// with their similarity.
    fn by_name(&self, key: &str) -> Cow<'_, BTreeSet<u32>> {
        if let Some(exact) = self.by_name.get(key) {
            return Cow::Borrowed(exact);
        }
        let mut candidates: BTreeSet<u32> = BTreeSet::new();
        for t in tokens(key) {
            if let Some(s) = self.by_token.get(t)
                && s.len() <= 1000
            {
                candidates.extend(s);
            }
        }
        let args = jaro_winkler::Args::default().score_cutoff(NAME_THRESHOLD);
        let mut scored: Vec<(f64, u32)> = candidates
            .into_iter()
            .filter_map(|i| {
                let best = self.orgs[i as usize]
                    .keys
                    .iter()
                    .filter_map(|k| {
                        jaro_winkler::normalized_similarity_with_args(key.chars(), k.chars(), &args)
                    })
                    .fold(0.0, f64::max);
                (best >= NAME_THRESHOLD).then_some((best, i))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        Cow::Owned(match scored.as_slice() {
            [] => BTreeSet::new(),
            [(best, i), rest @ ..] => rest
                .iter()
                .filter(|(s, _)| best - s < NAME_MARGIN)
                .map(|(_, j)| *j)
                .chain([*i])
                .collect(),
        })
    }

    /// Link one person.
    pub fn link(&self, p: &Party) -> Outcome {
        // The row itself said which organization this person belongs to.
        let same_row = p
            .flags
            .iter()
            .filter(|f| f.code == crate::model::flags::SAME_ROW)
            .find_map(|f| {
                self.by_row_key
                    .get(&(p.provenance.source.clone(), f.detail.clone()))
            });
        if let Some(&i) = same_row {
            return Outcome::Linked {
                organization: self.orgs[i as usize].id.clone(),
                methods: vec![Method::SameRow],
                confidence: Method::SameRow.confidence(),
            };
        }
        let reference = p
            .original(Field::OrganizationRef)
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let ref_key = reference.map(|r| crate::normalize::org::normalize_org_name(r).match_key);
        let mut steps: Vec<(Method, Cow<'_, BTreeSet<u32>>)> = Vec::new();
        if let Some(r) = reference
            && let Some(found) = self.by_source_key.get(r)
        {
            steps.push((Method::SourceKey, Cow::Borrowed(found)));
        }
        if let Some(k) = ref_key.as_deref().filter(|k| !k.is_empty()) {
            steps.push((Method::OrgName, self.by_name(k)));
        }
        let mut domains = BTreeSet::new();
        for d in p
            .emails
            .iter()
            .filter(|e| !e.free_mail)
            .filter_map(|e| e.domain())
        {
            domains.extend(self.by_domain.get(d).into_iter().flatten());
        }
        steps.push((Method::EmailDomain, Cow::Owned(domains)));
        let mut phones = BTreeSet::new();
        for ph in p.phones.iter().filter(|ph| is_fixed_line(ph.phone_type)) {
            if let Some(e) = &ph.e164 {
                phones.extend(self.by_phone.get(e).into_iter().flatten());
            }
        }
        steps.push((Method::SharedPhone, Cow::Owned(phones)));

        // Narrow: the first method with candidates sets them; later methods
        // may only cut them down, never widen.
        let mut current: Option<(Cow<'_, BTreeSet<u32>>, Vec<Method>)> = None;
        for (method, found) in steps {
            if found.is_empty() {
                continue;
            }
            current = match current {
                None => Some((found, vec![method])),
                Some((set, mut methods)) if set.len() > 1 => {
                    let cut: BTreeSet<u32> = set.intersection(&found).copied().collect();
                    if cut.is_empty() {
                        Some((set, methods))
                    } else {
                        methods.push(method);
                        Some((Cow::Owned(cut), methods))
                    }
                }
                done => done,
            };
            if current.as_ref().is_some_and(|(s, _)| s.len() == 1) {
                break;
            }
        }
        match current {
            Some((set, methods)) if set.len() == 1 => {
                let organization = self.ids(&set, 1).remove(0);
                let confidence = methods.iter().map(|m| m.confidence()).fold(0.0, f64::max);
                Outcome::Linked {
                    organization,
                    methods,
                    confidence,
                }
            }
            Some((set, methods)) => Outcome::Ambiguous {
                candidates: self.ids(&set, MAX_CANDIDATES),
                of: set.len(),
                by: methods[0],
            },
            None => Outcome::Unlinked {
                reason: if reference.is_some() {
                    "the company named matches no organization".to_string()
                } else {
                    "no company, work e-mail domain or shared office phone".to_string()
                },
            },
        }
    }
}

/// Link every person; persons whose company text matched nothing get an
/// organization created from that text (one per distinct name key).
/// `steward` holds the data steward's choices by party index: an
/// organization's golden ID, or `None` for "no organization"; they win over
/// every method.
pub fn link_all(
    parties: &[Party],
    golden: &[String],
    steward: &HashMap<usize, Option<String>>,
) -> (Vec<Option<Outcome>>, Vec<NewOrganization>) {
    let linker = Linker::new(parties, golden);
    let mut outcomes: Vec<Option<Outcome>> = parties
        .par_iter()
        .zip(golden)
        .enumerate()
        .map(|(i, (p, g))| linker.outcome(p, g, steward.get(&i)))
        .collect();
    let mut created = CreatedOrganizations::default();
    for (i, (p, o)) in parties.iter().zip(outcomes.iter_mut()).enumerate() {
        if !steward.contains_key(&i) {
            created.link(p, o);
        }
    }
    (outcomes, created.into_sorted())
}

impl Linker {
    /// What becomes of party `p` of golden record `golden`: organizations
    /// `None`; a sole proprietor is its own organization; a person goes as
    /// the data steward chose (`choice`: an organization's golden ID, or
    /// `None` for "no organization"), else as [`Linker::link`] finds.
    pub fn outcome(
        &self,
        p: &Party,
        golden: &str,
        choice: Option<&Option<String>>,
    ) -> Option<Outcome> {
        match (p.kind, choice) {
            (Kind::Organization, _) => None,
            (Kind::SoleProprietor, _) => Some(Outcome::Linked {
                organization: golden.to_string(),
                methods: vec![Method::SoleProprietor],
                confidence: 1.0,
            }),
            (Kind::Person, Some(Some(org))) => Some(Outcome::Linked {
                organization: org.clone(),
                methods: vec![Method::Steward],
                confidence: 1.0,
            }),
            (Kind::Person, Some(None)) => Some(Outcome::Unlinked {
                reason: "the data steward left this person without an organization".to_string(),
            }),
            (Kind::Person, None) => Some(self.link(p)),
        }
    }
}

/// Organizations created from persons' company text, one per distinct name key.
#[derive(Default)]
pub struct CreatedOrganizations(HashMap<String, NewOrganization>);

impl CreatedOrganizations {
    /// An unlinked person whose company text names something gets that
    /// organization (created on its first mention, in party order).
    pub fn link(&mut self, p: &Party, outcome: &mut Option<Outcome>) {
        let Some(Outcome::Unlinked { .. }) = outcome else {
            return;
        };
        let Some(text) = p
            .original(Field::OrganizationRef)
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            return;
        };
        let org = crate::normalize::org::normalize_org_name(text);
        // "ca-usa.com" is a web domain a CRM filled in, not a company's name.
        if org.match_key.is_empty() || is_bare_domain(text) {
            return;
        }
        let new = self
            .0
            .entry(org.match_key.clone())
            .or_insert_with(|| NewOrganization {
                golden_id: new_org_id(&org.match_key),
                name: text.to_string(),
                match_key: org.match_key.clone(),
            });
        *outcome = Some(Outcome::Linked {
            organization: new.golden_id.clone(),
            methods: vec![Method::CreatedFromName],
            confidence: Method::CreatedFromName.confidence(),
        });
    }

    /// In golden-ID order.
    pub fn into_sorted(self) -> Vec<NewOrganization> {
        let mut created: Vec<NewOrganization> = self.0.into_values().collect();
        created.sort_by(|a, b| a.golden_id.cmp(&b.golden_id));
        created
    }
}

/// What [`Linker::link`] and the link stage's files read of a person; the
/// rest is dropped so that a stage can hold every person of a large project.
pub fn slim_person(p: &mut Party) {
    p.original.retain(|f, _| *f == Field::OrganizationRef);
    p.extra = Default::default();
    p.org = None;
    p.person = None;
    p.website = None;
    p.tax_ids = Vec::new();
    p.address = Default::default();
    p.flags.retain(|f| f.code == crate::model::flags::SAME_ROW);
    p.emails.retain(|e| !e.free_mail);
    p.phones
        .retain(|ph| ph.e164.is_some() && is_fixed_line(ph.phone_type));
}

/// A single word with a dot before a top-level label of letters
/// (`ca-usa.com`, `www.example.co.jp`), without any space.
fn is_bare_domain(text: &str) -> bool {
    let t = text
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let t = t.trim_end_matches('/');
    !t.contains(char::is_whitespace)
        && t.rsplit_once('.').is_some_and(|(head, tld)| {
            !head.is_empty() && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
        })
        && crate::normalize::web::registrable_domain(t).is_some()
}

/// Ids of created organizations: `N` + a hash of the name key, stable across runs.
fn new_org_id(match_key: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(match_key.as_bytes());
    format!(
        "N{}",
        d.iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Email, Phone, Provenance};

    fn org(key: &str, name: &str, domain: &str, phone: &str) -> Party {
        Party {
            kind: Kind::Organization,
            provenance: Provenance {
                source: "crm".into(),
                source_key: key.into(),
                ..Provenance::default()
            },
            org: Some(crate::normalize::org::normalize_org_name(name)),
            emails: vec![Email {
                address: Some(format!("info@{domain}")),
                valid: true,
                ..Email::default()
            }],
            phones: vec![Phone {
                e164: Some(phone.into()),
                phone_type: PhoneType::FixedLine,
                valid: true,
                ..Phone::default()
            }],
            ..Party::default()
        }
    }

    fn person(company: &str, email: &str, phone: &str) -> Party {
        let mut p = Party {
            kind: Kind::Person,
            ..Party::default()
        };
        if !company.is_empty() {
            p.original.insert(Field::OrganizationRef, company.into());
        }
        if !email.is_empty() {
            p.emails = crate::normalize::email::normalize_emails(email);
        }
        if !phone.is_empty() {
            p.phones.push(Phone {
                e164: Some(phone.into()),
                phone_type: PhoneType::FixedLine,
                valid: true,
                ..Phone::default()
            });
        }
        p
    }

    fn setup() -> (Vec<Party>, Vec<String>) {
        let parties = vec![
            org("001", "ООО «Ромашка»", "romashka.ru", "+74951234567"),
            org("002", "АО «Лютик»", "lutik.ru", "+78121112233"),
            org("003", "Лютик ООО", "lutik-nn.ru", "+78312223344"),
            org("004", "山田商事株式会社", "yamada.co.jp", "+81312345678"),
        ];
        let golden = vec!["G1".into(), "G2".into(), "G3".into(), "G4".into()];
        (parties, golden)
    }

    fn link(p: Party) -> Outcome {
        let (parties, golden) = setup();
        Linker::new(&parties, &golden).link(&p)
    }

    #[test]
    fn methods_in_order_of_strength() {
        let linked = |o: Outcome| match o {
            Outcome::Linked {
                organization,
                methods,
                ..
            } => (organization, methods),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            linked(link(person("001", "", ""))),
            ("G1".into(), vec![Method::SourceKey])
        );
        assert_eq!(
            linked(link(person("romashka", "", ""))),
            ("G1".into(), vec![Method::OrgName])
        );
        assert_eq!(
            linked(link(person("Ромашкаа", "", ""))).0,
            "G1",
            "a typo still links"
        );
        assert_eq!(linked(link(person("(株)山田商事", "", ""))).0, "G4");
        assert_eq!(
            linked(link(person("", "ivan@romashka.ru", ""))),
            ("G1".into(), vec![Method::EmailDomain])
        );
        assert_eq!(
            linked(link(person("", "", "+78121112233"))),
            ("G2".into(), vec![Method::SharedPhone])
        );
    }

    #[test]
    fn a_name_thousands_share_keeps_a_few_candidates_and_says_how_many() {
        let parties: Vec<Party> = (0..MAX_CANDIDATES + 15)
            .map(|i| {
                org(
                    &format!("{i:03}"),
                    "ООО «Ромашка»",
                    &format!("r{i}.ru"),
                    "+74950000000",
                )
            })
            .collect();
        let golden: Vec<String> = (0..parties.len()).map(|i| format!("G{i:03}")).collect();
        let o = Linker::new(&parties, &golden).link(&person("Ромашка", "", ""));
        let Outcome::Ambiguous { candidates, of, .. } = &o else {
            panic!("{o:?}");
        };
        assert_eq!(
            (candidates.len(), *of),
            (MAX_CANDIDATES, MAX_CANDIDATES + 15)
        );
        assert_eq!(candidates[0], "G000");
        assert!(
            o.method()
                .starts_with("ambiguous org_name: 35 organizations fit, the first 20: G000 | G001"),
            "{}",
            o.method()
        );
    }

    #[test]
    fn ambiguity_is_narrowed_or_left_for_review() {
        // Two organizations are called Лютик: the name alone cannot decide.
        match link(person("Лютик", "", "")) {
            Outcome::Ambiguous { candidates, of, by } => {
                assert_eq!(candidates, vec!["G2".to_string(), "G3".to_string()]);
                assert_eq!((of, by), (2, Method::OrgName));
            }
            other => panic!("{other:?}"),
        }
        // The e-mail domain picks one of them.
        match link(person("Лютик", "a@lutik-nn.ru", "")) {
            Outcome::Linked {
                organization,
                methods,
                ..
            } => {
                assert_eq!(organization, "G3");
                assert_eq!(methods, vec![Method::OrgName, Method::EmailDomain]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn free_mail_never_links_and_unknown_names_create_an_organization() {
        assert!(matches!(
            link(person("", "ivan@mail.ru", "")),
            Outcome::Unlinked { .. }
        ));
        let (mut parties, mut golden) = setup();
        parties.push(person("ООО «Новая»", "", ""));
        parties.push(person("Новая", "", ""));
        parties.push(person("", "x@gmail.com", ""));
        golden.extend(["P1".to_string(), "P2".into(), "P3".into()]);
        let (outcomes, created) = link_all(&parties, &golden, &HashMap::new());
        assert_eq!(created.len(), 1);
        let org_of = |i: usize| match &outcomes[i] {
            Some(Outcome::Linked { organization, .. }) => organization.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(org_of(4), created[0].golden_id);
        assert_eq!(org_of(5), created[0].golden_id);
        assert!(matches!(outcomes[6], Some(Outcome::Unlinked { .. })));
        assert!(outcomes[0].is_none(), "organizations are not linked");
    }
}
