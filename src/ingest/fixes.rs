//! Rejected rows fixed by hand: `out/rejects.csv` edited and dropped into
//! `sources/` (as `rejects*.csv`). Each of its rows names the source, sheet and
//! row it came from; where that row is still the very row that was rejected,
//! its fixed cells are read in its place — so the row keeps its key and its
//! place in the accounting, and a fix made for an older export never lands on a
//! different row of a newer one.

use super::{RawRow, delimited, encoding};
use crate::error::{Error, Result};
use crate::model::Cell;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The columns every rejects file starts with; the row's own cells follow.
pub const LEADING: [&str; 5] = ["source", "file", "sheet", "row", "reason"];

/// The name a rejected row's cell goes under in rejects.csv: its table's
/// header, or `column N` past the header (a ragged row's extra fields).
pub fn column_name(headers: &[String], index: usize) -> String {
    headers
        .get(index)
        .filter(|h| !h.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| format!("column {}", index + 1))
}

/// What a row's cells say, for telling whether a row is the one rejected:
/// the cells as text, trailing empty ones dropped.
pub fn fingerprint(cells: &[Cell]) -> Vec<String> {
    let mut texts: Vec<String> = cells.iter().map(Cell::to_text).collect();
    while texts.last().is_some_and(|t| t.trim().is_empty()) {
        texts.pop();
    }
    texts
}

/// One fixed row: its cells by column name, and where it was read.
#[derive(Clone, Debug, PartialEq)]
struct Fixed {
    cells: BTreeMap<String, String>,
    file: PathBuf,
    line: u64,
}

/// Every fixed row of every rejects file, by source, sheet and row.
#[derive(Clone, Debug, Default)]
pub struct Fixes {
    rows: BTreeMap<(String, String, u64), Fixed>,
    /// The rejects files read, project-relative.
    pub files: Vec<String>,
}

impl Fixes {
    /// The rejects files in `dir/sources/` (`rejects*.csv` with rejects.csv's
    /// header), read. Two fixes of one row are an error naming both.
    pub fn find(dir: &Path) -> Result<Fixes> {
        let mut fixes = Fixes::default();
        let Ok(entries) = std::fs::read_dir(dir.join("sources")) else {
            return Ok(fixes);
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| crate::config::is_rejects_file(p))
            .collect();
        paths.sort();
        for path in paths {
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            fixes.read(&path)?;
            fixes.files.push(rel);
        }
        Ok(fixes)
    }

