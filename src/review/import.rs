//! Reading an edited review workbook back: every sheet and cell checked before
//! anything is stored (a typo, an unknown or edited ID, a missing sheet stops
//! the import and names the sheet and cell), decisions accepted in any of the
//! workbook's languages, then stored in one transaction.

use super::labels::{self, parse_value, sheet_key};
use super::workbook::{FIRST_ROW, FORMAT_VERSION, META_SHEET};
use super::{link_id, member_id, pair_id};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::export::{Column, neutralize};
use crate::matching::golden::{self, check_override};
use crate::workspace::Workspace;
use crate::workspace::matches::StewardDecision;
use crate::workspace::review::{DecisionBatch, GoldenOverride, LinkDecision, StoredBatch, TakeOut};
use calamine::{Data, DataRef, Reader, Xlsx};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// One sheet of the workbook: only the columns the import reads, by code.
struct Sheet {
    /// The sheet's name as found in the workbook.
    name: String,
    /// Code → column number (0-based), for the columns kept.
    columns: HashMap<String, u32>,
    /// Code → position in a row of `rows`.
    slot: HashMap<String, usize>,
    /// Row number (0-based) → kept cells, in `slot` order.
    rows: Vec<Vec<String>>,
    last_row: u32,
}

impl Sheet {
    /// A content hash, written as a number (see the workbook writer).
    fn hash(&self, row: u32, code: &str) -> String {
        let v = self.text(row, code);
        match v.parse::<u64>() {
            Ok(n) => format!("{n:012x}"),
            Err(_) => v,
        }
    }

    fn text(&self, row: u32, code: &str) -> String {
        let v = match (self.rows.get(row as usize), self.slot.get(code)) {
            (Some(cells), Some(&i)) => cells[i].as_str(),
            _ => "",
        };
        // What golive neutralized on export comes back as written; a value
        // that began with `'` itself keeps it.
        let v = match v.strip_prefix('\'') {
            Some(rest) if neutralize(rest, Column::Text) == v => rest,
            Some(rest) if neutralize(rest, Column::Phone) == v => rest,
            _ => v,
        };
        v.trim().to_string()
    }

    /// `Sheet "Organization pairs", cell B7`.
    fn at(&self, row: u32, code: &str) -> String {
        let col = self.columns.get(code).copied().unwrap_or(0);
        format!(
            "sheet \"{}\", cell {}{}",
            self.name,
            rust_xlsxwriter::utility::column_number_to_name(col as u16),
            row + 1
        )
    }
}

fn cell_text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        other => Data::from(other.clone()).to_string(),
    }
}

/// What an import stored and what of it no longer applies.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct ImportReport {
    pub by: String,
    pub stored: StoredBatch,
    /// Members taken out of their cluster.
    pub taken_out: usize,
    /// Decisions stored that name rows or golden records the workspace no
    /// longer has, in words.
    pub not_applying: Vec<String>,
}

fn bad(path: &Path, message: String) -> Error {
    Error::bad_input(path, message)
}

/// The workbook's last editor (Excel writes it), else its author, unless
/// that is golive itself.
fn workbook_author(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let mut zip = zip::ZipArchive::new(file).ok()?;
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("docProps/core.xml").ok()?, &mut xml).ok()?;
    let tag = |name: &str| -> Option<String> {
        let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
        let end = start + xml[start..].find(&format!("</{name}>"))?;
        let v = xml[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&");
        let v = v.trim();
        (!v.is_empty() && v != "golive").then(|| v.to_string())
    };
    tag("cp:lastModifiedBy").or_else(|| tag("dc:creator"))
}

fn open_sheets(path: &Path) -> Result<(Xlsx<std::io::BufReader<std::fs::File>>, Vec<String>)> {
    let book: Xlsx<_> = calamine::open_workbook(path).map_err(|e| {
        bad(
            path,
            format!("is not an Excel workbook golive can read ({e}): give the review.xlsx that `golive review export` wrote, saved as .xlsx"),
        )
    })?;
    let names = book.sheet_names();
    if !names.iter().any(|n| n == META_SHEET) {
        return Err(bad(
            path,
            format!(
                "is not a golive review workbook (it has no hidden sheet `{META_SHEET}`): export one with `golive review export`"
            ),
        ));
    }
    let mut book = book;
    let version = book
        .worksheet_range(META_SHEET)
        .ok()
        .and_then(|r| r.get_value((0, 1)).map(|v| v.to_string()));
    if version.as_deref() != Some(FORMAT_VERSION) {
        return Err(bad(
            path,
            format!(
                "was written in review workbook format {} and this golive reads format {FORMAT_VERSION}: export the workbook again with this golive",
                version.unwrap_or_else(|| "unknown".into())
            ),
        ));
    }
    Ok((book, names))
}

