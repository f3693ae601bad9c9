//! The data steward's loop: the questions the matcher and the linker could
//! not settle, written as a workbook (and a page to read), and the steward's
//! answers read back and stored so that the next match and link obey them.
//!
//! Questions are keyed by source and identity key (the source key, or a
//! fingerprint of the row where the key is only a row number), never by row
//! ids, so a decision survives re-ingest and re-match.

pub mod html;
pub mod import;
pub mod labels;
pub mod workbook;

pub use labels::Lang;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::export::StagedOutputs;
use crate::matching::{Explanation, golden_id};
use crate::model::{Field, GoldenByRow, Kind, Party};
use crate::workspace::Workspace;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// A record as the steward compares it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Card {
    pub name: String,
    pub tax_id: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub address: String,
    pub birth_date: String,
    pub company: String,
    pub source: String,
    /// Identity key: the source key, or `~fingerprint` for row-number keys.
    pub key: String,
    /// `file · sheet · row N`.
    pub origin: String,
    pub golden: String,
    /// What the row said when it was shown ([`golden_id::content_hash`]);
    /// empty on a golden record's card.
    pub hash: String,
}

impl Card {
    pub fn of(p: &Party, golden: &str) -> Card {
        let get = |f: Field| p.original(f).unwrap_or("").trim().to_string();
        let prov = &p.provenance;
        let origin = match &prov.sheet {
            Some(s) => format!("{} · {s} · {}", prov.file, prov.row),
            None => format!("{} · {}", prov.file, prov.row),
        };
        Card {
            name: p.display_name(),
            tax_id: p.tax_id_texts().join("; "),
            phone: p.phone_texts().join("; "),
            email: p.email_texts().join("; "),
            website: p.website.clone().unwrap_or_default(),
            address: p.address.full.clone(),
            birth_date: get(Field::BirthDate),
            company: get(Field::OrganizationRef),
            source: prov.source.clone(),
            key: golden_id::identity_key(p),
            origin,
            golden: golden.to_string(),
            hash: String::new(),
        }
    }

    /// The card field behind a column code (`name`, `phone`…).
    pub fn field(&self, code: &str) -> &str {
        match code {
            "name" => &self.name,
            "tax_id" => &self.tax_id,
            "phone" => &self.phone,
            "email" => &self.email,
            "website" => &self.website,
            "address" => &self.address,
            "birth_date" => &self.birth_date,
            "company" => &self.company,
            "source" => &self.source,
            "key" => &self.key,
            "origin" => &self.origin,
            "golden" => &self.golden,
            "hash" => &self.hash,
            _ => "",
        }
    }
}

/// One reason a pair scored as it did.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Reason {
    /// The comparison table's field name and level label (English).
    pub field: String,
    pub level: String,
    pub similarity: Option<f32>,
    pub weight: f64,
}

impl Reason {
    pub fn words(&self, lang: Lang) -> String {
        let mut s = format!(
            "{} {}",
            labels::reason_word(lang, "field", &self.field),
            labels::reason_word(lang, "level", &self.level)
        );
        if let Some(x) = self.similarity.filter(|&x| x < 1.0) {
            s.push_str(&format!(" {x:.2}"));
        }
        s
    }
}

/// Reasons shown per pair: the strongest first.
const TOP_REASONS: usize = 4;

/// Two records the matcher is unsure about (or, with `--all`, merged).
#[derive(Clone, Debug, PartialEq)]
pub struct PairQuestion {
    pub pair_id: String,
    /// `review` or `match`.
    pub band: String,
    pub score: f64,
    pub reasons: Vec<Reason>,
    pub left: Arc<Card>,
    pub right: Arc<Card>,
}

/// A person who fits several organizations equally.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkQuestion {
    pub link_id: String,
    pub person: Arc<Card>,
    /// (golden ID, name), by golden ID.
    pub candidates: Vec<(String, String)>,
}

/// A cluster of two or more members and the golden record made of them.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterView {
    pub golden_id: String,
    pub golden: Card,
    pub members: Vec<Arc<Card>>,
    /// The steward's stored overrides: (field code, value).
    pub overrides: BTreeMap<String, String>,
}

/// Everything a review export writes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReviewSet {
    pub org_pairs: Vec<PairQuestion>,
    pub person_pairs: Vec<PairQuestion>,
    pub links: Vec<LinkQuestion>,
    pub clusters: Vec<ClusterView>,
    /// Pair questions per source (a pair across two sources counts for both).
    pub by_source: BTreeMap<String, usize>,
    /// Whether automatic matches are included (`--all`).
    pub all: bool,
    /// Link questions are left out because the link stage is out of date.
    pub links_stale: bool,
}

fn short_hash(prefix: char, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    let hex: String = h.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{prefix}{hex}")
}

/// A pair's ID, the same whichever side is left: the import checks it against
/// the row's source and key cells, so an edited key is caught.
pub fn pair_id(left: (&str, &str), right: (&str, &str)) -> String {
    let (a, b) = if left <= right {
        (left, right)
    } else {
        (right, left)
    };
    short_hash('P', &[a.0, a.1, b.0, b.1])
}

