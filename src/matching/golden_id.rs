//! Golden IDs that belong to the entity, not to row positions.
//!
//! The rules:
//! 1. A member's identity is its source key where the source has real keys;
//!    where the key is only a row number (`#12`, `Лист1!#12`), it is a
//!    fingerprint of the row's identifying fields (names, tax IDs, phones,
//!    e-mails, address) — a row inserted above moves row numbers, not content.
//! 2. A cluster seen before keeps its ID: each new cluster is matched to the
//!    previous run's clusters by the members they share. The new cluster with
//!    the largest overlap keeps an old ID; when a cluster splits, the smaller
//!    parts get new IDs; when clusters merge, the merged one keeps the ID of the
//!    old cluster it shares most members with (ties: the smaller ID), the other
//!    IDs retire. Deleting a cluster's anchor row does not move its ID.
//! 3. A cluster with no previous counterpart gets a new ID: a hash of its anchor
//!    member's identity (most trusted source, then the smallest identity), made
//!    unique against the IDs already given.

use crate::model::{Field, Party};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Whether a source key is only a row position (`#12`, `Sheet!#12`, `#12~2`).
pub fn is_row_number_key(key: &str) -> bool {
    let key = key.rsplit_once('!').map_or(key, |(_, k)| k);
    let key = key.split_once('~').map_or(key, |(k, _)| k);
    key.strip_prefix('#')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

const IDENTIFYING: [Field; 14] = [
    Field::Name,
    Field::FullName,
    Field::FamilyName,
    Field::GivenName,
    Field::MiddleName,
    Field::TaxId,
    Field::TaxId2,
    Field::RegistrationId,
    Field::Phone,
    Field::Mobile,
    Field::Email,
    Field::Address,
    Field::PostalCode,
    Field::City,
];

fn hex(bytes: &[u8], n: usize) -> String {
    bytes.iter().take(n).map(|b| format!("{b:02x}")).collect()
}

/// A member's identity across runs: `source␟key`, or `source␟~fingerprint`
/// for row-number keys.
pub fn member_key(p: &Party) -> String {
    format!("{}\u{1f}{}", p.provenance.source, identity_key(p))
}

/// A row's identity within its source: its source key, or `~fingerprint` of
/// its identifying fields where the key is only a row number (a row inserted
/// above moves row numbers, not content). Steward decisions are keyed by it.
pub fn identity_key(p: &Party) -> String {
    let key = &p.provenance.source_key;
    if !is_row_number_key(key) {
        return key.clone();
    }
    let mut h = Sha256::new();
    for f in IDENTIFYING {
        if let Some(v) = p.original(f) {
            h.update(f.as_str().as_bytes());
            h.update([0x1f]);
            h.update(v.trim().to_lowercase().as_bytes());
            h.update([0x1e]);
        }
    }
    // Repeated rows of the same content stay apart by their repeat number.
    let repeat = key.split_once('~').map_or("", |(_, n)| n);
    format!("~{}{repeat}", hex(&h.finalize(), 8))
}

/// A hash of everything a row says (kind and every mapped field as written):
/// a steward's decision remembers it, so a row changed since is reported.
pub fn content_hash(p: &Party) -> String {
    let mut h = Sha256::new();
    h.update(p.kind.as_str().as_bytes());
    for (f, v) in &p.original {
        h.update([0x1e]);
        h.update(f.as_str().as_bytes());
        h.update([0x1f]);
        h.update(v.as_bytes());
    }
    // 48 bits: the review workbook stores it as an exact number (no shared string).
    hex(&h.finalize(), 6)
}

fn fresh_id(anchor: &str, attempt: u32) -> String {
    let mut h = Sha256::new();
    h.update(anchor.as_bytes());
    if attempt > 0 {
        h.update(format!("\u{1f}{attempt}").as_bytes());
    }
    format!("G{}", hex(&h.finalize(), 8))
}

/// One ID per cluster. `clusters` holds each cluster's member keys, its anchor
/// (see rule 3) first; `previous` maps member keys to the IDs the previous run gave.
pub fn assign(clusters: &[Vec<String>], previous: &HashMap<String, String>) -> Vec<String> {
    // (overlap, old id, cluster) for every cluster sharing members with an old one.
    let mut candidates: Vec<(usize, &str, usize)> = Vec::new();
    for (c, members) in clusters.iter().enumerate() {
        let mut overlap: BTreeMap<&str, usize> = BTreeMap::new();
        for m in members {
            if let Some(old) = previous.get(m) {
                *overlap.entry(old.as_str()).or_default() += 1;
            }
        }
        candidates.extend(overlap.into_iter().map(|(old, n)| (n, old, c)));
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)).then(a.2.cmp(&b.2)));
    let mut ids: Vec<Option<String>> = vec![None; clusters.len()];
    let mut taken: HashSet<String> = HashSet::new();
    for (_, old, c) in candidates {
        if ids[c].is_none() && !taken.contains(old) {
            ids[c] = Some(old.to_string());
            taken.insert(old.to_string());
        }
    }
    // IDs the previous run gave stay reserved, so a new cluster never takes one.
    let reserved: HashSet<&str> = previous.values().map(String::as_str).collect();
    ids.into_iter()
        .zip(clusters)
        .map(|(id, members)| {
            id.unwrap_or_else(|| {
                let anchor = members.first().map_or("", String::as_str);
                let mut attempt = 0;
                loop {
                    let id = fresh_id(anchor, attempt);
                    if !taken.contains(&id) && !reserved.contains(id.as_str()) {
                        taken.insert(id.clone());
                        return id;
                    }
                    attempt += 1;
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn prev(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn row_number_keys_are_recognized() {
        for k in ["#12", "Лист1!#3", "#4~2"] {
            assert!(is_row_number_key(k), "{k}");
        }
        for k in ["00-000001", "#", "#a", "C18", "A#1"] {
            assert!(!is_row_number_key(k), "{k}");
        }
    }

    #[test]
    fn a_row_inserted_above_keeps_every_fingerprint() {
        let mut p = Party::default();
        p.provenance.source = "x".into();
        p.provenance.source_key = "#2".into();
        p.original.insert(Field::Name, "Ёжик ООО".into());
        let before = member_key(&p);
        p.provenance.source_key = "#3".into();
        assert_eq!(member_key(&p), before);
        p.original.insert(Field::Name, "ЗАО Бета".into());
        assert_ne!(member_key(&p), before);
        p.provenance.source_key = "K1".into();
        assert_eq!(member_key(&p), "x\u{1f}K1");
    }

    #[test]
    fn clusters_keep_their_ids_across_splits_merges_and_lost_anchors() {
        let first = assign(
            &[keys(&["a", "b", "c", "d", "e"]), keys(&["f"])],
            &HashMap::new(),
        );
        assert_eq!(first[0], fresh_id("a", 0));
        let before = prev(&[
            ("a", &first[0]),
            ("b", &first[0]),
            ("c", &first[0]),
            ("d", &first[0]),
            ("e", &first[0]),
            ("f", &first[1]),
        ]);
        // The anchor row `a` is deleted: the four left keep the ID.
        assert_eq!(
            assign(&[keys(&["b", "c", "d", "e"]), keys(&["f"])], &before),
            first
        );
        // A split: the larger part keeps it, the smaller gets a new one.
        let split = assign(
            &[keys(&["d", "e"]), keys(&["a", "b", "c"]), keys(&["f"])],
            &before,
        );
        assert_eq!(split[1], first[0]);
        assert_eq!(split[2], first[1]);
        assert!(!first.contains(&split[0]));
        // A merge keeps the ID of the old cluster it shares most with.
        let merged = assign(&[keys(&["f", "a", "b", "c", "d", "e"])], &before);
        assert_eq!(merged, vec![first[0].clone()]);
        // A new cluster never takes a retired ID.
        let new = assign(
            &[keys(&["f", "a", "b", "c", "d", "e"]), keys(&["a2"])],
            &before,
        );
        assert!(!first.contains(&new[1]));
    }
}