/// Read the columns `codes` of the sheet `key` (in any language), streaming
/// its cells: a 300,000-row sheet is never held whole.
fn read_sheet(
    path: &Path,
    book: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    names: &[String],
    key: &str,
    codes: &[&str],
) -> Result<Sheet> {
    let Some(name) = names.iter().find(|n| sheet_key(n, &[key]).is_some()) else {
        return Err(bad(
            path,
            format!(
                "sheet \"{}\" is missing (renamed or deleted?): give it back its name ({}), or export the workbook again",
                labels::label(labels::Lang::En, key),
                labels::Lang::ALL
                    .iter()
                    .map(|&l| format!("\"{}\"", labels::label(l, key)))
                    .collect::<Vec<_>>()
                    .join(" / ")
            ),
        ));
    };
    let unreadable =
        |e: calamine::XlsxError| bad(path, format!("sheet \"{name}\" cannot be read: {e}"));
    let mut cells = book.worksheet_cells_reader(name).map_err(unreadable)?;
    let mut found: HashMap<String, u32> = HashMap::new();
    // Column number → slot, known once the code row (row 0) is read.
    let mut keep: HashMap<u32, usize> = HashMap::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut last_row = 0;
    let mut header_done = false;
    let check = |found: &HashMap<String, u32>| -> Result<HashMap<u32, usize>> {
        let mut keep = HashMap::new();
        for (i, code) in codes.iter().enumerate() {
            let Some(&c) = found.get(*code) else {
                return Err(bad(
                    path,
                    format!(
                        "sheet \"{name}\", row 1 (hidden): column `{code}` is missing (a column was deleted or the hidden code row edited): export the workbook again"
                    ),
                ));
            };
            keep.insert(c, i);
        }
        Ok(keep)
    };
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        if r == 0 {
            if let DataRef::String(_) | DataRef::SharedString(_) = cell.get_value() {
                found
                    .entry(cell_text(cell.get_value()).trim().to_string())
                    .or_insert(c);
            }
            continue;
        }
        if !header_done {
            keep = check(&found)?;
            header_done = true;
        }
        let Some(&i) = keep.get(&c) else { continue };
        let r = r as usize;
        if rows.len() <= r {
            rows.resize_with(r + 1, || vec![String::new(); codes.len()]);
        }
        rows[r][i] = cell_text(cell.get_value());
        last_row = last_row.max(r as u32);
    }
    if !header_done {
        check(&found)?;
    }
    let slot = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.to_string(), i))
        .collect();
    found.retain(|code, _| codes.contains(&code.as_str()));
    Ok(Sheet {
        name: name.clone(),
        columns: found,
        slot,
        rows,
        last_row,
    })
}

/// The columns the import reads, per sheet (the others are for people).
const PAIR_CODES: [&str; 9] = [
    "pair_id",
    "decision",
    "note",
    "left_source",
    "left_key",
    "right_source",
    "right_key",
    "left_hash",
    "right_hash",
];
const LINK_CODES: [&str; 7] = [
    "link_id",
    "decision",
    "note",
    "candidates",
    "person_source",
    "person_key",
    "person_hash",
];
const CLUSTER_CODES: [&str; 11] = [
    "golden_id",
    "role",
    "source",
    "key",
    "member_id",
    "hash",
    "take_out",
    "name_override",
    "phone_override",
    "email_override",
    "note",
];