/// A cluster member's row ID on the clusters sheet: the import checks it
/// against the row's golden ID, source and key.
pub fn member_id(golden_id: &str, source: &str, key: &str) -> String {
    short_hash('M', &[golden_id, source, key])
}

/// A person's link question ID.
pub fn link_id(source: &str, key: &str) -> String {
    short_hash('L', &[source, key])
}

fn reasons(explanation_json: &str) -> Vec<Reason> {
    let Ok(e) = serde_json::from_str::<Explanation>(explanation_json) else {
        return Vec::new();
    };
    e.contributions
        .iter()
        .filter(|c| c.level != 0)
        .take(TOP_REASONS)
        .map(|c| Reason {
            field: c.field.clone(),
            level: c.label.clone(),
            similarity: c.similarity,
            weight: c.weight,
        })
        .collect()
}

/// Collect the open questions from the workspace: pairs in the review band
/// (with `all`, automatic matches too) that no decision settles yet, persons
/// with an ambiguous link and no choice yet, and every multi-member cluster.
pub fn collect(ws: &Workspace, all: bool) -> Result<ReviewSet> {
    let parties = ws.load_parties()?;
    let golden: HashMap<i64, String> = ws.golden_ids()?.into_iter().collect();
    let index: HashMap<i64, usize> = parties.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    // Decided pairs, each side with what its row said then: a pair whose
    // row changed since is asked again.
    type Side = (String, String);
    let decided: HashMap<(Side, Side), (String, String)> = ws
        .decisions()?
        .into_iter()
        .map(|d| {
            if d.left <= d.right {
                ((d.left, d.right), (d.left_hash, d.right_hash))
            } else {
                ((d.right, d.left), (d.right_hash, d.left_hash))
            }
        })
        .collect();
    let pairs = ws.pairs_for_review(all)?;
    let links_stale = !ws.stage_is_current("link")?;
    let ambiguous = if links_stale {
        Vec::new()
    } else {
        ws.ambiguous_links()?
    };
    let clusters: Vec<(String, GoldenByRow)> = ws
        .golden_records(2)?
        .into_par_iter()
        .filter_map(|(id, json)| Some((id, serde_json::from_str(&json).ok()?)))
        .collect();

    // Cards of the rows the questions show, built once, in parallel.
    let mut rows: Vec<i64> = pairs
        .iter()
        .flat_map(|p| [p.left_row, p.right_row])
        .collect();
    rows.extend(ambiguous.iter().map(|(r, _)| *r));
    rows.extend(clusters.iter().flat_map(|(_, g)| g.members.iter().copied()));
    rows.par_sort_unstable();
    rows.dedup();
    // Shared: a row is on a pair sheet and in a cluster, often both.
    let cards: HashMap<i64, Arc<Card>> = rows
        .par_iter()
        .filter_map(|r| {
            let p = &parties[*index.get(r)?];
            let mut card = Card::of(p, golden.get(r).map_or("", String::as_str));
            card.hash = golden_id::content_hash(p);
            Some((*r, Arc::new(card)))
        })
        .collect();
    let card = |row: i64| cards.get(&row).cloned();

    let mut set = ReviewSet {
        all,
        links_stale,
        ..ReviewSet::default()
    };
    let questions: Vec<(bool, PairQuestion)> = pairs
        .par_iter()
        .filter_map(|pair| {
            let (left, right) = (card(pair.left_row)?, card(pair.right_row)?);
            let l = (left.source.clone(), left.key.clone());
            let r = (right.source.clone(), right.key.clone());
            let (key, hashes) = if l <= r {
                ((l, r), (&left.hash, &right.hash))
            } else {
                ((r, l), (&right.hash, &left.hash))
            };
            if let Some((lh, rh)) = decided.get(&key) {
                let same = |then: &String, now: &String| then.is_empty() || then == now;
                if same(lh, hashes.0) && same(rh, hashes.1) {
                    return None;
                }
            }
            let persons = parties[index[&pair.left_row]].kind == Kind::Person;
            Some((
                persons,
                PairQuestion {
                    pair_id: pair_id((&left.source, &left.key), (&right.source, &right.key)),
                    band: pair.decision.clone(),
                    score: pair.score,
                    reasons: reasons(&pair.explanation_json),
                    left,
                    right,
                },
            ))
        })
        .collect();
    for (persons, q) in questions {
        *set.by_source.entry(q.left.source.clone()).or_default() += 1;
        if q.right.source != q.left.source {
            *set.by_source.entry(q.right.source.clone()).or_default() += 1;
        }
        if persons {
            set.person_pairs.push(q);
        } else {
            set.org_pairs.push(q);
        }
    }

    if !links_stale {
        let chosen: HashMap<(String, String), String> = ws
            .link_decisions()?
            .into_iter()
            .map(|d| (d.person, d.person_hash))
            .collect();
        let mut names: HashMap<String, String> = HashMap::new();
        for (row, candidates) in ambiguous {
            let Some(person) = card(row) else { continue };
            if let Some(then) = chosen.get(&(person.source.clone(), person.key.clone()))
                && (then.is_empty() || *then == person.hash)
            {
                continue;
            }
            let mut named = Vec::with_capacity(candidates.len());
            for g in candidates {
                if !names.contains_key(&g) {
                    names.insert(g.clone(), organization_name(ws, &g)?);
                }
                let name = names.get(&g).cloned().unwrap_or_default();
                named.push((g, name));
            }
            set.links.push(LinkQuestion {
                link_id: link_id(&person.source, &person.key),
                person,
                candidates: named,
            });
        }
    }

    let mut overrides: HashMap<String, BTreeMap<String, String>> = HashMap::new();
    for o in ws.golden_overrides()? {
        overrides
            .entry(o.golden_id)
            .or_default()
            .insert(o.field, o.value);
    }
    set.clusters = clusters
        .into_iter()
        .map(|(id, g)| {
            let mut golden_card = Card::of(&g.record, &id);
            (
                golden_card.source,
                golden_card.key,
                golden_card.origin,
                golden_card.hash,
            ) = Default::default();
            ClusterView {
                members: g.members.iter().filter_map(|&r| card(r)).collect(),
                overrides: overrides.remove(&id).unwrap_or_default(),
                golden: golden_card,
                golden_id: id,
            }
        })
        .collect();
    Ok(set)
}