    fn read(&mut self, path: &Path) -> Result<()> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let (text, _) = encoding::decode(&bytes, encoding::detect(&bytes).0);
        let text = text.trim_start_matches('\u{feff}').to_string();
        let delimiter = delimited::sniff_delimiter(&text);
        let mut rows = delimited::DelimitedRows::new(text, delimiter);
        let Some(header) = rows.next() else {
            return Ok(());
        };
        let names: Vec<String> = header.cells.iter().map(Cell::to_text).collect();
        for row in rows {
            if let Some(problem) = &row.problem {
                return Err(Error::bad_input(
                    path,
                    format!("line {}: {problem}", row.number),
                ));
            }
            if row.is_blank() {
                continue;
            }
            let text: Vec<String> = row.cells.iter().map(Cell::to_text).collect();
            let at = |i: usize| text.get(i).map_or("", |s| s.trim());
            let number: u64 = at(3).parse().map_err(|_| {
                Error::bad_input(
                    path,
                    format!(
                        "line {}, column `row`: `{}` is not a row number: keep the first five columns as golive wrote them",
                        row.number,
                        at(3)
                    ),
                )
            })?;
            let cells = names
                .iter()
                .zip(&text)
                .skip(LEADING.len())
                .map(|(n, v)| (n.clone(), crate::export::unneutralize(v).to_string()))
                .collect();
            let key = (at(0).to_string(), at(2).to_string(), number);
            let fixed = Fixed {
                cells,
                file: path.to_path_buf(),
                line: row.number,
            };
            if let Some(before) = self.rows.get(&key) {
                return Err(Error::bad_input(
                    path,
                    format!(
                        "line {}: {} row {} is fixed twice (also in {} line {}): keep one fix",
                        row.number,
                        key.0,
                        key.2,
                        before.file.display(),
                        before.line
                    ),
                ));
            }
            self.rows.insert(key, fixed);
        }
        Ok(())
    }

    /// Whether any fixed row names `source`.
    pub fn has_source(&self, source: &str) -> bool {
        self.rows.keys().any(|(s, _, _)| s == source)
    }

    /// A digest of `source`'s fixes: a new or edited fix changes it, so the
    /// source is read again though its file did not change.
    pub fn digest(&self, source: &str) -> String {
        let mut h = Sha256::new();
        for ((s, sheet, row), fixed) in &self.rows {
            if s == source {
                h.update(format!("{sheet}\u{1}{row}\u{1}").as_bytes());
                for (name, value) in &fixed.cells {
                    h.update(format!("{name}\u{2}{value}\u{3}").as_bytes());
                }
            }
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Sources named by fixed rows that are not configured, with how many rows.
    pub fn unknown_sources<'a>(
        &self,
        known: impl Iterator<Item = &'a str>,
    ) -> BTreeMap<String, usize> {
        let known: HashSet<&str> = known.collect();
        let mut unknown = BTreeMap::new();
        for (s, _, _) in self.rows.keys() {
            if !known.contains(s.as_str()) {
                *unknown.entry(s.clone()).or_default() += 1;
            }
        }
        unknown
    }

    /// The fixes for one table of `source`, laid onto its headers; `rejected`
    /// holds the fingerprints of the rows ever rejected there, by row number.
    pub fn for_table(
        &self,
        source: &str,
        sheet: Option<&str>,
        headers: &[String],
        rejected: HashMap<u64, HashSet<Vec<String>>>,
    ) -> TableFixes {
        let sheet = sheet.unwrap_or("");
        let mut rows = HashMap::new();
        for ((s, sh, row), fixed) in &self.rows {
            if s != source || sh != sheet {
                continue;
            }
            // The header's columns, then `column N` as far as a ragged row's
            // extras are still filled (an emptied extra is the fix).
            let width = fixed
                .cells
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .filter_map(|(name, _)| name.strip_prefix("column ")?.parse::<usize>().ok())
                .filter(|n| *n > headers.len())
                .max()
                .unwrap_or(0)
                .max(headers.len());
            let cells = (0..width)
                .map(|i| match fixed.cells.get(&column_name(headers, i)) {
                    Some(v) if !v.is_empty() => Cell::Text(v.clone()),
                    _ => Cell::EMPTY,
                })
                .collect();
            rows.insert(*row, cells);
        }
        TableFixes {
            rows,
            rejected,
            files: self.files.join(", "),
            applied: 0,
            not_applied: Vec::new(),
        }
    }
}

/// One table's fixed rows, applied as its rows are read.
#[derive(Debug, Default)]
pub struct TableFixes {
    rows: HashMap<u64, Vec<Cell>>,
    rejected: HashMap<u64, HashSet<Vec<String>>>,
    /// The rejects files the fixes came from, for the rows' flag.
    pub files: String,
    pub applied: u64,
    /// Rows whose fix was left alone: the row there now is not the one rejected.
    pub not_applied: Vec<u64>,
}

impl TableFixes {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The fixed cells in place of `row`'s when it is the row once rejected;
    /// true when they were.
    pub fn apply(&mut self, row: &mut RawRow) -> bool {
        let Some(cells) = self.rows.remove(&row.number) else {
            return false;
        };
        let same = self
            .rejected
            .get(&row.number)
            .is_some_and(|seen| seen.contains(&fingerprint(&row.cells)));
        if !same {
            self.not_applied.push(row.number);
            return false;
        }
        row.cells = cells;
        row.problem = None;
        self.applied += 1;
        true
    }

