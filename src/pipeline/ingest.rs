//! The ingest stage: each configured source into the workspace, one transaction
//! per file, skipped when the file has not changed; sources no longer
//! configured are retired.

use crate::config::{Config, Source};
use crate::error::{Error, Result};
use crate::ingest::fixes::{Fixes, fingerprint};
use crate::ingest::profiles::ProfileSet;
use crate::ingest::rows::{PreparedRow, PreparedTable, ReadCounts};
use crate::ingest::{Skipped, Table};
use crate::model::Cell;
use crate::model::Kind;
use crate::progress::{Progress, Work};
use crate::workspace::{IngestWriter, NewTable, StoredRow, TableCounts, Workspace};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

/// What ingest did.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct IngestReport {
    pub sources: Vec<SourceOutcome>,
    /// Sources that could not be read, with why; the others were ingested.
    pub failed: Vec<(String, String)>,
    /// Sources no longer configured, retired at this version.
    pub retired: Vec<(String, i64)>,
    /// The rejects files read from `sources/` (fixed rows), and fixes that
    /// name no configured source.
    pub fix_files: Vec<String>,
    pub fixes_for_unknown_sources: Vec<(String, usize)>,
}

/// What ingest did with one table.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TableOutcome {
    pub sheet: Option<String>,
    pub profile: String,
    pub score: f64,
    pub counts: Counts,
    pub warnings: Vec<String>,
    /// Rows read from their fix in a rejects file.
    pub fixed: u64,
    /// Rows whose fix was left alone: the row there is not the one rejected
    /// (a newer export moved it, or it was fixed in the source already).
    pub fixes_not_applied: Vec<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Counts {
    /// Rows stored (second parties included).
    pub rows: u64,
    pub rejects: u64,
    /// What the reader met: physical data rows and blank ones.
    pub read: ReadCounts,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SourceOutcome {
    Unchanged {
        source: String,
        version: i64,
    },
    Ingested {
        source: String,
        version: i64,
        tables: Vec<TableOutcome>,
        skipped: Vec<Skipped>,
    },
}

/// Every source into the workspace; unchanged files are skipped. One bad
/// source is reported in [`IngestReport::failed`] and the others are still
/// ingested.
pub fn run(config: &Config, ws: &mut Workspace, progress: &dyn Progress) -> Result<IngestReport> {
    let profiles = ProfileSet::for_project(&config.dir)?;
    if config.sources.is_empty() {
        return Err(Error::bad_input(
            config.dir.join(crate::config::FILE_NAME),
            "no [[source]] configured: add one per file (see `golive init`)",
        ));
    }
    let fixes = Fixes::find(&config.dir)?;
    let mut report = IngestReport {
        fix_files: fixes.files.clone(),
        fixes_for_unknown_sources: fixes
            .unknown_sources(config.sources.iter().map(|s| s.name.as_str()))
            .into_iter()
            .collect(),
        ..IngestReport::default()
    };
    for source in &config.sources {
        match ingest_source(ws, source, &profiles, &fixes, progress) {
            Ok(outcome) => report.sources.push(outcome),
            Err(e @ (Error::BadInput { .. } | Error::Io { .. })) => {
                report.failed.push((source.name.clone(), e.to_string()));
            }
            Err(e) => return Err(e),
        }
    }
    // Sources no longer in golive.toml (or its globs) are retired, not kept silently.
    for name in ws.active_sources()? {
        if !config.sources.iter().any(|s| s.name == name) {
            let version = ws.retire_source(&name)?;
            report.retired.push((name, version));
        }
    }
    Ok(report)
}

impl IngestReport {
    /// The error a run ends with when sources failed (after the later stages ran).
    pub fn failure(&self, config: &Config) -> Option<Error> {
        if self.failed.is_empty() {
            return None;
        }
        let list: Vec<String> = self
            .failed
            .iter()
            .map(|(name, e)| format!("{name}: {e}"))
            .collect();
        Some(Error::SourcesFailed(format!(
            "{}: {} of {} sources could not be ingested (the others were): {}",
            config.dir.join(crate::config::FILE_NAME).display(),
            self.failed.len(),
            config.sources.len(),
            list.join("; ")
        )))
    }
}

/// After every stage ran: a source nothing usable came from fails the run (exit 1).
pub fn check_usable(ws: &Workspace) -> Result<()> {
    let bad = ws.unusable_tables()?;
    if bad.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = bad
        .iter()
        .map(|u| {
            let sheet = u
                .sheet
                .as_ref()
                .map_or(String::new(), |s| format!(" [{s}]"));
            format!("{}{sheet}: {}", u.source, u.reason)
        })
        .collect();
    Err(Error::Failed(format!(
        "{} source table(s) gave nothing usable: {}",
        bad.len(),
        list.join("; ")
    )))
}

/// Rows handed from the reading thread to the writing one, in batches.
const BATCH: usize = 1024;

/// A prepared row, serialized for storage.
struct Encoded {
    number: u64,
    source_key: String,
    kind: Kind,
    cells_json: String,
    flags_json: Option<String>,
    reject: Option<String>,
}

impl Encoded {
    fn new(row: PreparedRow) -> Self {
        Encoded {
            number: row.number,
            // Cells and flags are plain data: serializing them cannot fail.
            cells_json: serde_json::to_string(&row.cells).unwrap_or_default(),
            flags_json: (!row.flags.is_empty())
                .then(|| serde_json::to_string(&row.flags).unwrap_or_default()),
            source_key: row.source_key,
            kind: row.kind,
            reject: row.reject,
        }
    }
}

pub fn file_sha256(path: &Path) -> Result<(String, u64)> {
    let mut f = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            Error::bad_input(path, "file not found: check `path` in golive.toml")
        }
        _ => Error::io(path, e),
    })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hex, size))
}

