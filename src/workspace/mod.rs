//! The SQLite workspace at `DIR/.golive/workspace.db`: every stage's output,
//! behind typed reads and writes.

mod schema;

use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::path::{Path, PathBuf};

pub struct Workspace {
    conn: Connection,
    path: PathBuf,
}

/// The latest stored version of a source.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionInfo {
    pub id: i64,
    pub version: i64,
    pub sha256: String,
}

/// A table being written: header facts known before the rows are read.
#[derive(Clone, Debug)]
pub struct NewTable<'a> {
    pub sheet: Option<&'a str>,
    pub encoding: Option<&'a str>,
    pub delimiter: Option<&'a str>,
    pub header_row: u64,
    pub headers: &'a [String],
    pub mapping_json: &'a str,
    pub profile_score: f64,
    pub warnings: &'a [String],
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableCounts {
    pub rows: u64,
    pub rejects: u64,
    pub blanks: u64,
    /// Physical data rows the reader met (blank ones included), counted apart
    /// from the rows stored.
    pub physical: u64,
}

/// One stored row.
#[derive(Clone, Debug)]
pub struct StoredRow<'a> {
    pub row_number: u64,
    pub source_key: &'a str,
    pub kind: &'a str,
    pub cells_json: &'a str,
    pub flags_json: Option<&'a str>,
    pub reject: Option<&'a str>,
}

impl Workspace {
    /// Open (creating if needed) the workspace of a project and bring its schema up to date.
    pub fn open(project_dir: &Path) -> Result<Self> {
        let dir = project_dir.join(".golive");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join("workspace.db");
        let conn = Connection::open(&path).map_err(|e| Error::Workspace {
            path: path.clone(),
            source: e,
        })?;
        let mut ws = Workspace { conn, path };
        ws.init().map_err(|e| ws.err(e))?;
        Ok(ws)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn err(&self, source: rusqlite::Error) -> Error {
        Error::Workspace {
            path: self.path.clone(),
            source,
        }
    }

    fn init(&mut self) -> rusqlite::Result<()> {
        // Larger pages: rows are a few hundred bytes of JSON each (takes effect
        // for a new workspace only).
        self.conn.pragma_update(None, "page_size", 16_384)?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        // Ingest writes a million rows in one transaction: keep them in memory.
        self.conn.pragma_update(None, "cache_size", -262_144)?;
        self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        let current: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        let current = usize::try_from(current).unwrap_or(usize::MAX);
        if current > schema::MIGRATIONS.len() {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "schema version {current} is newer than this golive knows ({}); upgrade golive",
                schema::MIGRATIONS.len()
            )));
        }
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(current) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    }

    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    pub fn latest_version(&self, source: &str) -> Result<Option<VersionInfo>> {
        self.conn
            .query_row(
                "SELECT v.id, v.version, v.sha256 FROM source_versions v JOIN sources s ON s.id = v.source_id
                 WHERE s.name = ?1 ORDER BY v.version DESC LIMIT 1",
                [source],
                |r| Ok(VersionInfo { id: r.get(0)?, version: r.get(1)?, sha256: r.get(2)? }),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Start writing a new version of a source. Nothing is visible until
    /// [`IngestWriter::commit`]; dropping the writer rolls everything back.
    pub fn begin_version(
        &mut self,
        source: &str,
        rel_path: &str,
        sha256: &str,
        size: u64,
    ) -> Result<IngestWriter<'_>> {
        let path = self.path.clone();
        let wrap = |e| Error::Workspace {
            path: path.clone(),
            source: e,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        tx.execute(
            "INSERT INTO sources (name, path) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET path = excluded.path",
            params![source, rel_path],
        )
        .map_err(wrap)?;
        let source_id: i64 = tx
            .query_row("SELECT id FROM sources WHERE name = ?1", [source], |r| {
                r.get(0)
            })
            .map_err(wrap)?;
        let version: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM source_versions WHERE source_id = ?1",
                [source_id],
                |r| r.get(0),
            )
            .map_err(wrap)?;
        tx.execute(
            "INSERT INTO source_versions (source_id, version, sha256, size, ingested_at) VALUES (?1, ?2, ?3, ?4, datetime('now'))",
            params![source_id, version, sha256, size as i64],
        )
        .map_err(wrap)?;
        let version_id = tx.last_insert_rowid();
        Ok(IngestWriter {
            tx,
            path: self.path.clone(),
            version_id,
            version,
            range: None,
        })
    }

    /// Run `f` in one transaction: committed if it succeeds, rolled back if not.
    pub(crate) fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let run = |conn: &mut Connection| {
            let tx = conn.transaction()?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        };
        run(&mut self.conn).map_err(|e| self.err(e))
    }

    /// Every row of a query, mapped.
    pub(crate) fn query_all<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        stmt.query_map(params, f)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))
    }

    /// As [`Workspace::query_all`], `page` rows at a time: a table too large
    /// to hold is handed to `f` in pieces.
    pub(crate) fn query_pages<T>(
        &self,
        sql: &str,
        page: usize,
        mut row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
        mut f: impl FnMut(Vec<T>) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut batch = Vec::with_capacity(page);
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            batch.push(row(r).map_err(|e| self.err(e))?);
            if batch.len() == page {
                f(std::mem::take(&mut batch))?;
            }
        }
        if !batch.is_empty() {
            f(batch)?;
        }
        Ok(())
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// An open write transaction on the workspace's connection that reads can
/// share (rusqlite's `Transaction` needs `&mut`): `sql` opens it, [`Open::commit`]
/// ends it, dropping it uncommitted rolls back.
pub(crate) struct Open<'a> {
    pub(crate) ws: &'a Workspace,
    done: bool,
}

