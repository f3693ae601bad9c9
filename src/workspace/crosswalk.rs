//! The crosswalk: golden record → what it is in a target CRM, and the hash of
//! what was last sent there; and the counts of every real load.

use super::Workspace;
use crate::error::Result;
use rusqlite::params;

/// How a target knows a record: by the external ID golive gave it, or by the
/// CRM's own record ID (records that were there before golive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    External,
    Crm,
}

impl IdKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::External => "external",
            IdKind::Crm => "crm",
        }
    }
}

/// One crosswalk entry.
#[derive(Clone, Debug, PartialEq)]
pub struct CrosswalkEntry {
    /// `organization`, `person` or `link` (a person's company: `target_id` is the company's).
    pub entity: String,
    pub golden_id: String,
    pub target_id: String,
    pub id_kind: IdKind,
    pub hash: String,
    /// A member's identity (`source␟key`), to find the entity when its golden ID retires.
    pub anchor: String,
    /// What the load that last wrote the entry did: `create` or `update`.
    pub action: String,
    pub loaded_at: String,
}

/// What one load did to one record: confirmed (`error` empty) or refused.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// The load it belongs to (its start time and process).
    pub run: String,
    pub entity: String,
    pub golden_id: String,
    pub action: String,
    pub target_id: String,
    pub error: String,
    pub at: String,
}

/// Counts of one real load.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadRun {
    pub target: String,
    pub mode: String,
    pub finished_at: String,
    /// The load's summary as JSON.
    pub counts_json: String,
}

impl Workspace {
    /// Every crosswalk entry of `target`, by entity and golden ID.
    pub fn crosswalk(&self, target: &str) -> Result<Vec<CrosswalkEntry>> {
        self.query_all(
            "SELECT entity, golden_id, target_id, id_kind, hash, anchor, action, loaded_at
             FROM crosswalk WHERE target = ?1 ORDER BY entity, golden_id",
            params![target],
            |r| {
                let kind: String = r.get(3)?;
                Ok(CrosswalkEntry {
                    entity: r.get(0)?,
                    golden_id: r.get(1)?,
                    target_id: r.get(2)?,
                    id_kind: if kind == "crm" {
                        IdKind::Crm
                    } else {
                        IdKind::External
                    },
                    hash: r.get(4)?,
                    anchor: r.get(5)?,
                    action: r.get(6)?,
                    loaded_at: r.get(7)?,
                })
            },
        )
    }

