//! The link stage: every contact person to its organization's golden record,
//! and the organizations created from free-text company names.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::link::{CreatedOrganizations, Linker, OrgKeys, Outcome, slim_person};
use crate::matching::golden_id;
use crate::model::{Kind, Party};
use crate::progress::{Progress, Work};
use crate::workspace::Workspace;
use crate::workspace::matches::{CreatedOrganization, LinkRow};
use rayon::prelude::*;
use std::collections::HashMap;

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct LinkReport {
    pub persons: usize,
    pub linked: usize,
    /// Linked to organizations created from their company name.
    pub created: usize,
    pub ambiguous: usize,
    /// Persons linked as the data steward chose.
    pub steward: usize,
    /// Steward link choices that no longer apply: (person source, key, why).
    pub unresolved: Vec<(String, String, String)>,
    /// Persons whose row changed since the steward chose: (source, key, who, when).
    pub changed_since_decided: Vec<(String, String, String, String)>,
}

/// Parties parsed a page at a time: the organizations go into the linker's
/// indexes, the persons are kept slimmed ([`slim_person`]).
const PAGE: usize = 20_000;

/// What the link stage keeps of a party of a page: an organization's keys
/// for the linker; a person (or sole proprietor), slimmed, with its identity
/// and content hash.
type Taken = (Option<OrgKeys>, Option<(Party, String, String)>);

/// The persons (and sole proprietors) to link, in party order, slimmed, with
/// what the steward's choices are checked against.
#[derive(Default)]
struct Persons {
    parties: Vec<Party>,
    golden: Vec<String>,
    /// [`golden_id::identity_key`], when there are steward choices to find
    /// (by index, as `parties`; empty strings otherwise).
    identities: Vec<String>,
    /// [`golden_id::content_hash`], when a choice recorded one to compare with
    /// (empty strings otherwise).
    hashes: Vec<String>,
}

pub fn run(config: &Config, ws: &mut Workspace, progress: &dyn Progress) -> Result<LinkReport> {
    let stale = || {
        Error::Failed(format!(
            "the match stage is out of date: run `golive match {}` first",
            config.dir.display()
        ))
    };
    let golden = ws.golden_ids()?;
    let decisions = ws.link_decisions()?;
    let hashes_needed = decisions.iter().any(|d| !d.person_hash.is_empty());
    let task = progress.task("link", Work::Uncounted);
    let mut linker = Linker::for_organizations(ws.organization_golden_ids()?);
    let mut persons = Persons::default();
    let mut at = 0;
    ws.party_pages(PAGE, |page| {
        let first = at;
        at += page.len();
        let of_page = golden.get(first..at).ok_or_else(stale)?;
        if page.iter().zip(of_page).any(|(p, (row, _))| p.id != *row) {
            return Err(stale());
        }
        // Taken apart where they were parsed, on every core: the linker's
        // keys of an organization, a slimmed person with what their
        // steward's choice is checked against.
        let taken: Vec<Taken> = page
            .into_par_iter()
            .map(|mut p| {
                let keys = OrgKeys::of(&p);
                if p.kind == Kind::Organization {
                    return (keys, None);
                }
                let identity = if decisions.is_empty() {
                    String::new()
                } else {
                    golden_id::identity_key(&p)
                };
                let hash = if hashes_needed {
                    golden_id::content_hash(&p)
                } else {
                    String::new()
                };
                slim_person(&mut p);
                (keys, Some((p, identity, hash)))
            })
            .collect();
        for ((keys, person), (_, g)) in taken.into_iter().zip(of_page) {
            if let Some(keys) = keys {
                linker.add_keys(keys, g);
            }
            if let Some((p, identity, hash)) = person {
                persons.parties.push(p);
                persons.golden.push(g.clone());
                persons.identities.push(identity);
                persons.hashes.push(hash);
            }
        }
        Ok(())
    })?;
    if at != golden.len() {
        return Err(stale());
    }
    drop(golden);
    let (steward, unresolved, changed_since_decided) =
        steward_choices(decisions, &persons, &linker);
    let mut outcomes: Vec<Option<Outcome>> = persons
        .parties
        .par_iter()
        .zip(&persons.golden)
        .enumerate()
        .map(|(i, (p, g))| linker.outcome(p, g, steward.get(&i)))
        .collect();
    drop(linker);
    let mut created = CreatedOrganizations::default();
    for (i, (p, o)) in persons.parties.iter().zip(outcomes.iter_mut()).enumerate() {
        if !steward.contains_key(&i) {
            created.link(p, o);
        }
    }
    let created = created.into_sorted();
    task.finish();

    let rows: Vec<LinkRow> = persons
        .parties
        .iter()
        .zip(&outcomes)
        .filter_map(|(p, o)| {
            let o = o.as_ref()?;
            let (organization, confidence) = o
                .organization()
                .map_or((None, 0.0), |(g, c)| (Some(g.to_string()), c));
            let candidates = match o {
                Outcome::Ambiguous { candidates, .. } => candidates.clone(),
                _ => Vec::new(),
            };
            Some(LinkRow {
                row_id: p.id,
                organization,
                method: o.method(),
                confidence,
                candidates,
            })
        })
        .collect();
    let created_rows: Vec<CreatedOrganization> = created
        .iter()
        .map(|c| CreatedOrganization {
            golden_id: c.golden_id.clone(),
            name: c.name.clone(),
            match_key: c.match_key.clone(),
        })
        .collect();
    ws.replace_links(&rows, &created_rows)?;
    super::outputs::write_links(
        config,
        &persons.parties,
        &outcomes,
        &persons.golden,
        &created,
    )?;

    let linked = outcomes.iter().flatten().count();
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().flatten().filter(|o| f(o)).count();
    Ok(LinkReport {
        persons: linked,
        linked: count(|o| matches!(o, Outcome::Linked { .. })),
        created: created.len(),
        ambiguous: count(|o| matches!(o, Outcome::Ambiguous { .. })),
        steward: steward.len(),
        unresolved,
        changed_since_decided,
    })
}