impl<'a> Open<'a> {
    pub(crate) fn begin(ws: &'a Workspace, sql: &str) -> Result<Self> {
        ws.conn
            .execute_batch(&format!("BEGIN IMMEDIATE; {sql}"))
            .map_err(|e| ws.err(e))?;
        Ok(Open { ws, done: false })
    }

    pub(crate) fn commit(mut self) -> Result<()> {
        self.ws
            .conn
            .execute_batch("COMMIT")
            .map_err(|e| self.ws.err(e))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Open<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.ws.conn.execute_batch("ROLLBACK");
        }
    }
}

/// Writes one source version in one transaction: a fatal error leaves the
/// workspace as it was.
pub struct IngestWriter<'a> {
    tx: Transaction<'a>,
    path: PathBuf,
    pub version_id: i64,
    pub version: i64,
    /// Rowids of the first and last row of the table being written.
    range: Option<(i64, i64)>,
}

impl IngestWriter<'_> {
    fn err(&self, source: rusqlite::Error) -> Error {
        Error::Workspace {
            path: self.path.clone(),
            source,
        }
    }

    pub fn add_table(&mut self, t: &NewTable) -> Result<i64> {
        let headers = serde_json::to_string(t.headers).unwrap_or_default();
        let warnings = serde_json::to_string(t.warnings).unwrap_or_default();
        self.tx
            .execute(
                "INSERT INTO tables (version_id, sheet, encoding, delimiter, header_row, headers, mapping, profile_score, warnings)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    self.version_id,
                    t.sheet,
                    t.encoding,
                    t.delimiter,
                    t.header_row as i64,
                    headers,
                    t.mapping_json,
                    t.profile_score,
                    warnings
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Insert a batch of rows with one prepared statement.
    pub fn add_rows<'r>(
        &mut self,
        table_id: i64,
        rows: impl IntoIterator<Item = StoredRow<'r>>,
    ) -> Result<()> {
        let wrap = |e| Error::Workspace {
            path: self.path.clone(),
            source: e,
        };
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO rows (table_id, row_number, source_key, kind, cells, flags, reject) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(wrap)?;
        for row in rows {
            stmt.execute(params![
                table_id,
                row.row_number as i64,
                row.source_key,
                row.kind,
                row.cells_json,
                row.flags_json,
                row.reject
            ])
            .map_err(wrap)?;
            let id = self.tx.last_insert_rowid();
            self.range = Some(self.range.map_or((id, id), |(first, _)| (first, id)));
        }
        Ok(())
    }

    pub fn finish_table(&mut self, table_id: i64, counts: &TableCounts) -> Result<()> {
        self.tx
            .execute(
                "UPDATE tables SET row_count = ?2, reject_count = ?3, blank_count = ?4, first_row = ?5, last_row = ?6,
                 physical_rows = ?7 WHERE id = ?1",
                params![
                    table_id,
                    counts.rows as i64,
                    counts.rejects as i64,
                    counts.blanks as i64,
                    self.range.map(|r| r.0),
                    self.range.map(|r| r.1),
                    counts.physical as i64
                ],
            )
            .map_err(|e| self.err(e))?;
        self.range = None;
        Ok(())
    }

    pub fn set_skipped_sheets(&mut self, json: &str) -> Result<()> {
        self.tx
            .execute(
                "UPDATE source_versions SET skipped_sheets = ?2 WHERE id = ?1",
                params![self.version_id, json],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn commit(self) -> Result<()> {
        let path = self.path.clone();
        self.tx
            .commit()
            .map_err(|e| Error::Workspace { path, source: e })
    }
}

pub mod accounting;
pub mod crosswalk;
pub mod golden_keys;
pub mod lock;
pub mod matches;
pub mod parties;
pub mod queries;
pub mod report;
pub mod review;
pub mod sources;
