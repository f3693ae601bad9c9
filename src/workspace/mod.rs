//! The SQLite workspace at `DIR/.golive/workspace.db`: every stage's output,
//! behind typed reads and writes.

mod schema;

use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::path::{Path, PathBuf};

pub struct Workspace {
    conn: Connection,
    path: PathBuf,
    /// Declared after `conn`, so dropped after it: see [`Checkpointer`].
    _checkpointer: Option<Checkpointer>,
}

/// Log pages a commit leaves before the log is copied into the database
/// (SQLite's own auto-checkpoint threshold).
const CHECKPOINT_PAGES: i32 = 1000;

/// Checkpoints off the committing thread. A commit in WAL mode appends to the
/// log; copying the log into the database — gigabytes after a stage over a
/// million parties, ten seconds of the match stage when done in its commit —
/// happens on a thread of its own, with its own connection, while the next
/// stage works. A checkpoint it cannot finish (a reader holds old pages) is
/// left for the next; whatever is left when the workspace closes is copied
/// by the last connection to close, as SQLite always does.
struct Checkpointer {
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    /// Start the thread, and have `conn`'s commits wake it (instead of
    /// checkpointing themselves). The thread ends when `conn` is closed.
    fn start(conn: &mut Connection, path: &Path) -> Result<Self> {
        let sqlite = |source| Error::Workspace {
            path: path.to_path_buf(),
            source,
        };
        let own = Connection::open(path).map_err(sqlite)?;
        let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
        conn.wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, pages: i32| {
            if pages >= CHECKPOINT_PAGES {
                // Full means a wake-up is pending already.
                let _ = wake.try_send(());
            }
            Ok(())
        }))
        .map_err(sqlite)?;
        let thread = std::thread::Builder::new()
            .name("golive-checkpoint".into())
            .spawn(move || {
                while woken.recv().is_ok() {
                    // Passive: never waits for the stage's readers or writer.
                    let _ = own.execute_batch("PRAGMA wal_checkpoint(PASSIVE)");
                }
            })
            .map_err(|e| Error::io(path, e))?;
        Ok(Checkpointer {
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
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
        let mut ws = Workspace {
            conn,
            path,
            _checkpointer: None,
        };
        ws.init().map_err(|e| ws.err(e))?;
        ws._checkpointer = Some(Checkpointer::start(&mut ws.conn, &ws.path)?);
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

    /// As [`Workspace::query_pages`], with `make` turning each page into what
    /// `f` takes on a thread of its own, while the next page is read.
    pub(crate) fn query_pages_made<T: Send, U: Send>(
        &self,
        sql: &str,
        page: usize,
        mut row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
        make: impl Fn(Vec<T>) -> Result<U> + Sync,
        mut f: impl FnMut(U) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        pipelined(
            &mut rows,
            |rows| {
                let mut batch = Vec::with_capacity(page);
                while batch.len() < page {
                    match rows.next().map_err(|e| self.err(e))? {
                        Some(r) => batch.push(row(r).map_err(|e| self.err(e))?),
                        None => break,
                    }
                }
                Ok((!batch.is_empty()).then_some(batch))
            },
            make,
            |_, made| f(made),
        )
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Page after page, each made on every core while the one before is written
/// (or read). The workspace's connection stays on this thread: `next` reads a
/// page's input from `state` (`None`: no more), `make` turns it into what
/// `write` puts into `state`, on a thread of its own. Done one after the
/// other, a stage over a million parties spent a third of its time reading
/// and writing with the cores idle.
pub fn pipelined<S, I, T>(
    state: &mut S,
    mut next: impl FnMut(&mut S) -> Result<Option<I>>,
    make: impl Fn(I) -> Result<T> + Sync,
    mut write: impl FnMut(&mut S, T) -> Result<()>,
) -> Result<()>
where
    I: Send,
    T: Send,
{
    let make = &make;
    std::thread::scope(|scope| {
        let mut made = None;
        loop {
            let making = next(state)?.map(|input| scope.spawn(move || make(input)));
            if let Some(page) = made.take() {
                let page: std::thread::ScopedJoinHandle<'_, Result<T>> = page;
                let page = page
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
                write(state, page)?;
            }
            match making {
                Some(page) => made = Some(page),
                None => return Ok(()),
            }
        }
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn file_size(path: &Path) -> u64 {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }

    /// Commits no longer checkpoint themselves: the checkpointer's thread
    /// must copy the log into the database while the workspace stays open
    /// (else the log would grow until it closes).
    #[test]
    fn a_large_commit_reaches_the_database_while_the_workspace_is_open() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = Workspace::open(tmp.path()).unwrap();
        let before = file_size(ws.path());
        let open = Open::begin(&ws, "CREATE TABLE filler (x BLOB)").unwrap();
        let blob = vec![7u8; 4096];
        for _ in 0..8_000 {
            ws.conn
                .execute("INSERT INTO filler (x) VALUES (?1)", [&blob])
                .unwrap();
        }
        open.commit().unwrap();
        let wal = ws.path().with_extension("db-wal");
        assert!(file_size(&wal) > 30_000_000, "the commit went to the log");
        // The checkpoint runs on its own; give it (generously) the time.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while file_size(ws.path()) < before + 30_000_000 {
            assert!(
                std::time::Instant::now() < deadline,
                "the log was never copied into the database"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let n: i64 = ws
            .conn
            .query_row("SELECT COUNT(*) FROM filler", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 8_000);
    }

    #[test]
    fn pages_are_made_in_order_while_the_next_is_read() {
        let mut read = 0;
        let mut written = Vec::new();
        pipelined(
            &mut written,
            |_| {
                read += 1;
                Ok((read <= 5).then_some(read))
            },
            |page: i32| Ok(page * 10),
            |written, made| {
                written.push(made);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(written, [10, 20, 30, 40, 50]);
        // A failed page stops the rest.
        let mut n = 0;
        let failed = pipelined(
            &mut n,
            |n| {
                *n += 1;
                Ok((*n <= 5).then_some(*n))
            },
            |page: i32| {
                if page == 3 {
                    Err(Error::Failed("page 3".into()))
                } else {
                    Ok(page)
                }
            },
            |_, _| Ok(()),
        );
        assert!(failed.unwrap_err().to_string().contains("page 3"));
    }
}
