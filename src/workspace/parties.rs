//! The normalize stage's output: one party per accepted row.

use super::Workspace;
use super::queries::RejectedRow;
use crate::error::Result;
use crate::model::Party;
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeMap;
use std::path::Path;

/// Writes the parties of one normalize run in one transaction, table by
/// table and page by page; reads of the workspace go through it meanwhile.
pub struct PartyWriter<'a> {
    open: super::Open<'a>,
    /// The table being written.
    table: i64,
    /// (table, code, field) → parties flagged.
    flags: BTreeMap<(i64, String, String), i64>,
}

impl std::ops::Deref for PartyWriter<'_> {
    type Target = Workspace;
    fn deref(&self) -> &Workspace {
        self.open.ws
    }
}

/// A party for [`PartyWriter::add`], its JSON made on the caller's thread (the
/// writer's single thread only inserts).
pub struct NewParty {
    pub party: Party,
    pub json: String,
    /// Its quality flags, also stored on their own (the report lists them).
    pub flags: String,
    /// Why normalize rejected the row, if it did.
    pub reject: Option<String>,
}

impl NewParty {
    pub fn new(party: Party, reject: Option<String>) -> Self {
        let json = serde_json::to_string(&party).unwrap_or_default();
        let flags = serde_json::to_string(&party.flags).unwrap_or_default();
        NewParty {
            party,
            json,
            flags,
            reject,
        }
    }
}