/// Read and check an edited review workbook; nothing is stored.
pub fn read(path: &Path, region: &str, by: &str, at: &str) -> Result<(DecisionBatch, usize)> {
    let (mut book, names) = open_sheets(path)?;
    // The clusters sheet is the largest: read on a second thread meanwhile.
    // The clusters sheet is the largest: read on a second thread meanwhile.
    let (pair_sheets, (clusters_sheet, links_sheet)) = std::thread::scope(|scope| {
        let other = scope.spawn(|| -> Result<(Sheet, Sheet)> {
            let (mut book, names) = open_sheets(path)?;
            let clusters = read_sheet(path, &mut book, &names, "sheet.clusters", &CLUSTER_CODES)?;
            let links = read_sheet(path, &mut book, &names, "sheet.links", &LINK_CODES)?;
            Ok((clusters, links))
        });
        let pairs = ["sheet.org_pairs", "sheet.person_pairs"]
            .into_iter()
            .map(|key| read_sheet(path, &mut book, &names, key, &PAIR_CODES))
            .collect::<Result<Vec<Sheet>>>();
        let other = other
            .join()
            .unwrap_or_else(|_| Err(bad(path, "the workbook reader failed".to_string())));
        // A missing pair sheet is named before a missing clusters sheet.
        Ok::<_, Error>((pairs?, other?))
    })?;
    let mut batch = DecisionBatch {
        workbook_sha256: super::sha256_file(path)?,
        ..DecisionBatch::default()
    };
    let decided = |note: String| (by.to_string(), at.to_string(), note);

    // Pairs: one decision per pair ID, consistent across rows and sheets.
    let mut seen: HashMap<String, bool> = HashMap::new();
    for sheet in &pair_sheets {
        for r in FIRST_ROW..=sheet.last_row {
            let get = |c: &str| sheet.text(r, c);
            let (id, decision) = (get("pair_id"), get("decision"));
            let left = (get("left_source"), get("left_key"));
            let right = (get("right_source"), get("right_key"));
            if id.is_empty() && decision.is_empty() && left.1.is_empty() && right.1.is_empty() {
                continue;
            }
            let expected = pair_id((&left.0, &left.1), (&right.0, &right.1));
            if id != expected {
                let what = if looks_like_id(&id, 'P') {
                    format!(
                        "pair ID `{id}` does not match this row's sources and keys (the ID or a key was edited): restore them, or export the workbook again"
                    )
                } else {
                    format!(
                        "`{id}` is not a pair ID golive wrote: restore it, or export the workbook again"
                    )
                };
                return Err(bad(path, format!("{}: {what}", sheet.at(r, "pair_id"))));
            }
            if decision.is_empty() {
                continue;
            }
            let merge = match parse_value(&decision, &["value.merge", "value.keep_apart"]) {
                Some("value.merge") => true,
                Some(_) => false,
                None => {
                    return Err(bad(
                        path,
                        format!(
                            "{}: `{decision}` is not a decision: choose merge or keep apart from the list ({} / {}), or leave it blank",
                            sheet.at(r, "decision"),
                            labels::label(labels::Lang::Ru, "value.merge"),
                            labels::label(labels::Lang::Ja, "value.merge"),
                        ),
                    ));
                }
            };
            if left == right {
                return Err(bad(
                    path,
                    format!(
                        "{}: both rows of this pair have the key `{}` (they are identical in every identifying field), so a decision could not tell them apart: give the source a key column",
                        sheet.at(r, "decision"),
                        left.1
                    ),
                ));
            }
            if let Some(&before) = seen.get(&id) {
                if before != merge {
                    return Err(bad(
                        path,
                        format!(
                            "{}: pair {id} is decided both ways in this workbook: keep one decision",
                            sheet.at(r, "decision")
                        ),
                    ));
                }
                continue;
            }
            seen.insert(id, merge);
            let (decided_by, decided_at, note) = decided(get("note"));
            batch.pairs.push(StewardDecision {
                left,
                right,
                merge,
                decided_by,
                decided_at,
                note,
                left_hash: sheet.hash(r, "left_hash"),
                right_hash: sheet.hash(r, "right_hash"),
            });
        }
    }

    // Person links: a candidate of the row, or "no organization".
    let sheet = links_sheet;
    for r in FIRST_ROW..=sheet.last_row {
        let get = |c: &str| sheet.text(r, c);
        let (id, decision) = (get("link_id"), get("decision"));
        let person = (get("person_source"), get("person_key"));
        if id.is_empty() && decision.is_empty() && person.1.is_empty() {
            continue;
        }
        if id != link_id(&person.0, &person.1) {
            return Err(bad(
                path,
                format!(
                    "{}: link ID `{id}` does not match this row's source and key (the ID or the key was edited): restore them, or export the workbook again",
                    sheet.at(r, "link_id")
                ),
            ));
        }
        if decision.is_empty() {
            continue;
        }
        let organization = if parse_value(&decision, &["value.no_organization"]).is_some() {
            None
        } else {
            let chosen = decision.split_whitespace().next().unwrap_or("");
            let candidates = get("candidates");
            // Candidates are `ID · name; …`; a name may hold `;` itself, so
            // only a fragment that starts with a golden ID counts.
            let listed: Vec<&str> = candidates
                .split("; ")
                .filter_map(|c| c.split_whitespace().next())
                .filter(|g| looks_like_golden_id(g))
                .collect();
            // A full list may be the first of many namesakes: any golden ID
            // goes then (the link stage reports one that is no organization).
            let ok = looks_like_golden_id(chosen)
                && (listed.contains(&chosen) || listed.len() >= crate::model::MAX_LINK_CANDIDATES);
            if !ok {
                return Err(bad(
                    path,
                    format!(
                        "{}: `{decision}` is not one of this person's candidate organizations: choose one from the list, or no organization",
                        sheet.at(r, "decision")
                    ),
                ));
            }
            Some(chosen.to_string())
        };
        let (decided_by, decided_at, note) = decided(get("note"));
        batch.links.push(LinkDecision {
            person,
            organization,
            person_hash: sheet.hash(r, "person_hash"),
            decided_by,
            decided_at,
            note,
        });
    }

    // Clusters: members taken out, golden fields overridden.
    let sheet = clusters_sheet;
    // golden ID → (source, key, hash) of the members that stay; of those
    // taken out, also the note and the cell.
    type Members = (
        Vec<(String, String, String)>,
        Vec<(String, String, String, String, String)>,
    );
    let mut clusters: BTreeMap<String, Members> = BTreeMap::new();
    for r in FIRST_ROW..=sheet.last_row {
        let get = |c: &str| sheet.text(r, c);
        let (id, role) = (get("golden_id"), get("role"));
        if id.is_empty() && role.is_empty() {
            if let Some(code) = CLUSTER_CODES[6..].iter().find(|c| !get(c).is_empty()) {
                return Err(bad(
                    path,
                    format!(
                        "{}: this row belongs to no cluster (its golden ID and row kind are empty): write the decision on the cluster's own row",
                        sheet.at(r, code)
                    ),
                ));
            }
            continue;
        }
        let golden_row = match parse_value(&role, &["value.golden", "value.member"]) {
            Some("value.golden") => true,
            Some(_) => false,
            None => {
                return Err(bad(
                    path,
                    format!(
                        "{}: `{role}` is not a row kind golive wrote (golden record or member): restore it, or export the workbook again",
                        sheet.at(r, "role")
                    ),
                ));
            }
        };
        let entry = clusters.entry(id.clone()).or_default();
        if golden_row {
            for field in golden::OVERRIDABLE {
                let code = format!("{}_override", field.as_str());
                let value = get(&code);
                if !value.is_empty() {
                    check_override(field, &value, region)
                        .map_err(|e| bad(path, format!("{}: {e}", sheet.at(r, &code))))?;
                }
                let (decided_by, decided_at, note) = decided(get("note"));
                batch.overrides.push(GoldenOverride {
                    golden_id: id.clone(),
                    field: field.as_str().to_string(),
                    value,
                    decided_by,
                    decided_at,
                    note,
                });
            }
            if !get("take_out").is_empty() {
                return Err(bad(
                    path,
                    format!(
                        "{}: a golden record cannot be taken out of itself: write take out on a member row",
                        sheet.at(r, "take_out")
                    ),
                ));
            }
            continue;
        }
        for field in golden::OVERRIDABLE {
            let code = format!("{}_override", field.as_str());
            if !get(&code).is_empty() {
                return Err(bad(
                    path,
                    format!(
                        "{}: a value to keep goes on the cluster's golden record row, not on a member",
                        sheet.at(r, &code)
                    ),
                ));
            }
        }
        let member = (get("source"), get("key"));
        if get("member_id") != member_id(&id, &member.0, &member.1) {
            return Err(bad(
                path,
                format!(
                    "{}: member ID `{}` does not match this row's golden ID, source and key (one of them was edited): restore them, or export the workbook again",
                    sheet.at(r, "member_id"),
                    get("member_id")
                ),
            ));
        }
        let take = get("take_out");
        if take.is_empty() {
            entry.0.push((member.0, member.1, sheet.hash(r, "hash")));
        } else if parse_value(&take, &["value.take_out"]).is_some() {
            entry.1.push((
                member.0,
                member.1,
                sheet.hash(r, "hash"),
                get("note"),
                sheet.at(r, "take_out"),
            ));
        } else {
            return Err(bad(
                path,
                format!(
                    "{}: `{take}` is not understood: write take out (or leave it blank)",
                    sheet.at(r, "take_out")
                ),
            ));
        }
    }
    let mut taken_out = 0;
    // A pair decided on a pair sheet, by its normalized sides: a take-out
    // must not contradict it.
    let on_pair_sheets: HashMap<PairKey, bool> = batch
        .pairs
        .iter()
        .map(|d| (ordered(&d.left, &d.right), d.merge))
        .collect();
    for (golden_id, (kept, out)) in &clusters {
        for (i, (source, key, hash, note, at)) in out.iter().enumerate() {
            taken_out += 1;
            let member = (source.clone(), key.clone());
            let (decided_by, decided_at, note) = decided(note.clone());
            batch.take_outs.push(TakeOut {
                member: member.clone(),
                golden_id: golden_id.clone(),
                decided_by: decided_by.clone(),
                decided_at: decided_at.clone(),
                note: note.clone(),
            });
            // Apart from the members that stay; with none staying, from each other.
            let others: Vec<(String, String, String)> = if kept.is_empty() {
                out[i + 1..]
                    .iter()
                    .map(|(s, k, h, _, _)| (s.clone(), k.clone(), h.clone()))
                    .collect()
            } else {
                kept.clone()
            };
            for (other_source, other_key, other_hash) in others {
                let other = (other_source, other_key);
                if on_pair_sheets.get(&ordered(&member, &other)) == Some(&true) {
                    return Err(bad(
                        path,
                        format!(
                            "{at}: {}:{} is taken out of {golden_id}, yet a pair sheet merges it with {}:{}: keep one of the two decisions",
                            member.0, member.1, other.0, other.1
                        ),
                    ));
                }
                batch.pairs.push(StewardDecision {
                    left: member.clone(),
                    right: other,
                    merge: false,
                    decided_by: decided_by.clone(),
                    decided_at: decided_at.clone(),
                    note: note.clone(),
                    left_hash: hash.clone(),
                    right_hash: other_hash,
                });
            }
        }
    }
    Ok((batch, taken_out))
}