/// Ingest one source; a no-op when its bytes (and its fixed rows) are those
/// already stored.
pub fn ingest_source(
    ws: &mut Workspace,
    source: &Source,
    profiles: &ProfileSet,
    fixes: &Fixes,
    progress: &dyn Progress,
) -> Result<SourceOutcome> {
    let stored = ws.latest_version(&source.name)?;
    // A text file is hashed while it is decoded and its header found (both read
    // the whole file); a workbook is only opened once the hash says it changed,
    // since reading its cells is the expensive part.
    let (hashed, opened) = if crate::config::is_spreadsheet(&source.path) {
        (file_sha256(&source.path), None)
    } else {
        std::thread::scope(|s| {
            let hash = s.spawn(|| file_sha256(&source.path));
            let opened = crate::ingest::open(&source.path, &source.read, profiles);
            (
                hash.join().unwrap_or_else(|_| {
                    Err(Error::bad_input(&source.path, "hashing the file failed"))
                }),
                Some(opened),
            )
        })
    };
    let (mut sha, size) = hashed?;
    let fixed = fixes.has_source(&source.name);
    if fixed {
        // A new or edited fix is a new version though the file is the same.
        sha = format!("{sha}+fixes:{}", &fixes.digest(&source.name)[..16]);
    }
    if let Some(v) = stored
        && v.sha256 == sha
    {
        return Ok(SourceOutcome::Unchanged {
            source: source.name.clone(),
            version: v.version,
        });
    }
    let (tables, skipped) = match opened {
        Some(opened) => opened?,
        None => crate::ingest::open(&source.path, &source.read, profiles)?,
    };
    let mut rejected: HashMap<Option<String>, HashMap<u64, HashSet<Vec<String>>>> = HashMap::new();
    if fixed {
        for (sheet, row, cells_json) in ws.rejected_rows_ever(&source.name)? {
            let cells: Vec<Cell> = serde_json::from_str(&cells_json).unwrap_or_default();
            rejected
                .entry(sheet)
                .or_default()
                .entry(row)
                .or_default()
                .insert(fingerprint(&cells));
        }
    }
    let mut writer = ws.begin_version(&source.name, &source.rel_path, &sha, size)?;
    let mut outcomes = Vec::new();
    for table in tables {
        let table_fixes = fixed.then(|| {
            let seen = rejected.remove(&table.sheet).unwrap_or_default();
            fixes.for_table(&source.name, table.sheet.as_deref(), &table.headers, seen)
        });
        outcomes.push(ingest_table(
            &mut writer,
            table,
            table_fixes,
            source,
            profiles,
            progress,
        )?);
    }
    if !skipped.is_empty() {
        writer.set_skipped_sheets(&serde_json::to_string(&skipped).unwrap_or_default())?;
    }
    let version = writer.version;
    writer.commit()?;
    Ok(SourceOutcome::Ingested {
        source: source.name.clone(),
        version,
        tables: outcomes,
        skipped,
    })
}