fn organization_name(ws: &Workspace, golden_id: &str) -> Result<String> {
    if let Some(json) = ws.golden_record(golden_id)?
        && let Ok(g) = serde_json::from_str::<GoldenByRow>(&json)
    {
        return Ok(g.record.display_name());
    }
    Ok(ws.created_organization_name(golden_id)?.unwrap_or_default())
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ExportReport {
    pub org_pairs: usize,
    pub person_pairs: usize,
    pub links: usize,
    pub clusters: usize,
    pub links_stale: bool,
    pub xlsx: PathBuf,
    pub html: PathBuf,
}

pub const WORKBOOK: &str = "review.xlsx";
pub const PAGE: &str = "review.html";

pub fn sha256_file(path: &std::path::Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Write `out/review.xlsx` and `out/review.html`. An `out/review.xlsx` golive
/// did not write (a steward edited it) and whose decisions were never imported
/// is not overwritten unless `force`.
pub fn export(
    config: &Config,
    ws: &mut Workspace,
    lang: Lang,
    all: bool,
    force: bool,
) -> Result<ExportReport> {
    if !ws.stage_is_current("match")? {
        return Err(Error::Failed(format!(
            "the match stage is out of date: run `golive match {}` (or `golive run`) first",
            config.dir.display()
        )));
    }
    let xlsx = config.out_dir().join(WORKBOOK);
    if xlsx.exists() && !force && !ws.review_file_known(&sha256_file(&xlsx)?)? {
        return Err(Error::Usage(format!(
            "{} was edited after golive wrote it and its decisions are not imported: run `golive review import {}` first, or pass --force to overwrite it",
            xlsx.display(),
            xlsx.display()
        )));
    }
    let set = collect(ws, all)?;
    // Excel's sheet ends at row 1,048,576; two rows are the header.
    const EXCEL_ROWS: usize = 1_048_574;
    let cluster_rows: usize = set.clusters.iter().map(|c| c.members.len() + 1).sum();
    for (what, rows) in [
        ("organization pairs", set.org_pairs.len()),
        ("person pairs", set.person_pairs.len()),
        ("person links", set.links.len()),
        ("cluster rows", cluster_rows),
    ] {
        if rows > EXCEL_ROWS {
            return Err(Error::Usage(format!(
                "{rows} {what} do not fit in one Excel sheet (at most {EXCEL_ROWS}){}",
                if all {
                    ": export without --all, which adds every automatic match"
                } else {
                    ": settle part of them first, or tighten the review band"
                }
            )));
        }
    }
    let mut outputs = StagedOutputs::new(config)?;
    let staged = outputs.path(WORKBOOK);
    let page = outputs.path(PAGE);
    let (written, html) = rayon::join(
        || workbook::write(&staged, &set, lang),
        || html::page(&set, lang),
    );
    written.map_err(|e| Error::bad_input(&staged, e.to_string()))?;
    std::fs::write(&page, html).map_err(|e| Error::io(&page, e))?;
    let sha = sha256_file(&staged)?;
    ws.record_review_export(&sha)?;
    outputs.commit(&[])?;
    Ok(ExportReport {
        org_pairs: set.org_pairs.len(),
        person_pairs: set.person_pairs.len(),
        links: set.links.len(),
        clusters: set.clusters.len(),
        links_stale: set.links_stale,
        xlsx,
        html: config.out_dir().join(PAGE),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_ids_do_not_depend_on_the_order_and_change_with_a_key() {
        let a = pair_id(("1c", "000123"), ("freee", "42"));
        assert_eq!(a, pair_id(("freee", "42"), ("1c", "000123")));
        assert_ne!(a, pair_id(("1c", "000124"), ("freee", "42")));
        assert_eq!(a.len(), 13);
        assert!(a.starts_with('P'));
        assert_ne!(link_id("c", "1"), link_id("c", "2"));
    }
}