    /// Fixes of rows the file no longer has.
    pub fn finish(&mut self) {
        let mut left: Vec<u64> = self.rows.drain().map(|(n, _)| n).collect();
        left.sort_unstable();
        self.not_applied.extend(left);
        self.not_applied.sort_unstable();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir.join("sources")).unwrap();
        std::fs::write(dir.join("sources").join(name), text).unwrap();
    }

    fn row(number: u64, cells: &[&str]) -> RawRow {
        RawRow {
            number,
            cells: cells
                .iter()
                .map(|c| {
                    if c.is_empty() {
                        Cell::EMPTY
                    } else {
                        Cell::Text(c.to_string())
                    }
                })
                .collect(),
            problem: None,
        }
    }

    #[test]
    fn a_fix_replaces_only_the_row_that_was_rejected() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "rejects.csv",
            "\u{feff}source,file,sheet,row,reason,Name,Phone,column 4\n\
             qbo,sources/q.csv,,3,too many fields,Acme,'+1 212 555 0100,\n\
             qbo,sources/q.csv,,5,too many fields,Beta,,\n",
        );
        let fixes = Fixes::find(tmp.path()).unwrap();
        assert_eq!(fixes.files, ["sources/rejects.csv"]);
        let headers = vec!["Name".to_string(), "Phone".to_string(), "Note".to_string()];
        let rejected = HashMap::from([
            (
                3,
                HashSet::from([fingerprint(&row(3, &["Acme", "x", "y", "z"]).cells)]),
            ),
            (
                5,
                HashSet::from([fingerprint(&row(5, &["Beta", "", "", "q"]).cells)]),
            ),
        ]);
        let mut table = fixes.for_table("qbo", None, &headers, rejected);
        let mut third = row(3, &["Acme", "x", "y", "z", ""]);
        assert!(table.apply(&mut third), "same cells: the fix applies");
        assert_eq!(
            fingerprint(&third.cells),
            ["Acme", "+1 212 555 0100"],
            "neutralizing quote removed, extra column emptied"
        );
        let mut fifth = row(5, &["Other", "", "", "q"]);
        assert!(!table.apply(&mut fifth), "another row at 5 now");
        assert_eq!(fifth.cells[0], Cell::Text("Other".into()));
        table.finish();
        assert_eq!(table.not_applied, [5]);
        assert_eq!(table.applied, 1);
        assert!(fixes.has_source("qbo") && !fixes.has_source("1c"));
        assert_eq!(
            fixes.unknown_sources(["1c"].into_iter()),
            BTreeMap::from([("qbo".to_string(), 2)])
        );
    }

    #[test]
    fn a_row_fixed_twice_is_refused_with_both_places() {
        let tmp = tempfile::tempdir().unwrap();
        let text = "source,file,sheet,row,reason,Name\nqbo,q.csv,,3,r,A\n";
        write(tmp.path(), "rejects.csv", text);
        write(tmp.path(), "rejects-2.csv", text);
        let e = Fixes::find(tmp.path()).unwrap_err().to_string();
        assert!(
            e.contains("fixed twice") && e.contains("rejects-2.csv"),
            "{e}"
        );
    }

    #[test]
    fn the_digest_follows_the_sources_fixes_only() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "rejects.csv",
            "source,file,sheet,row,reason,Name\nqbo,q.csv,,3,r,A\n1c,k.xlsx,Лист1,7,r,B\n",
        );
        let a = Fixes::find(tmp.path()).unwrap();
        write(
            tmp.path(),
            "rejects.csv",
            "source,file,sheet,row,reason,Name\nqbo,q.csv,,3,r,A\n1c,k.xlsx,Лист1,7,r,C\n",
        );
        let b = Fixes::find(tmp.path()).unwrap();
        assert_eq!(a.digest("qbo"), b.digest("qbo"));
        assert_ne!(a.digest("1c"), b.digest("1c"));
    }

    #[test]
    fn a_cell_past_the_header_keeps_the_row_ragged() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "rejects.csv",
            "source,file,sheet,row,reason,Name,column 2\nqbo,q.csv,,3,r,A,still here\n",
        );
        let fixes = Fixes::find(tmp.path()).unwrap();
        let rejected = HashMap::from([(3, HashSet::from([vec!["A".to_string(), "x".into()]]))]);
        let mut t = fixes.for_table("qbo", None, &["Name".to_string()], rejected);
        let mut r = row(3, &["A", "x"]);
        assert!(t.apply(&mut r));
        assert_eq!(fingerprint(&r.cells), ["A", "still here"]);
    }
}
