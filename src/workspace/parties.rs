//! The normalize stage's output: one party per accepted row.

use super::Workspace;
use super::queries::RejectedRow;
use crate::error::Result;
use crate::model::Party;
use rusqlite::params;
use std::collections::BTreeMap;

/// Writes the parties of one normalize run in one transaction, page by page;
/// reads of the workspace go through it meanwhile.
pub struct PartyWriter<'a> {
    open: super::Open<'a>,
    /// (code, field) → parties flagged.
    flags: BTreeMap<(String, String), i64>,
}

impl std::ops::Deref for PartyWriter<'_> {
    type Target = Workspace;
    fn deref(&self) -> &Workspace {
        self.open.ws
    }
}

impl PartyWriter<'_> {
    pub fn add(&mut self, parties: &[(Party, Option<String>)]) -> Result<()> {
        let ws = self.open.ws;
        let mut stmt = ws
            .conn
            .prepare_cached("INSERT INTO parties (row_id, source, source_key, kind, party, reject) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .map_err(|e| ws.err(e))?;
        for (p, reject) in parties {
            let json = serde_json::to_string(p).unwrap_or_default();
            stmt.execute(params![
                p.id,
                p.provenance.source,
                p.provenance.source_key,
                p.kind.as_str(),
                json,
                reject
            ])
            .map_err(|e| ws.err(e))?;
            if reject.is_none() {
                let mut seen: Vec<(String, String)> = p
                    .flags
                    .iter()
                    .map(|f| {
                        (
                            f.code.clone(),
                            f.field.map(|x| x.to_string()).unwrap_or_default(),
                        )
                    })
                    .collect();
                seen.sort();
                seen.dedup();
                for key in seen {
                    *self.flags.entry(key).or_default() += 1;
                }
            }
        }
        Ok(())
    }

    pub fn commit(self) -> Result<()> {
        let ws = self.open.ws;
        {
            let mut stmt = ws
                .conn
                .prepare("INSERT INTO party_flags (code, field, count) VALUES (?1, ?2, ?3)")
                .map_err(|e| ws.err(e))?;
            for ((code, field), n) in &self.flags {
                stmt.execute(params![code, field, n])
                    .map_err(|e| ws.err(e))?;
            }
        }
        self.open.commit()
    }
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct PartySummary {
    pub by_kind: Vec<(String, i64)>,
    pub rejects: i64,
    /// (flag code, field, parties flagged)
    pub flags: Vec<(String, String, i64)>,
}

/// The order parties are matched, linked and written in: by source name, then
/// by row within the source's latest version. Not by row ID alone: a
/// re-ingested source gets new row IDs after the unchanged sources' rows, so
/// that order would depend on which files changed in earlier runs, and a
/// workspace with history would match and write in another order than a fresh
/// run of the same input.
/// Columns of `parties p`.
pub(super) const PARTY_ORDER: &str = "p.source, p.row_id";

impl Workspace {
    /// Start replacing every party (normalize is re-runnable): nothing is
    /// visible until [`PartyWriter::commit`]; dropping the writer rolls back.
    pub fn party_writer(&mut self) -> Result<PartyWriter<'_>> {
        Ok(PartyWriter {
            open: super::Open::begin(self, "DELETE FROM parties; DELETE FROM party_flags;")?,
            flags: BTreeMap::new(),
        })
    }

    /// Accepted parties in row order, each parsed as it is read (the JSON
    /// of a million parties never sits in memory at once).
    pub fn load_parties(&self) -> Result<Vec<Party>> {
        let unreadable = |e: String| {
            crate::Error::bad_input(
                &self.path,
                format!("a stored party is unreadable ({e}): run `golive normalize` again"),
            )
        };
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT p.party FROM parties p WHERE p.reject IS NULL ORDER BY {PARTY_ORDER}"
            ))
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut parties = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let json = row
                .get_ref(0)
                .and_then(|v| v.as_str().map_err(Into::into))
                .map_err(|e| self.err(e))?;
            parties.push(serde_json::from_str(json).map_err(|e| unreadable(e.to_string()))?);
        }
        Ok(parties)
    }

    pub fn party_summary(&self) -> Result<PartySummary> {
        let q = |sql: &str| -> Result<Vec<(String, String, i64)>> {
            self.query_all(sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        };
        let by_kind = q("SELECT kind, '', COUNT(*) FROM parties WHERE reject IS NULL GROUP BY kind ORDER BY kind")?
            .into_iter()
            .map(|(k, _, n)| (k, n))
            .collect();
        let rejects = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM parties WHERE reject IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        let flags = q("SELECT code, field, count FROM party_flags ORDER BY code, field")?;
        Ok(PartySummary {
            by_kind,
            rejects,
            flags,
        })
    }

    /// Accepted current rows that have no party yet: normalize is out of date.
    pub fn rows_without_party(&self) -> Result<i64> {
        self.conn
            .query_row(
                &format!(
                    "SELECT COUNT(*) FROM rows r JOIN tables t ON t.id = r.table_id
                     WHERE r.reject IS NULL AND t.version_id IN ({})
                     AND NOT EXISTS (SELECT 1 FROM parties p WHERE p.row_id = r.id)",
                    super::queries::LATEST_VERSIONS
                ),
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    pub fn normalize_rejects(&self, limit: usize) -> Result<Vec<RejectedRow>> {
        self.query_all(
            "SELECT p.source, t.sheet, r.row_number, p.source_key, p.reject FROM parties p
                 JOIN rows r ON r.id = p.row_id JOIN tables t ON t.id = r.table_id
                 WHERE p.reject IS NOT NULL ORDER BY p.source, p.row_id LIMIT ?1",
            [limit as i64],
            RejectedRow::from_row,
        )
    }
}
