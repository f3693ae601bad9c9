//! What the run report reads: every current row with what became of it, the
//! last load plan, and the figures the report shows beside the accounting.

use super::Workspace;
use super::queries::LATEST_VERSIONS;
use crate::error::Result;
use rusqlite::params;
use std::collections::HashMap;

/// One current row and what became of it, read from the stored rows, parties,
/// clusters and links (never from a stage's counters).
#[derive(Clone, Debug, PartialEq)]
pub struct RowFate {
    pub row_id: i64,
    pub source: String,
    pub sheet: Option<String>,
    pub row_number: i64,
    pub source_key: String,
    /// A second party read from a row's contact or company columns.
    pub second: bool,
    /// Why ingest or normalize rejected it.
    pub rejected: Option<String>,
    pub has_party: bool,
    /// `organization`, `sole_proprietor` or `person`.
    pub kind: String,
    pub golden_id: Option<String>,
    /// A person linked to an organization.
    pub linked: bool,
    pub link_method: Option<String>,
}

/// A rejected row with its original cells, for `out/rejects.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct RejectedCells {
    pub source: String,
    pub file: String,
    pub sheet: Option<String>,
    pub row_number: i64,
    pub reason: String,
    pub headers_json: String,
    pub cells_json: String,
}

/// One quality flag on one row, for `out/flags.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct FlaggedRow {
    pub source: String,
    pub file: String,
    pub sheet: Option<String>,
    pub row_number: i64,
    pub source_key: String,
    pub field: Option<String>,
    pub code: String,
    pub detail: Option<String>,
}

/// One row of the stored load plan.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedRow {
    pub entity: String,
    pub golden_id: String,
    pub action: String,
    pub reason: String,
}

const SECOND_PARTY_JSON: &str = "\"second_party_in_row\"";

/// The last plan of a target: a dry run or not, when, for which phase ('' for all).
#[derive(Clone, Debug, PartialEq)]
pub struct PlanInfo {
    pub dry_run: bool,
    pub planned_at: String,
    pub phase: String,
}

impl Workspace {
    /// Every row of the current source versions, in row order.
    pub fn row_fates(&self) -> Result<Vec<RowFate>> {
        self.query_all(
            &format!(
                "SELECT r.id, s.name, t.sheet, r.row_number, r.source_key,
                        (r.flags IS NOT NULL AND instr(r.flags, ?1) > 0),
                        COALESCE(r.reject, p.reject), p.row_id IS NOT NULL AND p.reject IS NULL,
                        COALESCE(p.kind, r.kind), c.golden_id,
                        l.organization IS NOT NULL, l.method
                 FROM rows r JOIN tables t ON t.id = r.table_id
                 JOIN source_versions v ON v.id = t.version_id JOIN sources s ON s.id = v.source_id
                 LEFT JOIN parties p ON p.row_id = r.id
                 LEFT JOIN clusters c ON c.row_id = r.id
                 LEFT JOIN links l ON l.row_id = r.id
                 WHERE v.id IN ({LATEST_VERSIONS}) AND r.id BETWEEN t.first_row AND t.last_row
                 ORDER BY r.id"
            ),
            [SECOND_PARTY_JSON],
            |r| {
                Ok(RowFate {
                    row_id: r.get(0)?,
                    source: r.get(1)?,
                    sheet: r.get(2)?,
                    row_number: r.get(3)?,
                    source_key: r.get(4)?,
                    second: r.get(5)?,
                    rejected: r.get(6)?,
                    has_party: r.get(7)?,
                    kind: r.get(8)?,
                    golden_id: r.get(9)?,
                    linked: r.get(10)?,
                    link_method: r.get(11)?,
                })
            },
        )
    }

    /// Rows rejected at ingest or normalize (a row's own party, not a second
    /// party read from its columns), with their cells, in source and row order.
    pub fn rejected_cells(&self) -> Result<Vec<RejectedCells>> {
        self.query_all(
            &format!(
                "SELECT s.name, s.path, t.sheet, r.row_number, COALESCE(r.reject, p.reject),
                        t.headers, r.cells
                 FROM rows r JOIN tables t ON t.id = r.table_id
                 JOIN source_versions v ON v.id = t.version_id JOIN sources s ON s.id = v.source_id
                 LEFT JOIN parties p ON p.row_id = r.id
                 WHERE v.id IN ({LATEST_VERSIONS}) AND r.id BETWEEN t.first_row AND t.last_row
                   AND (r.reject IS NOT NULL OR p.reject IS NOT NULL)
                   AND NOT (r.flags IS NOT NULL AND instr(r.flags, ?1) > 0)
                 ORDER BY s.name, t.id, r.row_number"
            ),
            [SECOND_PARTY_JSON],
            |r| {
                Ok(RejectedCells {
                    source: r.get(0)?,
                    file: r.get(1)?,
                    sheet: r.get(2)?,
                    row_number: r.get(3)?,
                    reason: r.get(4)?,
                    headers_json: r.get(5)?,
                    cells_json: r.get(6)?,
                })
            },
        )
    }