/// The steward's link choices by index into `persons`. A choice whose person is gone,
/// or whose organization no longer has a golden record, is reported instead.
type Choices = (
    HashMap<usize, Option<String>>,
    Vec<(String, String, String)>,
    Vec<(String, String, String, String)>,
);

fn steward_choices(
    decisions: Vec<crate::workspace::review::LinkDecision>,
    persons: &Persons,
    linker: &Linker,
) -> Choices {
    if decisions.is_empty() {
        return Default::default();
    }
    // `None`: several persons share the key (identical keyless rows).
    let mut by_key: HashMap<(&str, &str), Option<usize>> = HashMap::new();
    for (i, p) in persons.parties.iter().enumerate() {
        if p.kind != Kind::Person {
            continue;
        }
        let identity = persons.identities[i].as_str();
        let source = p.provenance.source.as_str();
        let mut keys = vec![p.provenance.source_key.as_str()];
        if identity != p.provenance.source_key {
            keys.push(identity);
        }
        for k in keys {
            by_key
                .entry((source, k))
                .and_modify(|e| *e = None)
                .or_insert(Some(i));
        }
    }
    let (mut chosen, mut unresolved, mut changed) = (HashMap::new(), Vec::new(), Vec::new());
    for d in decisions {
        let (source, key) = d.person;
        let i = match by_key.get(&(source.as_str(), key.as_str())) {
            Some(Some(i)) => *i,
            Some(None) => {
                unresolved.push((source, key, "several persons share this key".to_string()));
                continue;
            }
            None => {
                unresolved.push((source, key, "the person's row is gone".to_string()));
                continue;
            }
        };
        if !d.person_hash.is_empty() && persons.hashes[i] != d.person_hash {
            changed.push((
                source.clone(),
                key.clone(),
                d.decided_by.clone(),
                d.decided_at.clone(),
            ));
        }
        match d.organization {
            Some(org) if !linker.has_organization(&org) => unresolved.push((
                source,
                key,
                format!("organization {org} no longer has a golden record"),
            )),
            org => {
                chosen.insert(i, org);
            }
        }
    }
    (chosen, unresolved, changed)
}
