//! Counts for the accounting, each taken from the stored rows themselves
//! (never from a stage's own counters), and the rows a gap is made of.

use super::Workspace;
use super::matches::{ROW_REF_SELECT, RowRef};
use super::queries::LATEST_VERSIONS;
use crate::error::Result;
use rusqlite::{OptionalExtension, params};

/// One current table, counted.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct TableTally {
    pub source: String,
    pub sheet: Option<String>,
    /// Physical data rows the reader met; `None` for tables ingested before
    /// golive counted them.
    pub physical: Option<i64>,
    pub blank: i64,
    /// Stored rows of the table's own rows (not second parties).
    pub main_rows: i64,
    pub ingest_rejects: i64,
    pub normalize_rejects: i64,
    pub parties: i64,
    /// Rows read from a row's second-party columns, stored as rows of their own.
    pub second_rows: i64,
    pub second_rejects: i64,
    pub second_parties: i64,
    /// Accepted rows with no party (accepted or rejected) at all.
    pub without_party: i64,
}

/// The match stage's side of the accounting.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct MatchTally {
    /// Accepted parties.
    pub parties: i64,
    /// Sum of the stored golden records' member counts.
    pub golden_members: i64,
    /// Parties with a golden record.
    pub clustered: i64,
}

const SECOND_PARTY_JSON: &str = "\"second_party_in_row\"";