    /// Every flag of every current row, in source and row order: a party's
    /// flags (which carry its row's), else a rejected row's own. `skip` names
    /// codes that mark structure (a second party, a same-row link), not quality.
    pub fn for_each_flag(
        &self,
        skip: &[&str],
        mut f: impl FnMut(FlaggedRow) -> Result<()>,
    ) -> Result<()> {
        let sql = format!(
            "SELECT s.name, s.path, t.sheet, r.row_number, r.source_key,
                    json_extract(fl.value, '$.field'), json_extract(fl.value, '$.code'),
                    json_extract(fl.value, '$.detail')
             FROM rows r JOIN tables t ON t.id = r.table_id
             JOIN source_versions v ON v.id = t.version_id JOIN sources s ON s.id = v.source_id
             LEFT JOIN parties p ON p.row_id = r.id,
             json_each(COALESCE(p.flags, r.flags, '[]')) fl
             WHERE v.id IN ({LATEST_VERSIONS}) AND r.id BETWEEN t.first_row AND t.last_row
             ORDER BY s.name, t.id, r.row_number, r.id, fl.key"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let read = || -> rusqlite::Result<FlaggedRow> {
                Ok(FlaggedRow {
                    source: r.get(0)?,
                    file: r.get(1)?,
                    sheet: r.get(2)?,
                    row_number: r.get(3)?,
                    source_key: r.get(4)?,
                    field: r.get(5)?,
                    code: r.get(6)?,
                    detail: r.get(7)?,
                })
            };
            let row = read().map_err(|e| self.err(e))?;
            if !skip.contains(&row.code.as_str()) {
                f(row)?;
            }
        }
        Ok(())
    }

    /// Every row of `source` ever rejected (at ingest or normalize, in any
    /// version): sheet, row number and cells, so a fix applies only to the
    /// row it was made for.
    pub fn rejected_rows_ever(&self, source: &str) -> Result<Vec<(Option<String>, u64, String)>> {
        self.query_all(
            "SELECT t.sheet, r.row_number, r.cells
             FROM rows r JOIN tables t ON t.id = r.table_id
             JOIN source_versions v ON v.id = t.version_id JOIN sources s ON s.id = v.source_id
             LEFT JOIN parties p ON p.row_id = r.id
             WHERE s.name = ?1 AND r.id BETWEEN t.first_row AND t.last_row
               AND (r.reject IS NOT NULL OR p.reject IS NOT NULL)
               AND NOT (r.flags IS NOT NULL AND instr(r.flags, ?2) > 0)",
            rusqlite::params![source, SECOND_PARTY_JSON],
            |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?)),
        )
    }

    /// Replace `target`'s stored plan (organizations and persons: entity,
    /// golden ID, action, reason), and say whether it was a dry run.
    pub fn store_plan<'a>(
        &mut self,
        target: &str,
        dry_run: bool,
        phase: &str,
        rows: impl IntoIterator<Item = (&'a str, &'a str, &'a str, &'a str)>,
    ) -> Result<()> {
        let now = super::lock::utc_now();
        self.in_transaction(|tx| {
            tx.execute("DELETE FROM load_plan WHERE target = ?1", [target])?;
            tx.execute(
                "INSERT OR REPLACE INTO load_plans (target, dry_run, planned_at, phase) VALUES (?1, ?2, ?3, ?4)",
                params![target, dry_run, now, phase],
            )?;
            let mut stmt = tx.prepare(
                "INSERT OR REPLACE INTO load_plan (target, entity, golden_id, action, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (entity, golden_id, action, reason) in rows {
                stmt.execute(params![target, entity, golden_id, action, reason])?;
            }
            Ok(())
        })
    }

    /// Whether `target` has a stored plan, and what it was.
    pub fn plan_info(&self, target: &str) -> Result<Option<PlanInfo>> {
        Ok(self
            .query_all(
                "SELECT dry_run, planned_at, phase FROM load_plans WHERE target = ?1",
                [target],
                |r| {
                    Ok(PlanInfo {
                        dry_run: r.get(0)?,
                        planned_at: r.get(1)?,
                        phase: r.get(2)?,
                    })
                },
            )?
            .pop())
    }

    /// `target`'s stored plan, organizations and persons (links apart).
    pub fn stored_plan(&self, target: &str) -> Result<Vec<PlannedRow>> {
        self.query_all(
            "SELECT entity, golden_id, action, reason FROM load_plan WHERE target = ?1
             ORDER BY entity, golden_id",
            [target],
            |r| {
                Ok(PlannedRow {
                    entity: r.get(0)?,
                    golden_id: r.get(1)?,
                    action: r.get(2)?,
                    reason: r.get(3)?,
                })
            },
        )
    }

    /// Golden records by member count: (members, how many).
    pub fn golden_sizes(&self) -> Result<Vec<(i64, i64)>> {
        self.query_all(
            "SELECT members, COUNT(*) FROM golden GROUP BY members ORDER BY members",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// The largest golden records: (golden ID, kind, members, stored record JSON).
    pub fn largest_golden(&self, n: usize) -> Result<Vec<(String, String, i64, String)>> {
        self.query_all(
            "SELECT golden_id, kind, members, record FROM golden WHERE members > 1
             ORDER BY members DESC, golden_id LIMIT ?1",
            [n as i64],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
    }

    /// The steward's decisions, counted by kind: `merge`, `keep_apart`,
    /// `take_out`, `override`, `link`.
    pub fn decision_counts(&self) -> Result<HashMap<String, i64>> {
        let pairs: Vec<(String, i64)> = self.query_all(
            "SELECT decision, COUNT(*) FROM decisions GROUP BY decision
             UNION ALL SELECT 'take_out', COUNT(*) FROM take_outs
             UNION ALL SELECT 'override', COUNT(*) FROM golden_overrides
             UNION ALL SELECT 'link', COUNT(*) FROM link_decisions",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(pairs.into_iter().filter(|(_, n)| *n > 0).collect())
    }

    /// How long each stage last took.
    pub fn stage_seconds(&self) -> Result<Vec<(String, f64)>> {
        self.query_all(
            "SELECT stage, seconds FROM stage_marks WHERE seconds IS NOT NULL ORDER BY stage",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Record how long `stage` took (after [`Workspace::mark_stage`]).
    pub fn record_stage_seconds(&mut self, stage: &str, seconds: f64) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE stage_marks SET seconds = ?2 WHERE stage = ?1",
                params![stage, seconds],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}