/// Two (source, key) sides, smaller first.
type PairKey = ((String, String), (String, String));

fn ordered(a: &(String, String), b: &(String, String)) -> PairKey {
    if a <= b {
        (a.clone(), b.clone())
    } else {
        (b.clone(), a.clone())
    }
}

/// `G…` (a golden record) or `N…` (an organization created from a person's
/// company text): 16 hex digits.
fn looks_like_golden_id(id: &str) -> bool {
    id.strip_prefix(['G', 'N'])
        .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn looks_like_id(id: &str, prefix: char) -> bool {
    id.strip_prefix(prefix)
        .is_some_and(|h| h.len() == 12 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Import an edited workbook into the project's workspace.
pub fn import(
    config: &Config,
    ws: &mut Workspace,
    path: &Path,
    by: Option<&str>,
) -> Result<ImportReport> {
    if !path.is_file() {
        return Err(bad(
            path,
            "no such file: give the path of the edited review.xlsx".to_string(),
        ));
    }
    let by = by
        .map(str::to_string)
        .or_else(|| workbook_author(path))
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .or_else(|| std::env::var("USERNAME").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "unknown".to_string());
    let (batch, taken_out) = read(
        path,
        &config.region,
        &by,
        &crate::workspace::lock::utc_now(),
    )?;
    let stored = ws.store_decisions(&batch)?;
    Ok(ImportReport {
        not_applying: not_applying(ws, &batch)?,
        by,
        stored,
        taken_out,
    })
}

/// Decisions of the batch naming rows or golden records the last match run
/// did not have (its member identities are `source␟identity key`).
fn not_applying(ws: &Workspace, batch: &DecisionBatch) -> Result<Vec<String>> {
    let members = ws.golden_keys()?;
    let golden: HashSet<&str> = members.values().map(String::as_str).collect();
    let gone = |r: &(String, String)| !members.contains_key(&format!("{}\u{1f}{}", r.0, r.1));
    let mut out = Vec::new();
    for d in &batch.pairs {
        for side in [&d.left, &d.right] {
            if gone(side) {
                out.push(format!(
                    "{} {}: the row is gone; the decision on it is kept and will apply if it comes back",
                    side.0, side.1
                ));
            }
        }
    }
    for l in &batch.links {
        if gone(&l.person) {
            out.push(format!(
                "{} {}: the person's row is gone; the link choice is kept",
                l.person.0, l.person.1
            ));
        }
    }
    for o in batch.overrides.iter().filter(|o| !o.value.is_empty()) {
        if !golden.contains(o.golden_id.as_str()) {
            out.push(format!(
                "golden record {}: no longer exists; its overrides are kept",
                o.golden_id
            ));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_golive_writes_are_recognised() {
        assert!(looks_like_id(&pair_id(("a", "1"), ("b", "2")), 'P'));
        assert!(!looks_like_id("P123", 'P'));
    }
}
