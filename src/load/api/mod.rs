//! API targets: the plan sent through the CRM's API, batch by batch. Each
//! confirmed batch is handed to the caller (who writes the crosswalk) before the
//! next is sent, so a load cut off anywhere resumes from the crosswalk; the
//! requests themselves are idempotent (upsert on the external ID, default
//! associations), so a batch the CRM applied but never confirmed is applied
//! again, not twinned.

pub mod bitrix24;
pub mod hubspot;

use super::http::{Client, HttpError, RetryCounts};
use super::target::{Api, EntityFiles, Target};
use super::{Action, Entity, Plan, PlanRow};
use crate::error::{Error, Result};
use crate::progress::Task;
use std::collections::HashMap;

/// What became of one plan row that was sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Done {
    pub entity: Entity,
    pub golden_id: String,
    pub action: Action,
    /// The CRM's record ID (for a link: the organization's).
    pub target_id: String,
    pub hash: String,
    pub anchor: String,
    /// The CRM's refusal, in its words; the row is not in the crosswalk then.
    pub error: Option<String>,
}

impl Done {
    fn of(row: &PlanRow, target_id: String, error: Option<String>) -> Self {
        Done {
            entity: row.entity,
            golden_id: row.golden_id.clone(),
            action: row.action,
            target_id,
            hash: row.hash.clone(),
            anchor: row.anchor.clone(),
            error,
        }
    }
}

/// What a load may send (a smoke test on the real portal).
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// At most this many organizations and persons (each) to create or update.
    pub limit: Option<usize>,
    /// Only this entity (links go with persons).
    pub only: Option<Entity>,
}

impl Scope {
    /// The rows to send, in plan order: creates and updates within the scope.
    /// A link goes with its person: sent when the person is sent or is already
    /// in the CRM.
    pub fn select<'a>(&self, plan: &'a Plan) -> Vec<&'a PlanRow> {
        let mut taken: HashMap<Entity, usize> = HashMap::new();
        let chosen: Vec<&PlanRow> = plan
            .rows
            .iter()
            .filter(|r| r.entity != Entity::Link)
            .filter(|r| matches!(r.action, Action::Create | Action::Update))
            .filter(|r| self.only.is_none_or(|e| r.entity == e))
            .filter(|r| {
                let n = taken.entry(r.entity).or_default();
                *n += 1;
                self.limit.is_none_or(|l| *n <= l)
            })
            .collect();
        let persons: std::collections::HashSet<&str> = chosen
            .iter()
            .filter(|r| r.entity == Entity::Person)
            .map(|r| r.golden_id.as_str())
            .collect();
        let in_crm: std::collections::HashSet<&str> = plan
            .rows
            .iter()
            .filter(|r| r.entity == Entity::Person && r.action == Action::Unchanged)
            .map(|r| r.golden_id.as_str())
            .collect();
        let links = plan.rows.iter().filter(|r| {
            r.entity == Entity::Link
                && matches!(r.action, Action::Create | Action::Update)
                && self.only != Some(Entity::Organization)
                && (persons.contains(r.golden_id.as_str()) || in_crm.contains(r.golden_id.as_str()))
        });
        chosen.into_iter().chain(links).collect()
    }
}

/// The end of an API load.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct ApiReport {
    pub requests: u64,
    pub sent: usize,
    pub errors: usize,
    pub retries: RetryCounts,
    /// What the CRM could not take as configured (e.g. no requisite templates).
    pub notes: Vec<String>,
}

/// A CRM the loader can talk to.
pub struct Session<'a> {
    pub client: &'a Client,
    pub batch: usize,
    /// Requests in flight at once (the rate limit still holds for all of them).
    pub workers: usize,
    /// CRM IDs known before this load, by (entity, golden ID).
    pub known: HashMap<(Entity, String), String>,
    pub progress: &'a dyn Task,
}

/// Why the load stopped before its end: what to do about it.
pub(crate) fn gave_up(crm: &str, e: &HttpError) -> Error {
    Error::Failed(format!(
        "{crm} did not answer ({e}); what was confirmed is recorded: run `golive load` again to go on from there"
    ))
}

/// What one CRM's client does; [`run_phases`] sequences it.
pub(crate) trait Crm: Sync {
    /// Make sure the field golive keys `entity`'s records on exists; the
    /// requests it took.
    fn prepare(&self, object: &str, entity: Entity) -> Result<u64>;
    /// One batch of records of `object`.
    fn send(
        &self,
        object: &str,
        files: &EntityFiles,
        rows: &[&PlanRow],
    ) -> Result<(Vec<Done>, u64)>;
    /// One batch of links, given the CRM IDs known by then.
    fn link(
        &self,
        rows: &[&PlanRow],
        ids: &HashMap<(Entity, String), String>,
    ) -> Result<(Vec<Done>, u64)>;
    /// The most records one batch may hold.
    fn max_batch(&self) -> usize;
    /// What the load should tell the user besides its counts.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
    /// Rows that go in batches of their own.
    fn split<'r>(&self, rows: Vec<&'r PlanRow>) -> Vec<Vec<&'r PlanRow>> {
        vec![rows]
    }
}