    /// Record a load: its entries (created and updated records; the others
    /// stay as they were), what it did to each record sent (`log`) and, at its
    /// end, its counts, in one transaction. An API load records each answered
    /// batch (`run` None) as it goes.
    pub fn record_load(
        &mut self,
        target: &str,
        entries: &[CrosswalkEntry],
        log: &[LogEntry],
        run: Option<&LoadRun>,
    ) -> Result<()> {
        // Many rows per statement: a first load writes one entry per record
        // and per link, and one statement per row costs most of the time.
        const PER_STATEMENT: usize = 100;
        let insert = |rows: usize| {
            let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; rows].join(", ");
            format!(
                "INSERT OR REPLACE INTO crosswalk
                 (target, entity, golden_id, target_id, id_kind, hash, anchor, action, loaded_at)
                 VALUES {values}"
            )
        };
        let kinds: Vec<&'static str> = entries.iter().map(|e| e.id_kind.as_str()).collect();
        self.in_transaction(|tx| {
            let mut full = tx.prepare(&insert(PER_STATEMENT))?;
            for (chunk, kinds) in entries
                .chunks(PER_STATEMENT)
                .zip(kinds.chunks(PER_STATEMENT))
            {
                let params: Vec<&dyn rusqlite::ToSql> = chunk
                    .iter()
                    .zip(kinds)
                    .flat_map(|(e, kind)| {
                        [
                            &target as &dyn rusqlite::ToSql,
                            &e.entity,
                            &e.golden_id,
                            &e.target_id,
                            kind,
                            &e.hash,
                            &e.anchor,
                            &e.action,
                            &e.loaded_at,
                        ]
                    })
                    .collect();
                if chunk.len() == PER_STATEMENT {
                    full.execute(params.as_slice())?;
                } else {
                    tx.prepare(&insert(chunk.len()))?
                        .execute(params.as_slice())?;
                }
            }
            let mut logged = tx.prepare(
                "INSERT OR REPLACE INTO load_log
                 (target, run, entity, golden_id, action, target_id, error, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for l in log {
                logged.execute(params![
                    target,
                    l.run,
                    l.entity,
                    l.golden_id,
                    l.action,
                    l.target_id,
                    l.error,
                    l.at
                ])?;
            }
            if let Some(run) = run {
                tx.execute(
                    "INSERT INTO load_runs (target, mode, finished_at, counts) VALUES (?1, ?2, ?3, ?4)",
                    params![run.target, run.mode, run.finished_at, run.counts_json],
                )?;
            }
            Ok(())
        })
    }

    /// What the load `run` into `target` did, record by record.
    pub fn load_log(&self, target: &str, run: &str) -> Result<Vec<LogEntry>> {
        self.query_all(
            "SELECT run, entity, golden_id, action, target_id, error, at FROM load_log
             WHERE target = ?1 AND run = ?2 ORDER BY entity, golden_id",
            params![target, run],
            |r| {
                Ok(LogEntry {
                    run: r.get(0)?,
                    entity: r.get(1)?,
                    golden_id: r.get(2)?,
                    action: r.get(3)?,
                    target_id: r.get(4)?,
                    error: r.get(5)?,
                    at: r.get(6)?,
                })
            },
        )
    }

    /// The last real load into `target`.
    pub fn last_load(&self, target: &str) -> Result<Option<LoadRun>> {
        Ok(self
            .query_all(
                "SELECT target, mode, finished_at, counts FROM load_runs WHERE target = ?1
                 ORDER BY id DESC LIMIT 1",
                params![target],
                |r| {
                    Ok(LoadRun {
                        target: r.get(0)?,
                        mode: r.get(1)?,
                        finished_at: r.get(2)?,
                        counts_json: r.get(3)?,
                    })
                },
            )?
            .pop())
    }

    /// Crosswalk entries per entity and last action.
    pub fn crosswalk_counts(&self, target: &str) -> Result<Vec<(String, String, i64)>> {
        self.query_all(
            "SELECT entity, action, COUNT(*) FROM crosswalk WHERE target = ?1
             GROUP BY entity, action ORDER BY entity, action",
            params![target],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }

    /// What the load stage reads besides golden records: for each current
    /// golden record with members from the target's own export, those
    /// members' (source, key), by golden ID.
    pub fn existing_members(&self, sources: &[String]) -> Result<Vec<(String, String, String)>> {
        if sources.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; sources.len()].join(", ");
        self.query_all(
            &format!(
                "SELECT c.golden_id, p.source, p.source_key FROM parties p
                 JOIN clusters c ON c.row_id = p.row_id
                 WHERE p.reject IS NULL AND p.source IN ({marks})
                 ORDER BY c.golden_id, p.source, p.source_key"
            ),
            rusqlite::params_from_iter(sources),
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }

    /// Persons' organizations as linked: (person golden ID, organization
    /// golden ID, method), one row per linked person row.
    pub fn person_organizations(&self) -> Result<Vec<(String, String, String)>> {
        self.query_all(
            "SELECT c.golden_id, l.organization, l.method FROM links l
             JOIN clusters c ON c.row_id = l.row_id
             WHERE l.organization IS NOT NULL ORDER BY c.golden_id, l.row_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }

    /// Organizations created from persons' company names: (golden ID, name).
    pub fn created_organizations(&self) -> Result<Vec<(String, String)>> {
        self.query_all(
            "SELECT golden_id, name FROM created_organizations ORDER BY golden_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Every golden record, by golden ID, `page` at a time: (golden ID,
    /// `GoldenByRow` JSON). A million records' JSON at once was 2 GB.
    pub fn golden_pages(
        &self,
        page: usize,
        f: impl FnMut(Vec<(String, String)>) -> Result<()>,
    ) -> Result<()> {
        self.query_pages(
            "SELECT golden_id, record FROM golden ORDER BY golden_id",
            page,
            |r| Ok((r.get(0)?, r.get(1)?)),
            f,
        )
    }
}
