//! API targets: the plan sent through the CRM's API, batch by batch. Each
//! confirmed batch is handed to the caller (who writes the crosswalk) before the
//! next is sent, so a load cut off anywhere resumes from the crosswalk; the
//! requests themselves are idempotent (upsert on the external ID, default
//! associations), so a batch the CRM applied but never confirmed is applied
//! again, not twinned.

pub mod hubspot;

use super::http::{Client, HttpError, RetryCounts};
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
    pub fn select<'a>(&self, plan: &'a Plan) -> Vec<&'a PlanRow> {
        let mut taken: HashMap<Entity, usize> = HashMap::new();
        plan.rows
            .iter()
            .filter(|r| matches!(r.action, Action::Create | Action::Update))
            .filter(|r| match self.only {
                Some(Entity::Person) => r.entity != Entity::Organization,
                Some(e) => r.entity == e,
                None => true,
            })
            .filter(|r| {
                let n = taken.entry(r.entity).or_default();
                *n += 1;
                self.limit.is_none_or(|l| *n <= l)
            })
            .collect()
    }
}

/// The end of an API load.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct ApiReport {
    pub requests: u64,
    pub sent: usize,
    pub errors: usize,
    pub retries: RetryCounts,
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

/// Send `rows` to the target's API; `confirmed` is called after every batch.
pub fn load(
    crm: &str,
    target: &super::target::Target,
    rows: &[&PlanRow],
    session: &mut Session<'_>,
    confirmed: &mut dyn FnMut(&[Done]) -> Result<()>,
) -> Result<ApiReport> {
    match crm {
        "hubspot" => hubspot::load(target, rows, session, confirmed),
        other => Err(Error::Failed(format!(
            "no API client for {other}: use mode = \"files\""
        ))),
    }
}