impl Workspace {
    /// Every current table, counted from its stored rows and parties.
    pub fn table_tallies(&self) -> Result<Vec<TableTally>> {
        self.query_all(
            &format!(
                "WITH cur AS (
                   SELECT r.id, r.table_id, r.reject,
                          (r.flags IS NOT NULL AND instr(r.flags, ?1) > 0) AS second
                   FROM rows r JOIN tables t ON t.id = r.table_id
                   WHERE t.version_id IN ({LATEST_VERSIONS}) AND r.id BETWEEN t.first_row AND t.last_row),
                 per AS (
                   SELECT c.table_id,
                     SUM(NOT c.second) AS main_rows,
                     SUM(NOT c.second AND c.reject IS NOT NULL) AS ingest_rejects,
                     SUM(NOT c.second AND p.reject IS NOT NULL) AS normalize_rejects,
                     SUM(NOT c.second AND p.row_id IS NOT NULL AND p.reject IS NULL) AS parties,
                     SUM(c.second) AS second_rows,
                     SUM(c.second AND (c.reject IS NOT NULL OR p.reject IS NOT NULL)) AS second_rejects,
                     SUM(c.second AND p.row_id IS NOT NULL AND p.reject IS NULL) AS second_parties,
                     SUM(c.reject IS NULL AND p.row_id IS NULL) AS without_party
                   FROM cur c LEFT JOIN parties p ON p.row_id = c.id GROUP BY c.table_id)
                 SELECT s.name, t.sheet, t.physical_rows, t.blank_count,
                        COALESCE(per.main_rows, 0), COALESCE(per.ingest_rejects, 0),
                        COALESCE(per.normalize_rejects, 0), COALESCE(per.parties, 0),
                        COALESCE(per.second_rows, 0), COALESCE(per.second_rejects, 0),
                        COALESCE(per.second_parties, 0), COALESCE(per.without_party, 0)
                 FROM tables t JOIN source_versions v ON v.id = t.version_id
                 JOIN sources s ON s.id = v.source_id LEFT JOIN per ON per.table_id = t.id
                 WHERE v.id IN ({LATEST_VERSIONS}) ORDER BY s.name, t.id"
            ),
            [SECOND_PARTY_JSON],
            |r| {
                Ok(TableTally {
                    source: r.get(0)?,
                    sheet: r.get(1)?,
                    physical: r.get(2)?,
                    blank: r.get(3)?,
                    main_rows: r.get(4)?,
                    ingest_rejects: r.get(5)?,
                    normalize_rejects: r.get(6)?,
                    parties: r.get(7)?,
                    second_rows: r.get(8)?,
                    second_rejects: r.get(9)?,
                    second_parties: r.get(10)?,
                    without_party: r.get(11)?,
                })
            },
        )
    }

    /// Accepted current rows that have no party, in row order.
    pub fn rows_missing_party(&self, limit: usize) -> Result<Vec<RowRef>> {
        self.query_all(
            &format!(
                "{ROW_REF_SELECT} WHERE v.id IN ({LATEST_VERSIONS}) AND r.id BETWEEN t.first_row AND t.last_row
                   AND r.reject IS NULL AND NOT EXISTS (SELECT 1 FROM parties p WHERE p.row_id = r.id)
                 ORDER BY r.id LIMIT ?1"
            ),
            [limit as i64],
            RowRef::from_row,
        )
    }

    pub fn match_tally(&self) -> Result<MatchTally> {
        self.conn()
            .query_row(
                "SELECT (SELECT COUNT(*) FROM parties WHERE reject IS NULL),
                        (SELECT COALESCE(SUM(members), 0) FROM golden),
                        (SELECT COUNT(*) FROM clusters c JOIN parties p ON p.row_id = c.row_id
                          WHERE p.reject IS NULL)",
                [],
                |r| {
                    Ok(MatchTally {
                        parties: r.get(0)?,
                        golden_members: r.get(1)?,
                        clustered: r.get(2)?,
                    })
                },
            )
            .map_err(|e| self.err(e))
    }

    /// Accepted parties without a golden record, in row order.
    pub fn parties_without_golden(&self, limit: usize) -> Result<Vec<RowRef>> {
        self.query_all(
            &format!("{ROW_REF_SELECT} JOIN parties p ON p.row_id = r.id
             WHERE p.reject IS NULL AND NOT EXISTS (SELECT 1 FROM clusters c WHERE c.row_id = p.row_id)
             ORDER BY r.id LIMIT ?1"),
            [limit as i64],
            RowRef::from_row,
        )
    }

    /// Record that `stage` finished, and the fingerprint of what it read
    /// (`None`: a stage `golive run` always runs again).
    pub fn mark_stage(&mut self, stage: &str, inputs: Option<&str>) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO stage_marks (stage, finished_at, last_version, inputs)
                 VALUES (?1, datetime('now'), (SELECT COALESCE(MAX(id), 0) FROM source_versions), ?2)
                 ON CONFLICT (stage) DO UPDATE SET finished_at = excluded.finished_at,
                   last_version = excluded.last_version, inputs = excluded.inputs",
                params![stage, inputs],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Forget what `stage` last read, as it starts: a stage cut off midway is
    /// never taken for done.
    pub fn forget_stage_inputs(&mut self, stage: &str) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE stage_marks SET inputs = NULL WHERE stage = ?1",
                [stage],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The fingerprint of what `stage` read when it last finished.
    pub fn stage_inputs(&self, stage: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT inputs FROM stage_marks WHERE stage = ?1",
                [stage],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .flatten())
    }

    /// The latest stored source version (0: none).
    pub fn newest_version_id(&self) -> Result<i64> {
        self.conn()
            .query_row(
                "SELECT COALESCE(MAX(id), 0) FROM source_versions",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// A digest of every steward decision (pairs, members taken out, golden
    /// values, person links): it changes with each `review import`.
    pub fn steward_digest(&self) -> Result<String> {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for table in [
            "decisions",
            "take_outs",
            "golden_overrides",
            "link_decisions",
        ] {
            let mut rows: Vec<String> =
                self.query_all(&format!("SELECT * FROM {table}"), [], |r| {
                    let mut row = String::new();
                    for i in 0..r.as_ref().column_count() {
                        row.push_str(&format!("{:?}\u{1f}", r.get_ref(i)?));
                    }
                    Ok(row)
                })?;
            rows.sort_unstable();
            h.update(table.as_bytes());
            for row in rows {
                h.update(row.as_bytes());
                h.update([0x1e]);
            }
        }
        Ok(h.finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect())
    }

    /// Whether a stage finished after the last source version was stored.
    pub fn stage_is_current(&self, stage: &str) -> Result<bool> {
        let mark: Option<i64> = self
            .conn()
            .query_row(
                "SELECT last_version FROM stage_marks WHERE stage = ?1",
                [stage],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let latest = self.newest_version_id()?;
        Ok(mark.is_some_and(|m| m >= latest))
    }
}
