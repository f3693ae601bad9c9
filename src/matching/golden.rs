//! Golden records: one per cluster, each field chosen by survivorship rules
//! (valid over invalid, source priority, most complete, most recent) and
//! remembering which party it came from. All phones and e-mails are kept.

use super::cluster::Clustering;
use crate::model::{Field, Party};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SurvivorshipConfig {
    /// Source names (provenance.source), most trusted first; others rank after.
    pub source_priority: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoldenRecord {
    pub cluster_id: u32,
    /// Party indices, ascending.
    pub members: Vec<u32>,
    /// The surviving values as a party (`id` 0, provenance of the best-ranked member).
    pub record: Party,
    /// Which member each surviving canonical field came from.
    pub sources: BTreeMap<Field, u32>,
    /// Member of each kept phone / e-mail / tax ID (same order as in `record`).
    pub phone_sources: Vec<u32>,
    pub email_sources: Vec<u32>,
    pub tax_id_sources: Vec<u32>,
    /// Fields a data steward set (see [`apply_override`]).
    #[serde(default)]
    pub overridden: Vec<Field>,
}

/// `updated_at` as a sortable key: ISO `yyyy-mm-dd…`, `dd.mm.yyyy`, `yyyy/mm/dd`, `yyyy年m月d日`.
pub fn date_key(s: &str) -> Option<(u32, u32, u32, String)> {
    let s = s.trim();
    let nums: Vec<&str> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .collect();
    if nums.len() < 3 {
        return None;
    }
    let n = |i: usize| nums[i].parse::<u32>().ok();
    let rest = nums[3..]
        .iter()
        .map(|t| format!("{t:0>2}"))
        .collect::<Vec<_>>()
        .join(":");
    if nums[0].len() == 4 {
        Some((n(0)?, n(1)?, n(2)?, rest))
    } else if nums[2].len() == 4 && s.contains('.') {
        Some((n(2)?, n(1)?, n(0)?, rest))
    } else if nums[2].len() == 4 {
        // m/d/yyyy (US) — ambiguous with d/m/yyyy; month first.
        Some((n(2)?, n(0)?, n(1)?, rest))
    } else {
        None
    }
}

struct Ranked {
    idx: u32,
    source_rank: usize,
    completeness: usize,
    updated: Option<(u32, u32, u32, String)>,
}

fn completeness(p: &Party) -> usize {
    p.original.values().filter(|v| !v.trim().is_empty()).count()
        + p.phones.len()
        + p.emails.len()
        + p.tax_ids.iter().filter(|t| t.valid).count()
}

/// Order of preference among members (best first), validity aside.
fn compare_ranked(a: &Ranked, b: &Ranked) -> Ordering {
    a.source_rank
        .cmp(&b.source_rank)
        .then(b.completeness.cmp(&a.completeness))
        .then(b.updated.cmp(&a.updated))
        .then(a.idx.cmp(&b.idx))
}

/// The golden record of one cluster.
pub fn golden_record(
    parties: &[Party],
    cluster_id: u32,
    members: &[u32],
    cfg: &SurvivorshipConfig,
) -> GoldenRecord {
    let mut ranked: Vec<Ranked> = members
        .iter()
        .map(|&i| {
            let p = &parties[i as usize];
            Ranked {
                idx: i,
                source_rank: cfg
                    .source_priority
                    .iter()
                    .position(|s| *s == p.provenance.source)
                    .unwrap_or(cfg.source_priority.len()),
                completeness: completeness(p),
                updated: p.original(Field::UpdatedAt).and_then(date_key),
            }
        })
        .collect();
    ranked.sort_by(compare_ranked);
    let order: Vec<u32> = ranked.iter().map(|r| r.idx).collect();
    let best = &parties[order[0] as usize];
    let mut sources = BTreeMap::new();
    let mut record = Party {
        id: 0,
        provenance: best.provenance.clone(),
        kind: best.kind,
        ..Party::default()
    };

    // First member in preference order, valid candidates before invalid ones.
    let pick = |valid: &dyn Fn(&Party) -> Option<bool>| -> Option<u32> {
        let mut fallback = None;
        for &i in &order {
            match valid(&parties[i as usize]) {
                Some(true) => return Some(i),
                Some(false) if fallback.is_none() => fallback = Some(i),
                _ => {}
            }
        }
        fallback
    };

    // Raw values field by field.
    let mut fields: Vec<Field> = members
        .iter()
        .flat_map(|&i| parties[i as usize].original.keys().copied())
        .collect();
    fields.sort_unstable();
    fields.dedup();
    for f in fields {
        if let Some(i) =
            pick(&|p: &Party| p.original(f).filter(|v| !v.trim().is_empty()).map(|_| true))
        {
            record
                .original
                .insert(f, parties[i as usize].original[&f].clone());
            sources.insert(f, i);
        }
    }
    for &i in order.iter().rev() {
        for (k, v) in &parties[i as usize].extra {
            if !v.trim().is_empty() {
                record.extra.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some(i) = pick(&|p: &Party| {
        p.org
            .as_ref()
            .filter(|o| !o.name.is_empty() || !o.input.is_empty())
            .map(|o| o.legal_form.is_some())
    }) {
        record.org = parties[i as usize].org.clone();
        record.kind = parties[i as usize].kind;
        sources.insert(Field::Name, i);
        if record.org.as_ref().is_some_and(|o| o.legal_form.is_some()) {
            sources.insert(Field::LegalForm, i);
        }
    }
    if let Some(i) = pick(&|p: &Party| {
        p.person
            .as_ref()
            .filter(|n| !n.family.is_empty() || !n.input.is_empty())
            .map(|n| !n.given.is_empty())
    }) {
        record.person = parties[i as usize].person.clone();
        sources.insert(Field::FullName, i);
    }
    if let Some(i) = pick(&|p: &Party| p.website.as_ref().map(|_| true)) {
        record.website = parties[i as usize].website.clone();
        sources.insert(Field::Website, i);
    }
    if let Some(i) = pick(&|p: &Party| {
        (!p.address.full.trim().is_empty())
            .then(|| p.address.postal_code.is_some() && p.address.city.is_some())
    }) {
        record.address = parties[i as usize].address.clone();
        sources.insert(Field::Address, i);
    }

    // All contact points, deduplicated, in preference order; a valid form replaces an invalid twin.
    let mut phone_sources = Vec::new();
    for &i in &order {
        for ph in &parties[i as usize].phones {
            let same = |q: &crate::model::Phone| {
                q.extension == ph.extension
                    && match (&q.e164, &ph.e164) {
                        (Some(x), Some(y)) => x == y,
                        _ => !q.digits.is_empty() && q.digits == ph.digits,
                    }
            };
            if let Some(pos) = record.phones.iter().position(same) {
                if ph.valid && !record.phones[pos].valid {
                    record.phones[pos] = ph.clone();
                    phone_sources[pos] = i;
                }
            } else {
                record.phones.push(ph.clone());
                phone_sources.push(i);
            }
        }
    }
    let mut email_sources = Vec::new();
    for &i in &order {
        for em in &parties[i as usize].emails {
            let key = |x: &crate::model::Email| {
                x.address
                    .clone()
                    .unwrap_or_else(|| x.input.trim().to_lowercase())
            };
            if !record
                .emails
                .iter()
                .any(|q| key(q).eq_ignore_ascii_case(&key(em)))
            {
                record.emails.push(em.clone());
                email_sources.push(i);
            }
        }
    }
    let mut tax_id_sources = Vec::new();
    for valid_pass in [true, false] {
        for &i in &order {
            for t in parties[i as usize]
                .tax_ids
                .iter()
                .filter(|t| t.valid == valid_pass)
            {
                let dup = record
                    .tax_ids
                    .iter()
                    .any(|q| q.kind == t.kind && (q.normalized == t.normalized || q.valid));
                if !dup {
                    record.tax_ids.push(t.clone());
                    tax_id_sources.push(i);
                }
            }
        }
    }
    if let Some(&i) = tax_id_sources.first() {
        sources.insert(Field::TaxId, i);
    }
    record.flags = parties[order[0] as usize].flags.clone();

    GoldenRecord {
        cluster_id,
        members: {
            let mut m = members.to_vec();
            m.sort_unstable();
            m
        },
        record,
        sources,
        phone_sources,
        email_sources,
        tax_id_sources,
        overridden: Vec::new(),
    }
}

/// The golden fields a steward may set on the review workbook's clusters sheet.
pub const OVERRIDABLE: [Field; 3] = [Field::Name, Field::Phone, Field::Email];

/// Why a steward's value cannot stand in a golden record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    #[error("only the name, phone and e-mail of a golden record can be overridden, not `{0}`")]
    NotOverridable(Field),
    #[error("`{0}` is not a phone number golive can read (write it with its country or area code)")]
    Phone(String),
    #[error("`{0}` is not a valid e-mail address")]
    Email(String),
}

/// Whether a steward's value could stand in a golden record (the review
/// import checks every cell before it stores anything).
pub fn check_override(field: Field, value: &str, region: &str) -> Result<(), OverrideError> {
    let mut scratch = GoldenRecord {
        cluster_id: 0,
        members: Vec::new(),
        record: Party::default(),
        sources: BTreeMap::new(),
        phone_sources: Vec::new(),
        email_sources: Vec::new(),
        tax_id_sources: Vec::new(),
        overridden: Vec::new(),
    };
    apply_override(&mut scratch, field, value, region)
}

/// Set one golden field to a steward's value (name; phones or e-mails, several
/// separated by `;`), as on a CRM's merge screen: the value replaces what
/// survivorship chose, and the field no longer points at a member row.
/// `region` reads phone numbers written without a country code.
pub fn apply_override(
    g: &mut GoldenRecord,
    field: Field,
    value: &str,
    region: &str,
) -> Result<(), OverrideError> {
    use crate::normalize::{email, phone};
    let value = value.trim();
    match field {
        Field::Name => {
            let r = &mut g.record;
            if r.org.is_some() {
                // The legal form and the match key follow the new name.
                r.org = Some(crate::normalize::org::normalize_org_name(value));
            }
            if r.person.is_some() && r.org.is_none() {
                r.original.remove(&Field::Name);
                r.original.insert(Field::FullName, value.to_string());
            } else {
                r.original.insert(Field::Name, value.to_string());
            }
            g.sources.remove(&Field::Name);
            g.sources.remove(&Field::FullName);
        }
        Field::Phone => {
            let opts = phone::PhoneOptions {
                region,
                default_area_code: None,
                role: crate::model::PhoneRole::Phone,
            };
            let phones = phone::normalize_phones(value, &opts);
            if phones.is_empty() || phones.iter().any(|p| !p.valid) {
                return Err(OverrideError::Phone(value.to_string()));
            }
            g.record.phones = phones;
            g.phone_sources.clear();
            g.sources.remove(&Field::Phone);
        }
        Field::Email => {
            let emails = email::normalize_emails(value);
            if emails.is_empty() || emails.iter().any(|e| !e.valid) {
                return Err(OverrideError::Email(value.to_string()));
            }
            g.record.emails = emails;
            g.email_sources.clear();
            g.sources.remove(&Field::Email);
        }
        other => return Err(OverrideError::NotOverridable(other)),
    }
    if !g.overridden.contains(&field) {
        g.overridden.push(field);
        g.overridden.sort();
    }
    Ok(())
}

/// Golden records of every cluster, in cluster id order.
pub fn golden_records(
    parties: &[Party],
    clustering: &Clustering,
    cfg: &SurvivorshipConfig,
) -> Vec<GoldenRecord> {
    clustering
        .members()
        .par_iter()
        .enumerate()
        .map(|(id, m)| golden_record(parties, id as u32, m, cfg))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Phone, Provenance, TaxId, TaxIdKind};

    fn p(source: &str, name: &str, updated: &str) -> Party {
        let mut p = Party {
            provenance: Provenance {
                source: source.into(),
                ..Provenance::default()
            },
            ..Party::default()
        };
        p.original.insert(Field::Name, name.into());
        if !updated.is_empty() {
            p.original.insert(Field::UpdatedAt, updated.into());
        }
        p
    }

    #[test]
    fn survivorship_prefers_source_then_recent_and_keeps_all_phones() {
        let mut a = p("crm", "Old Name", "2020-01-01");
        let mut b = p("erp", "ERP Name", "2019-01-01");
        let mut c = p("crm", "New Name", "02.03.2024");
        a.phones.push(Phone {
            digits: "111".into(),
            ..Phone::default()
        });
        b.phones.push(Phone {
            digits: "111".into(),
            e164: Some("+7111".into()),
            valid: true,
            ..Phone::default()
        });
        c.phones.push(Phone {
            digits: "222".into(),
            ..Phone::default()
        });
        b.tax_ids.push(TaxId {
            normalized: "1".into(),
            kind: TaxIdKind::Inn10,
            valid: false,
            ..TaxId::default()
        });
        c.tax_ids.push(TaxId {
            normalized: "2".into(),
            kind: TaxIdKind::Inn10,
            valid: true,
            ..TaxId::default()
        });
        let parties = vec![a, b, c];
        let cfg = SurvivorshipConfig {
            source_priority: vec!["erp".into(), "crm".into()],
        };
        let g = golden_record(&parties, 0, &[0, 1, 2], &cfg);
        assert_eq!(g.record.original(Field::Name), Some("ERP Name"));
        assert_eq!(g.sources[&Field::Name], 1);
        let cfg = SurvivorshipConfig::default();
        let g = golden_record(&parties, 0, &[0, 1, 2], &cfg);
        assert_eq!(g.record.original(Field::Name), Some("New Name"));
        assert_eq!(g.sources[&Field::Name], 2);
        assert_eq!(g.record.phones.len(), 2);
        assert!(
            g.record
                .phones
                .iter()
                .any(|ph| ph.valid && ph.digits == "111")
        );
        assert_eq!(g.record.tax_ids.len(), 1);
        assert!(g.record.tax_ids[0].valid);
        assert_eq!(g.tax_id_sources, vec![2]);
    }

    #[test]
    fn a_stewards_value_replaces_the_survivor_and_points_at_no_row() {
        let a = p("crm", "Old Name", "2020-01-01");
        let mut b = p("erp", "ERP Name", "2019-01-01");
        b.phones.push(Phone {
            e164: Some("+74951234567".into()),
            valid: true,
            ..Phone::default()
        });
        let parties = vec![a, b];
        let mut g = golden_record(&parties, 0, &[0, 1], &SurvivorshipConfig::default());
        assert_eq!(g.phone_sources, vec![1]);
        apply_override(&mut g, Field::Name, " Steward Name ", "RU").unwrap();
        apply_override(&mut g, Field::Phone, "8 (812) 765-43-21", "RU").unwrap();
        assert_eq!(g.record.original(Field::Name), Some("Steward Name"));
        assert_eq!(g.record.phones[0].e164.as_deref(), Some("+78127654321"));
        assert!(g.phone_sources.is_empty() && !g.sources.contains_key(&Field::Name));
        assert_eq!(g.overridden, vec![Field::Name, Field::Phone]);
        assert!(matches!(
            apply_override(&mut g, Field::Email, "not an address", "RU"),
            Err(OverrideError::Email(_))
        ));
        assert!(check_override(Field::Phone, "call me", "RU").is_err());
        assert!(check_override(Field::TaxId, "7707083893", "RU").is_err());
        assert_eq!(
            g.record.original(Field::Name),
            Some("Steward Name"),
            "a refused value changes nothing"
        );
    }

    #[test]
    fn date_keys_sort() {
        assert!(date_key("02.03.2024") > date_key("2023-12-31 23:00"));
        assert_eq!(
            date_key("2024年3月2日").map(|d| (d.0, d.1, d.2)),
            Some((2024, 3, 2))
        );
    }
}
