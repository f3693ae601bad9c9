//! The golden ID each member identity had in the last match, so the next match
//! can keep IDs with their entities (see `matching::golden_id`). Its own table,
//! created on first use.

use super::Workspace;
use crate::error::Result;
use rusqlite::params;
use std::collections::HashMap;

const CREATE: &str = "CREATE TABLE IF NOT EXISTS golden_keys (
    member_key TEXT PRIMARY KEY,
    golden_id TEXT NOT NULL
)";

impl Workspace {
    /// Member identity → golden ID, as the last match left them.
    pub fn golden_keys(&self) -> Result<HashMap<String, String>> {
        self.conn().execute(CREATE, []).map_err(|e| self.err(e))?;
        Ok(self
            .query_all("SELECT member_key, golden_id FROM golden_keys", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .into_iter()
            .collect())
    }

    pub fn replace_golden_keys<'a>(
        &mut self,
        keys: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<()> {
        self.in_transaction(|tx| {
            tx.execute(CREATE, [])?;
            tx.execute("DELETE FROM golden_keys", [])?;
            let mut stmt = tx.prepare(
                "INSERT OR REPLACE INTO golden_keys (member_key, golden_id) VALUES (?1, ?2)",
            )?;
            for (k, g) in keys {
                stmt.execute(params![k, g])?;
            }
            Ok(())
        })
    }

    /// Current rows keyed only by their row number, per source: their keys
    /// move when a row is inserted above.
    pub fn row_number_keys(&self) -> Result<Vec<(String, i64)>> {
        self.query_all(
            &format!(
                "SELECT s.name, COUNT(*) FROM rows r JOIN tables t ON t.id = r.table_id
                 JOIN source_versions v ON v.id = t.version_id JOIN sources s ON s.id = v.source_id
                 WHERE v.id IN ({}) AND (r.source_key GLOB '#[0-9]*' OR r.source_key GLOB '*!#[0-9]*')
                 GROUP BY s.name ORDER BY s.name",
                super::queries::LATEST_VERSIONS
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }
}
