//! Sources over time: retiring the ones the config no longer names (their rows
//! leave the current data, their history stays), and the ones that gave nothing usable.

use super::Workspace;
use super::queries::LATEST_VERSIONS;
use crate::error::Result;

/// The `sha256` of a version that retires a source: no file has this digest.
pub const RETIRED: &str = "retired";

/// A current source table nothing could be read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Unusable {
    pub source: String,
    pub sheet: Option<String>,
    pub reason: String,
}

impl Workspace {
    /// Names of the sources whose latest version is not a retirement.
    pub fn active_sources(&self) -> Result<Vec<String>> {
        self.query_all(
            &format!(
                "SELECT s.name FROM sources s JOIN source_versions v ON v.source_id = s.id
                 WHERE v.id IN ({LATEST_VERSIONS}) AND v.sha256 <> ?1 ORDER BY s.name"
            ),
            [RETIRED],
            |r| r.get(0),
        )
    }

    /// Retire a source: a new, empty version, so its rows leave the current
    /// data while every earlier version stays in the workspace.
    pub fn retire_source(&mut self, name: &str) -> Result<i64> {
        let path: String = self
            .conn()
            .query_row("SELECT path FROM sources WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))?;
        let writer = self.begin_version(name, &path, RETIRED, 0)?;
        let version = writer.version;
        writer.commit()?;
        Ok(version)
    }

    /// Current tables whose every row was rejected, or whose header names no
    /// column any profile knows (a wrong encoding reads as garbage headers).
    pub fn unusable_tables(&self) -> Result<Vec<Unusable>> {
        self.query_all(
            &format!(
                "SELECT s.name, t.sheet, t.row_count, t.reject_count, t.profile_score,
                        (SELECT r.reject FROM rows r WHERE r.id BETWEEN t.first_row AND t.last_row
                           AND r.table_id = t.id AND r.reject IS NOT NULL ORDER BY r.id LIMIT 1)
                 FROM tables t JOIN source_versions v ON v.id = t.version_id JOIN sources s ON s.id = v.source_id
                 WHERE v.id IN ({LATEST_VERSIONS}) ORDER BY s.name, t.id"
            ),
            [],
            |r| {
                let (rows, rejects, score): (i64, i64, f64) = (r.get(2)?, r.get(3)?, r.get(4)?);
                let first: Option<String> = r.get(5)?;
                let (source, sheet): (String, Option<String>) = (r.get(0)?, r.get(1)?);
                let reason = if rows > 0 && rejects == rows {
                    Some(format!(
                        "all {rows} rows rejected (the first: {})",
                        first.unwrap_or_default()
                    ))
                } else if score <= 0.0 {
                    Some(
                        "no column header is one any profile knows: a wrong encoding or header row? check `golive inspect`"
                            .to_string(),
                    )
                } else {
                    None
                };
                Ok(reason.map(|reason| Unusable {
                    source,
                    sheet,
                    reason,
                }))
            },
        )
        .map(|v| v.into_iter().flatten().collect())
    }
}