impl PartyWriter<'_> {
    /// The parties that follow are of `table_id`.
    pub fn begin_table(&mut self, table_id: i64) {
        self.table = table_id;
    }

    pub fn add(&mut self, parties: &[NewParty]) -> Result<()> {
        let ws = self.open.ws;
        let mut stmt = ws
            .conn
            .prepare_cached("INSERT INTO parties (row_id, source, source_key, kind, party, reject, flags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            .map_err(|e| ws.err(e))?;
        for NewParty {
            party: p,
            json,
            flags,
            reject,
        } in parties
        {
            stmt.execute(params![
                p.id,
                p.provenance.source,
                p.provenance.source_key,
                p.kind.as_str(),
                json,
                reject,
                flags
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
                for (code, field) in seen {
                    *self.flags.entry((self.table, code, field)).or_default() += 1;
                }
            }
        }
        Ok(())
    }

    /// `table_id` is done, normalized with `inputs` (see [`Workspace::normalized_with`]).
    pub fn end_table(&mut self, table_id: i64, inputs: Option<&str>) -> Result<()> {
        let ws = self.open.ws;
        if let Some(inputs) = inputs {
            ws.conn
                .execute(
                    "INSERT OR REPLACE INTO normalized_tables (table_id, inputs) VALUES (?1, ?2)",
                    params![table_id, inputs],
                )
                .map_err(|e| ws.err(e))?;
        }
        Ok(())
    }

    pub fn commit(self) -> Result<()> {
        let ws = self.open.ws;
        {
            let mut stmt = ws
                .conn
                .prepare(
                    "INSERT INTO party_flags (table_id, code, field, count) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(|e| ws.err(e))?;
            for ((table, code, field), n) in &self.flags {
                stmt.execute(params![table, code, field, n])
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

/// Every accepted party, in party order.
fn parties_in_order() -> String {
    format!("SELECT p.party FROM parties p WHERE p.reject IS NULL ORDER BY {PARTY_ORDER}")
}

impl Workspace {
    /// Start replacing every party but those of the tables in `keep`
    /// (normalize is re-runnable): nothing is visible until
    /// [`PartyWriter::commit`]; dropping the writer rolls back.
    pub fn party_writer(&mut self, keep: &[i64]) -> Result<PartyWriter<'_>> {
        let kept: Vec<String> = keep.iter().map(i64::to_string).collect();
        let kept = kept.join(",");
        Ok(PartyWriter {
            open: super::Open::begin(
                self,
                &format!(
                    "DELETE FROM parties WHERE row_id NOT IN (SELECT id FROM rows WHERE table_id IN ({kept}));
                     DELETE FROM party_flags WHERE table_id NOT IN ({kept});
                     DELETE FROM normalized_tables WHERE table_id NOT IN ({kept});"
                ),
            )?,
            table: 0,
            flags: BTreeMap::new(),
        })
    }

    /// What `table_id` was last normalized with, while every accepted row of
    /// it still has its party (else `None`: it is normalized again).
    pub fn normalized_with(&self, table_id: i64) -> Result<Option<String>> {
        let inputs: Option<String> = self
            .conn
            .query_row(
                "SELECT inputs FROM normalized_tables WHERE table_id = ?1",
                [table_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if inputs.is_none() {
            return Ok(None);
        }
        let (with_party, accepted): (i64, i64) = self
            .conn
            .query_row(
                "SELECT COUNT(p.row_id), COUNT(*) FROM rows r LEFT JOIN parties p ON p.row_id = r.id
                 WHERE r.table_id = ?1 AND r.reject IS NULL",
                [table_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(e))?;
        Ok(inputs.filter(|_| with_party == accepted))
    }

    /// (parties, rejected at normalize) of a table's stored parties.
    pub fn table_party_counts(&self, table_id: i64) -> Result<(u64, u64)> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FILTER (WHERE p.reject IS NULL), COUNT(p.reject) FROM parties p
                 JOIN rows r ON r.id = p.row_id WHERE r.table_id = ?1",
                [table_id],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )
            .map_err(|e| self.err(e))
    }

    /// Accepted parties in row order, each parsed as it is read (the JSON
    /// of a million parties never sits in memory at once).
    pub fn load_parties(&self) -> Result<Vec<Party>> {
        let mut parties = Vec::new();
        self.party_pages(20_000, |page| {
            parties.extend(page);
            Ok(())
        })?;
        Ok(parties)
    }

    /// Accepted parties in row order, `page` at a time (parsed on every core),
    /// so a stage can keep what it needs of them and drop the rest.
    pub fn party_pages(&self, page: usize, f: impl FnMut(Vec<Party>) -> Result<()>) -> Result<()> {
        let path = &self.path;
        self.query_pages_made(
            &parties_in_order(),
            page,
            |r| r.get::<_, String>(0),
            |json| parse_parties(path, &json),
            f,
        )
    }

    /// The stored JSON of these row IDs' parties, in the order given (read
    /// them with [`parse_parties`]).
    pub fn party_json_by_row(&self, ids: &[i64]) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT party FROM parties WHERE row_id = ?1")
            .map_err(|e| self.err(e))?;
        ids.iter()
            .map(|id| stmt.query_row([id], |r| r.get(0)).map_err(|e| self.err(e)))
            .collect()
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
        let flags = q(
            "SELECT code, field, SUM(count) FROM party_flags GROUP BY code, field ORDER BY code, field",
        )?;
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

/// Stored party JSON of the workspace at `path`, parsed on every core.
pub fn parse_parties(path: &Path, json: &[String]) -> Result<Vec<Party>> {
    use rayon::prelude::*;
    json.par_iter()
        .map(|j| {
            serde_json::from_str(j).map_err(|e| {
                crate::Error::bad_input(
                    path,
                    format!("a stored party is unreadable ({e}): run `golive normalize` again"),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sorting a million parties' JSON instead (temp_store is MEMORY) was
    /// 1.6 GB of the match stage's peak.
    #[test]
    fn parties_are_read_in_order_through_the_index_without_a_sort() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = Workspace::open(tmp.path()).unwrap();
        let plan: Vec<String> = ws
            .query_all(
                &format!("EXPLAIN QUERY PLAN {}", parties_in_order()),
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(
            plan.iter().any(|step| step.contains("parties_in_order")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.contains("TEMP B-TREE")),
            "{plan:?}"
        );
    }

    /// Migration 13 gives the parties of an older workspace their flags.
    #[test]
    fn an_older_workspace_gets_its_parties_flags_column_filled() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join(".golive");
        std::fs::create_dir_all(&db).unwrap();
        {
            let mut conn = rusqlite::Connection::open(db.join("workspace.db")).unwrap();
            // A party without its row: only its flags matter here.
            conn.pragma_update(None, "foreign_keys", false).unwrap();
            let tx = conn.transaction().unwrap();
            for sql in &super::super::schema::MIGRATIONS[..12] {
                tx.execute_batch(sql).unwrap();
            }
            tx.execute_batch(
                r#"
                INSERT INTO parties (row_id, source, source_key, kind, party)
                VALUES (1, 's', 'k', 'organization', '{"flags":[{"code":"phone_invalid","field":"phone","detail":"x"}]}');
                PRAGMA user_version = 12;"#,
            )
            .unwrap();
            tx.commit().unwrap();
        }
        let ws = Workspace::open(tmp.path()).unwrap();
        let flags: String = ws
            .conn
            .query_row("SELECT flags FROM parties WHERE row_id = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(
            flags,
            r#"[{"code":"phone_invalid","field":"phone","detail":"x"}]"#
        );
    }
}
