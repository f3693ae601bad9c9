//! Typed reads for status, reports and the later stages.

use super::Workspace;
use crate::error::Result;
use rusqlite::params;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// A row's cells as a number: two versions' rows compared without holding
/// both versions' text.
fn cells_hash(cells: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    cells.hash(&mut h);
    h.finish()
}

/// The current rows are those of each source's latest version.
pub(super) const LATEST_VERSIONS: &str = "SELECT v.id FROM source_versions v
    WHERE v.version = (SELECT MAX(version) FROM source_versions w WHERE w.source_id = v.source_id)";

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TableStatus {
    pub sheet: Option<String>,
    pub profile: String,
    pub header_row: i64,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub rows: i64,
    pub rejects: i64,
    pub blanks: i64,
    /// What ingest warned about this table.
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SourceStatus {
    pub name: String,
    pub path: String,
    pub version: i64,
    pub sha256: String,
    pub ingested_at: String,
    pub tables: Vec<TableStatus>,
    pub skipped_sheets: serde_json::Value,
    pub changes: Option<Changes>,
}

/// What changed between a source's last two versions, by source key.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Changes {
    pub from_version: i64,
    pub added: i64,
    pub changed: i64,
    pub gone: i64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RejectedRow {
    pub source: String,
    pub sheet: Option<String>,
    pub row: i64,
    pub source_key: String,
    pub reason: String,
}

impl RejectedRow {
    /// From a query selecting source, sheet, row number, source key, reason.
    pub(super) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(RejectedRow {
            source: r.get(0)?,
            sheet: r.get(1)?,
            row: r.get(2)?,
            source_key: r.get(3)?,
            reason: r.get(4)?,
        })
    }
}

/// A current, accepted row with what normalize needs to read it.
#[derive(Clone, Debug)]
pub struct CurrentRow {
    pub row_id: i64,
    pub table_id: i64,
    pub source: String,
    pub file: String,
    pub sheet: Option<String>,
    pub row_number: i64,
    pub source_key: String,
    pub kind: String,
    pub cells_json: String,
    pub flags_json: Option<String>,
}

/// Headers and mapping of a current table.
#[derive(Clone, Debug)]
pub struct CurrentTable {
    pub id: i64,
    pub source: String,
    pub headers_json: String,
    pub mapping_json: String,
}