/// Organizations, then persons, then links — each phase needs the IDs the one
/// before it got — every batch recorded (`confirmed`) as its answer comes.
fn run_phases(
    crm: &dyn Crm,
    target: &Target,
    api: &Api,
    rows: &[&PlanRow],
    s: &mut Session<'_>,
    confirmed: &mut dyn FnMut(&[Done]) -> Result<()>,
) -> Result<ApiReport> {
    let of =
        |e: Entity| -> Vec<&PlanRow> { rows.iter().copied().filter(|r| r.entity == e).collect() };
    let (orgs, persons, links) = (
        of(Entity::Organization),
        of(Entity::Person),
        of(Entity::Link),
    );
    let mut report = ApiReport::default();
    let mut ids = s.known.clone();
    let phases = [
        (
            &api.organization_object,
            Entity::Organization,
            &target.organization,
            orgs,
        ),
        (&api.person_object, Entity::Person, &target.person, persons),
    ];
    for (object, entity, _, rows) in &phases {
        if !rows.is_empty() {
            report.requests += crm.prepare(object, *entity)?;
        }
    }
    let batch = s.batch.clamp(1, crm.max_batch());
    for (object, _, files, rows) in phases {
        for group in crm.split(rows) {
            let send = |chunk: &[&PlanRow]| crm.send(object, files, chunk);
            in_parallel(&group, batch, s.workers, send, |done, requests| {
                report.requests += requests;
                finish(done, &mut ids, &mut report, s, confirmed)
            })?;
        }
    }
    let known = ids.clone();
    in_parallel(
        &links,
        batch,
        s.workers,
        |chunk| crm.link(chunk, &known),
        |done, requests| {
            report.requests += requests;
            finish(done, &mut ids, &mut report, s, confirmed)
        },
    )?;
    report.retries = s.client.retries();
    report.notes = crm.notes();
    Ok(report)
}

/// Send `rows` to the target's API; `confirmed` is called after every batch.
pub fn load(
    crm: &str,
    target: &Target,
    rows: &[&PlanRow],
    session: &mut Session<'_>,
    confirmed: &mut dyn FnMut(&[Done]) -> Result<()>,
) -> Result<ApiReport> {
    let Some(api) = &target.api else {
        return Err(Error::Failed(format!("{crm}: no API settings")));
    };
    let client = session.client;
    match crm {
        "hubspot" => {
            let crm = hubspot::HubSpot::new(client, target, api);
            run_phases(&crm, target, api, rows, session, confirmed)
        }
        "bitrix24" => {
            let crm = bitrix24::Bitrix24::new(client, target, api);
            run_phases(&crm, target, api, rows, session, confirmed)
        }
        other => Err(Error::Failed(format!(
            "no API client for {other}: use mode = \"files\""
        ))),
    }
}

/// Batches of `rows` sent by `workers` threads; each answer is handed to
/// `receive` on this thread (which records it) as it comes. The first error
/// stops the workers taking new batches; batches in flight still finish and
/// are recorded.
pub(crate) fn in_parallel<'r>(
    rows: &[&'r PlanRow],
    batch: usize,
    workers: usize,
    send: impl Fn(&[&'r PlanRow]) -> Result<(Vec<Done>, u64)> + Sync,
    mut receive: impl FnMut(&[Done], u64) -> Result<()>,
) -> Result<()> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let chunks: Vec<&[&PlanRow]> = rows.chunks(batch.max(1)).collect();
    if chunks.is_empty() {
        return Ok(());
    }
    let (next, stop) = (AtomicUsize::new(0), AtomicBool::new(false));
    let (tx, rx) = std::sync::mpsc::channel::<Result<(Vec<Done>, u64)>>();
    std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, chunks.len()) {
            let tx = tx.clone();
            let (chunks, next, stop, send) = (&chunks, &next, &stop, &send);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(chunk) = chunks.get(i) else { break };
                    let answer = send(chunk);
                    if answer.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    if tx.send(answer).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut first_error = None;
        for answer in rx {
            let outcome = answer.and_then(|(done, requests)| receive(&done, requests));
            if let Err(e) = outcome {
                stop.store(true, Ordering::Relaxed);
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    })
}

pub(crate) fn finish(
    done: &[Done],
    ids: &mut HashMap<(Entity, String), String>,
    report: &mut ApiReport,
    s: &Session<'_>,
    confirmed: &mut dyn FnMut(&[Done]) -> Result<()>,
) -> Result<()> {
    for d in done {
        if d.error.is_none() && d.entity != Entity::Link {
            ids.insert((d.entity, d.golden_id.clone()), d.target_id.clone());
        }
        report.sent += 1;
        report.errors += usize::from(d.error.is_some());
    }
    confirmed(done)?;
    s.progress.inc(done.len() as u64);
    if let Some(text) = retried(s.client.retries()) {
        s.progress.detail(&text);
    }
    Ok(())
}

/// The progress line's note of the retries so far, once there are any.
fn retried(r: RetryCounts) -> Option<String> {
    (r != RetryCounts::default()).then(|| {
        format!(
            "retried: {} throttled, {} server errors, {} dropped",
            r.throttled, r.server_errors, r.connection_errors
        )
    })
}

/// A JSON string or number as text (CRMs write IDs both ways).
pub(crate) fn id_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_line_shows_retries_once_there_are_some() {
        assert_eq!(retried(RetryCounts::default()), None);
        let r = RetryCounts {
            throttled: 3,
            server_errors: 1,
            connection_errors: 2,
        };
        assert_eq!(
            retried(r).as_deref(),
            Some("retried: 3 throttled, 1 server errors, 2 dropped")
        );
    }
}