fn ingest_table(
    writer: &mut IngestWriter<'_>,
    table: Table,
    fixes: Option<crate::ingest::fixes::TableFixes>,
    source: &Source,
    profiles: &ProfileSet,
    progress: &dyn Progress,
) -> Result<TableOutcome> {
    let file = table.file.clone();
    let mut prepared = PreparedTable::new(profiles, table, source.profile.as_deref(), source.kind)?;
    prepared.fixes = fixes.filter(|f| !f.is_empty());
    let info = prepared.info.clone();
    let (profile, score) = (prepared.profile.name.clone(), prepared.score);
    let mapping_json = serde_json::to_string(&prepared.reader.mapping).unwrap_or_default();
    let table_id = writer.add_table(&NewTable {
        sheet: info.sheet.as_deref(),
        encoding: info.text.as_ref().map(|t| t.encoding.as_str()),
        delimiter: info.text.as_ref().map(|t| t.delimiter.as_str()),
        header_row: info.header_row,
        headers: &info.headers,
        mapping_json: &mapping_json,
        profile_score: score,
        warnings: &info.warnings,
    })?;
    let task = progress.task(&source.name, Work::StreamedRows);
    // Parsing and row preparation run on one thread, SQLite inserts on this
    // one: each is about half the work, and a migration machine has cores.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Encoded>>(8);
    let (counts, fixed, fixes_not_applied) = std::thread::scope(|scope| -> Result<_> {
        let producer = scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            for mut row in prepared.by_ref() {
                let companion = row.companion.take();
                batch.push(Encoded::new(row));
                if let Some(c) = companion {
                    batch.push(Encoded::new(*c));
                }
                if batch.len() >= BATCH
                    && tx
                        .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                        .is_err()
                {
                    break;
                }
            }
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            let fixes = prepared.fixes.take().unwrap_or_default();
            (prepared.counts(), fixes.applied, fixes.not_applied)
        });
        let mut counts = Counts::default();
        for batch in rx {
            writer.add_rows(
                table_id,
                batch.iter().map(|row| StoredRow {
                    row_number: row.number,
                    source_key: &row.source_key,
                    kind: row.kind.as_str(),
                    cells_json: &row.cells_json,
                    flags_json: row.flags_json.as_deref(),
                    reject: row.reject.as_deref(),
                }),
            )?;
            counts.rows += batch.len() as u64;
            counts.rejects += batch.iter().filter(|r| r.reject.is_some()).count() as u64;
            task.inc(batch.len() as u64);
        }
        let (read, fixed, not_applied) = producer
            .join()
            .map_err(|_| Error::bad_input(&file, "reading the file failed unexpectedly"))?;
        counts.read = read;
        Ok((counts, fixed, not_applied))
    })?;
    task.finish();
    writer.finish_table(
        table_id,
        &TableCounts {
            rows: counts.rows,
            rejects: counts.rejects,
            blanks: counts.read.blank,
            physical: counts.read.physical,
        },
    )?;
    Ok(TableOutcome {
        sheet: info.sheet,
        profile,
        score,
        counts,
        warnings: info.warnings,
        fixed,
        fixes_not_applied,
    })
}