impl Workspace {
    pub fn source_status(&self) -> Result<Vec<SourceStatus>> {
        let heads = self.query_all(
            &format!(
                "SELECT s.name, s.path, v.id, v.version, v.sha256, v.ingested_at, v.skipped_sheets, s.id
                 FROM sources s JOIN source_versions v ON v.source_id = s.id
                 WHERE v.id IN ({LATEST_VERSIONS}) ORDER BY s.name"
            ),
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, i64>(7)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for (name, path, version_id, version, sha256, ingested_at, skipped, source_id) in heads {
            let tables = self.query_all(
                "SELECT sheet, json_extract(mapping, '$.profile'), header_row, encoding, delimiter, row_count, reject_count, blank_count, warnings
                 FROM tables WHERE version_id = ?1 ORDER BY id",
                [version_id],
                |r| {
                    Ok(TableStatus {
                        sheet: r.get(0)?,
                        profile: r.get(1)?,
                        header_row: r.get(2)?,
                        encoding: r.get(3)?,
                        delimiter: r.get(4)?,
                        rows: r.get(5)?,
                        rejects: r.get(6)?,
                        blanks: r.get(7)?,
                        warnings: serde_json::from_str(&r.get::<_, String>(8)?)
                            .unwrap_or_default(),
                    })
                },
            )?;
            let changes = if version > 1 {
                Some(self.changes(source_id, version)?)
            } else {
                None
            };
            out.push(SourceStatus {
                name,
                path,
                version,
                sha256,
                ingested_at,
                tables,
                skipped_sheets: serde_json::from_str(&skipped).unwrap_or(serde_json::Value::Null),
                changes,
            });
        }
        Ok(out)
    }

    /// Rows added, changed and gone between version `version - 1` and `version`.
    fn changes(&self, source_id: i64, version: i64) -> Result<Changes> {
        // Rows keyed by their row number are paired by content: a row inserted
        // at the top is one added, not every row below it changed. Paired here
        // by hash maps, not by a join in SQL: SQLite joined the two versions'
        // rows pair by pair (minutes at 40,000 rows).
        let rows_of = |version: i64| {
            self.query_all(
                "SELECT CASE WHEN r.source_key GLOB '#[0-9]*' OR r.source_key GLOB '*!#[0-9]*'
                        THEN r.cells ELSE r.source_key END, r.cells
                 FROM rows r JOIN tables t ON t.id = r.table_id
                 JOIN source_versions v ON v.id = t.version_id
                 WHERE v.source_id = ?1 AND v.version = ?2",
                params![source_id, version],
                |r| Ok((r.get::<_, String>(0)?, cells_hash(&r.get::<_, String>(1)?))),
            )
        };
        let (new, old) = (rows_of(version)?, rows_of(version - 1)?);
        fn by_key(rows: &[(String, u64)]) -> HashMap<&str, Vec<u64>> {
            let mut m: HashMap<&str, Vec<u64>> = HashMap::new();
            for (key, cells) in rows {
                m.entry(key.as_str()).or_default().push(*cells);
            }
            m
        }
        let (new_keys, old_keys) = (by_key(&new), by_key(&old));
        let missing = |rows: &[(String, u64)], other: &HashMap<&str, Vec<u64>>| {
            rows.iter()
                .filter(|(k, _)| !other.contains_key(k.as_str()))
                .count() as i64
        };
        let changed = new
            .iter()
            .filter_map(|(k, cells)| Some((old_keys.get(k.as_str())?, cells)))
            .map(|(olds, cells)| olds.iter().filter(|o| *o != cells).count() as i64)
            .sum();
        Ok(Changes {
            from_version: version - 1,
            added: missing(&new, &old_keys),
            changed,
            gone: missing(&old, &new_keys),
        })
    }

    /// Rejected rows of the current versions, in source and row order.
    pub fn ingest_rejects(&self, limit: usize) -> Result<Vec<RejectedRow>> {
        self.query_all(
            &format!(
                "SELECT s.name, t.sheet, r.row_number, r.source_key, r.reject FROM rows r
                 JOIN tables t ON t.id = r.table_id JOIN source_versions v ON v.id = t.version_id
                 JOIN sources s ON s.id = v.source_id
                 WHERE r.reject IS NOT NULL AND v.id IN ({LATEST_VERSIONS})
                 ORDER BY s.name, t.id, r.row_number LIMIT ?1"
            ),
            [limit as i64],
            RejectedRow::from_row,
        )
    }

    /// Ingest-time flags of current rows, counted by code.
    pub fn ingest_flag_counts(&self) -> Result<Vec<(String, i64)>> {
        self.query_all(
            &format!(
                "SELECT json_extract(f.value, '$.code') AS code, COUNT(*) FROM rows r
                 JOIN tables t ON t.id = r.table_id, json_each(r.flags) f
                 WHERE r.flags IS NOT NULL AND t.version_id IN ({LATEST_VERSIONS})
                 GROUP BY code ORDER BY code"
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Tables of the current versions, for normalize.
    pub fn current_tables(&self) -> Result<Vec<CurrentTable>> {
        self.query_all(
            &format!(
                "SELECT t.id, s.name, t.headers, t.mapping FROM tables t
                 JOIN source_versions v ON v.id = t.version_id JOIN sources s ON s.id = v.source_id
                 WHERE v.id IN ({LATEST_VERSIONS}) ORDER BY s.name, t.id"
            ),
            [],
            |r| {
                Ok(CurrentTable {
                    id: r.get(0)?,
                    source: r.get(1)?,
                    headers_json: r.get(2)?,
                    mapping_json: r.get(3)?,
                })
            },
        )
    }

    /// Accepted rows of one current table.
    pub fn accepted_count(&self, table_id: i64) -> Result<u64> {
        let (first, last) = self.row_range(table_id)?;
        self.conn()
            .query_row(
                "SELECT COUNT(*) FROM rows WHERE id BETWEEN ?2 AND ?3 AND table_id = ?1 AND reject IS NULL",
                params![table_id, first, last],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(|e| self.err(e))
    }

    /// A table's rows are one rowid range (see migration 5): reads use it directly.
    fn row_range(&self, table_id: i64) -> Result<(i64, i64)> {
        let (first, last): (Option<i64>, Option<i64>) = self
            .conn()
            .query_row(
                "SELECT first_row, last_row FROM tables WHERE id = ?1",
                [table_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(e))?;
        Ok((first.unwrap_or(0), last.unwrap_or(-1)))
    }

    /// Up to `limit` accepted rows of one current table after row id `after`, in row order.
    pub fn accepted_rows(
        &self,
        table_id: i64,
        after: i64,
        limit: usize,
    ) -> Result<Vec<CurrentRow>> {
        let (first, last) = self.row_range(table_id)?;
        self.query_all("SELECT r.id, r.table_id, s.name, s.path, t.sheet, r.row_number, r.source_key, r.kind, r.cells, r.flags
                 FROM rows r JOIN tables t ON t.id = r.table_id JOIN source_versions v ON v.id = t.version_id
                 JOIN sources s ON s.id = v.source_id
                 WHERE r.id BETWEEN ?2 AND ?3 AND r.table_id = ?1 AND r.reject IS NULL ORDER BY r.id LIMIT ?4",
                 params![table_id, first.max(after + 1), last, limit as i64], |r| {
                Ok(CurrentRow {
                    row_id: r.get(0)?,
                    table_id: r.get(1)?,
                    source: r.get(2)?,
                    file: r.get(3)?,
                    sheet: r.get(4)?,
                    row_number: r.get(5)?,
                    source_key: r.get(6)?,
                    kind: r.get(7)?,
                    cells_json: r.get(8)?,
                    flags_json: r.get(9)?,
                })
            },)
    }
}
