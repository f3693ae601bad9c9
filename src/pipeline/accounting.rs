//! The row accounting, proved from the workspace: for every current table,
//! `physical rows read = blank + rejected at ingest + rejected at normalize +
//! parties`, each term counted from the stored rows, the reader's count kept
//! apart; then `parties = members of golden records`. A stage that leaves a
//! gap fails, naming the rows.

use crate::error::{Error, Result};
use crate::workspace::Workspace;
use crate::workspace::accounting::{MatchTally, TableTally};
use crate::workspace::matches::RowRef;

/// How many missing rows a message lists; the count covers all.
const LISTED: usize = 20;

/// The accounting as far as the stages have run.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Accounting {
    pub tables: Vec<TableTally>,
    /// Whether normalize ran after the last ingest (rows without a party are
    /// then lost, not pending).
    pub normalized: bool,
    pub matched: bool,
    pub matching: MatchTally,
    /// What does not add up, one line each, rows named.
    pub gaps: Vec<String>,
    /// Rows still waiting for a stage (not an error): the command to run.
    pub pending: Option<String>,
}

impl Accounting {
    pub fn of(ws: &Workspace, project: &std::path::Path) -> Result<Self> {
        let tables = ws.table_tallies()?;
        let normalized = ws.stage_is_current("normalize")?;
        let matched = normalized && ws.stage_is_current("match")?;
        let mut gaps = Vec::new();
        let mut pending = None;
        for t in &tables {
            let table = table_label(t);
            if let Some(physical) = t.physical
                && physical != t.blank + t.main_rows
            {
                gaps.push(format!(
                    "{table}: the reader met {physical} rows but the workspace holds {} (+ {} blank): {} rows unaccounted for; run `golive ingest` again",
                    t.main_rows,
                    t.blank,
                    physical - t.blank - t.main_rows
                ));
            }
        }
        let without: i64 = tables.iter().map(|t| t.without_party).sum();
        if without > 0 {
            let rows = ws.rows_missing_party(LISTED)?;
            if normalized {
                gaps.push(format!(
                    "{without} accepted rows have no party although normalize ran after the last ingest (the workspace lost them): {}; run `golive normalize {}`",
                    list(&rows, without),
                    project.display()
                ));
            } else {
                pending = Some(format!(
                    "{without} accepted rows are not normalized yet: run `golive normalize {}`",
                    project.display()
                ));
            }
        }
        let matching = ws.match_tally()?;
        if matched {
            let missing = matching.parties - matching.clustered;
            if missing > 0 {
                let rows = ws.parties_without_golden(LISTED)?;
                gaps.push(format!(
                    "{missing} parties are in no golden record: {}; run `golive match {}`",
                    list(&rows, missing),
                    project.display()
                ));
            }
            if matching.golden_members != matching.clustered {
                gaps.push(format!(
                    "golden records count {} members but {} parties point at one; run `golive match {}`",
                    matching.golden_members,
                    matching.clustered,
                    project.display()
                ));
            }
        } else if normalized && matching.parties > 0 && pending.is_none() {
            pending = Some(format!(
                "the parties are not matched since the last ingest: run `golive match {}`",
                project.display()
            ));
        }
        Ok(Accounting {
            tables,
            normalized,
            matched,
            matching,
            gaps,
            pending,
        })
    }

    /// An error listing every gap, if any.
    pub fn check(&self) -> Result<()> {
        if self.gaps.is_empty() {
            return Ok(());
        }
        Err(Error::Accounting(format!(
            "not every row is accounted for: {}",
            self.gaps.join("; ")
        )))
    }

    /// The sums checked, as `status` prints them.
    pub fn render(&self) -> String {
        use std::fmt::Write as _;
        let mut o = String::new();
        let sum = |f: fn(&TableTally) -> i64| self.tables.iter().map(f).sum::<i64>();
        let counted = self.tables.iter().all(|t| t.physical.is_some());
        let physical: i64 = self.tables.iter().filter_map(|t| t.physical).sum();
        let (blank, ingest, normalize, parties) = (
            sum(|t| t.blank),
            sum(|t| t.ingest_rejects),
            sum(|t| t.normalize_rejects),
            sum(|t| t.parties),
        );
        let read = if counted {
            format!("{physical} rows read")
        } else {
            format!(
                "{} rows (some tables were ingested before golive counted physical rows: re-ingest to prove them)",
                blank + sum(|t| t.main_rows)
            )
        };
        let without = sum(|t| t.without_party);
        let _ = write!(
            o,
            "{read} = {blank} blank + {ingest} rejected at ingest + {normalize} rejected at normalize + {parties} parties"
        );
        if without > 0 {
            let _ = write!(o, " + {without} without a party");
        }
        let second = sum(|t| t.second_rows);
        if second > 0 {
            let _ = write!(
                o,
                "\n  and {second} second parties read from the same rows' contact or company columns = {} rejected + {} parties",
                sum(|t| t.second_rejects),
                sum(|t| t.second_parties)
            );
        }
        if self.matched {
            let m = &self.matching;
            let _ = write!(
                o,
                "\n  {} parties = {} members of golden records",
                m.parties, m.golden_members
            );
        }
        if self.gaps.is_empty() && counted && self.pending.is_none() {
            o.push_str("\n  checked: every row is accounted for");
        }
        o
    }
}

fn table_label(t: &TableTally) -> String {
    match &t.sheet {
        Some(s) => format!("{} [{s}]", t.source),
        None => t.source.clone(),
    }
}

fn list(rows: &[RowRef], total: i64) -> String {
    let mut names: Vec<String> = rows
        .iter()
        .map(|r| {
            let sheet = r
                .sheet
                .as_ref()
                .map_or(String::new(), |s| format!(" [{s}]"));
            format!(
                "{}{sheet} row {} (key `{}`)",
                r.file, r.row_number, r.source_key
            )
        })
        .collect();
    if total > rows.len() as i64 {
        names.push(format!("… {} more", total - rows.len() as i64));
    }
    names.join(", ")
}
