//! The load: what each golden record and each person's link becomes in the
//! target CRM. [`plan`] compares the golden records with the crosswalk (what
//! was sent before) and with the target's own records, and decides per record:
//! create, update, unchanged or skip. `files` writes the CRM's import files.
//!
//! A re-load never makes twins: a record once sent keeps its target ID, a
//! record that was in the CRM before golive is updated by the CRM's ID, and
//! nothing is deleted in the target.

pub mod api;
pub mod files;
pub mod http;
pub mod phase;
pub mod target;

use crate::model::{Kind, Party};
use crate::normalize::text::{FastMap, FastSet};
use crate::workspace::crosswalk::{CrosswalkEntry, IdKind};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use target::{CompanyView, LinkBy, RecordView, Target};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Organization,
    Person,
    Link,
}

impl Entity {
    pub const ALL: [Entity; 3] = [Entity::Organization, Entity::Person, Entity::Link];

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Organization => "organization",
            Entity::Person => "person",
            Entity::Link => "link",
        }
    }

    fn of(kind: Kind) -> Self {
        if kind == Kind::Person {
            Entity::Person
        } else {
            Entity::Organization
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Unchanged,
    Skip,
}

impl Action {
    pub const ALL: [Action; 4] = [
        Action::Create,
        Action::Update,
        Action::Unchanged,
        Action::Skip,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::Skip => "skip",
        }
    }
}

/// A golden record as the load reads it.
#[derive(Clone, Debug)]
pub struct Record {
    pub golden_id: String,
    pub party: Party,
    /// CRM record IDs of members that came from the target's own export, sorted.
    pub existing: Vec<String>,
    /// Members that came from sources (not from the target's export).
    pub source_members: usize,
    /// A member's identity (`source␟key`), kept in the crosswalk.
    pub anchor: String,
}

/// Everything the plan reads.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Organizations (organizations from persons' company names among them) and persons.
    pub records: Vec<Record>,
    /// Person golden ID → the organization golden ID it is linked to.
    pub person_organization: HashMap<String, String>,
    /// The crosswalk of this target.
    pub crosswalk: Vec<CrosswalkEntry>,
    /// Member identity → its golden ID now (to say where a retired golden ID went).
    pub golden_of_member: HashMap<String, String>,
    /// `--phase`: what this load leaves for a later phase.
    pub phase: Option<phase::Selection>,
}

/// One row of the plan (`out/load-plan.csv`), and what the files need of it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanRow {
    pub entity: Entity,
    pub golden_id: String,
    pub action: Action,
    /// The CRM's record ID, or the external ID the record has (or will have) there.
    pub target_id: String,
    pub reason: String,
    pub id_kind: IdKind,
    pub hash: String,
    pub anchor: String,
    /// The rendered columns of the entity's file (organizations and persons).
    pub values: Vec<String>,
}

impl PlanRow {
    /// Whether the files carry this row.
    pub fn is_written(&self, all: bool) -> bool {
        self.entity != Entity::Link
            && match self.action {
                Action::Create | Action::Update => true,
                Action::Unchanged => all && !self.values.is_empty(),
                Action::Skip => false,
            }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub target: String,
    pub rows: Vec<PlanRow>,
}

/// Counts per entity and action, and how many crosswalk entries are gone.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Summary {
    pub entities: Vec<EntityCounts>,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct EntityCounts {
    pub entity: String,
    pub create: usize,
    pub update: usize,
    pub unchanged: usize,
    pub skip: usize,
    /// Among the skips: records sent before that are no longer in the sources.
    pub gone: usize,
    /// Skip reasons with their counts, most frequent first.
    pub skip_reasons: Vec<(String, usize)>,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let entities = Entity::ALL
            .iter()
            .map(|&entity| {
                let mut c = EntityCounts {
                    entity: entity.as_str().to_string(),
                    ..EntityCounts::default()
                };
                let mut reasons: HashMap<&str, usize> = HashMap::new();
                for r in self.rows.iter().filter(|r| r.entity == entity) {
                    match r.action {
                        Action::Create => c.create += 1,
                        Action::Update => c.update += 1,
                        Action::Unchanged => c.unchanged += 1,
                        Action::Skip => {
                            c.skip += 1;
                            if r.reason.starts_with(GONE) || r.reason.starts_with(MERGED) {
                                c.gone += 1;
                            }
                            *reasons.entry(reason_kind(&r.reason)).or_default() += 1;
                        }
                    }
                }
                let mut reasons: Vec<(String, usize)> = reasons
                    .into_iter()
                    .map(|(k, n)| (k.to_string(), n))
                    .collect();
                reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                c.skip_reasons = reasons;
                c
            })
            .collect();
        Summary { entities }
    }
}

const GONE: &str = "no longer in the sources";
const MERGED: &str = "merged into";
const ONLY_IN_TARGET: &str = "only in the target";

/// A reason without the IDs it names, for counting.
fn reason_kind(reason: &str) -> &str {
    reason.split([':', '(']).next().unwrap_or(reason).trim()
}

/// Hash of what a record's file row says (identity columns left out).
fn content_hash(target: &Target, kind: Kind, values: &[String]) -> String {
    let mut h = Sha256::new();
    for (c, v) in target.files(kind).columns.iter().zip(values) {
        if c.is_content() {
            h.update(c.header.as_bytes());
            h.update([0x1f]);
            h.update(v.as_bytes());
            h.update([0x1e]);
        }
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the plan knows of an organization when it plans its persons.
struct OrgRef {
    name: String,
    external_id: String,
    target_id: String,
    skipped: Option<String>,
    only_in_target: bool,
    in_crosswalk: bool,
}

/// Decide what the load does with every record and link. Rows come in a fixed
/// order: organizations, persons, links (each by golden ID), then the entries
/// of records no longer there.
pub fn plan(target: &Target, inputs: &Inputs) -> Plan {
    let mut planner = Planner::new(target, &inputs.crosswalk);
    planner.add(&inputs.records);
    planner.finish(
        &inputs.person_organization,
        &inputs.golden_of_member,
        inputs.phase.as_ref(),
    )
}

/// A golden record rendered into its entity's file row, its party let go: a
/// load of a million records keeps only what it writes.
struct Rendered {
    row: PlanRow,
    /// The CRM's IDs of the record's twins in its export (`existing[1..]`).
    twins: Vec<String>,
    source_members: usize,
    /// An organization's name, for its contacts' company column.
    name: String,
}

/// The plan built a page of golden records at a time ([`plan`] for all at once).
pub struct Planner<'a> {
    target: &'a Target,
    entries: &'a [CrosswalkEntry],
    crosswalk: FastMap<(&'a str, &'a str), &'a CrosswalkEntry>,
    records: Vec<Rendered>,
}

impl<'a> Planner<'a> {
    /// A plan against `crosswalk`, what was sent to the target before.
    pub fn new(target: &'a Target, crosswalk: &'a [CrosswalkEntry]) -> Self {
        Planner {
            target,
            entries: crosswalk,
            crosswalk: crosswalk
                .iter()
                .map(|e| ((e.entity.as_str(), e.golden_id.as_str()), e))
                .collect(),
            records: Vec::new(),
        }
    }

    /// Render golden records (on all cores); they can be dropped after.
    pub fn add(&mut self, records: &[Record]) {
        let rendered: Vec<Rendered> = records
            .par_iter()
            .map(|r| render(self.target, r, &self.crosswalk))
            .collect();
        self.records.extend(rendered);
    }

    /// The plan: with `person_organization` (person golden ID → organization
    /// golden ID), `golden_of_member` (to say where a retired golden ID went)
    /// and a phased load's selection.
    pub fn finish(
        self,
        person_organization: &HashMap<String, String>,
        golden_of_member: &HashMap<String, String>,
        phase: Option<&phase::Selection>,
    ) -> Plan {
        let Planner {
            target,
            entries,
            crosswalk,
            mut records,
        } = self;
        // Pages come by golden ID; created organizations after them.
        records.par_sort_by(|a, b| a.row.golden_id.cmp(&b.row.golden_id));
        let current: FastSet<&str> = records.iter().map(|r| r.row.golden_id.as_str()).collect();
        let gone = gone_rows(entries, &current, golden_of_member);
        drop(current);
        let (orgs, persons): (Vec<Rendered>, Vec<Rendered>) = records
            .into_iter()
            .partition(|r| r.row.entity == Entity::Organization);

        let mut org_rows: Vec<(PlanRow, OrgRef)> = orgs
            .into_par_iter()
            .map(|mut r| {
                let name = std::mem::take(&mut r.name);
                let only_in_target = r.source_members == 0;
                let row = decide(target, r, None, &crosswalk);
                let o = OrgRef {
                    name,
                    external_id: external_id(target, &row.golden_id),
                    target_id: if row.id_kind == IdKind::Crm {
                        row.target_id.clone()
                    } else {
                        String::new()
                    },
                    skipped: None,
                    only_in_target,
                    in_crosswalk: crosswalk.contains_key(&("organization", row.golden_id.as_str())),
                };
                (row, o)
            })
            .collect();
        for (row, o) in &mut org_rows {
            if let Some(s) = phase {
                apply_phase(s, row);
            }
            o.skipped = (row.action == Action::Skip).then(|| row.reason.clone());
        }
        let (mut org_rows, org_refs): (Vec<PlanRow>, Vec<OrgRef>) = org_rows.into_iter().unzip();
        let org_refs: FastMap<String, OrgRef> = org_rows
            .iter()
            .map(|r| r.golden_id.clone())
            .zip(org_refs)
            .collect();

        let mut person_rows: Vec<PlanRow> = persons
            .into_par_iter()
            .map(|p| {
                let company = person_organization
                    .get(&p.row.golden_id)
                    .and_then(|g| org_refs.get(g.as_str()))
                    .filter(|o| o.skipped.is_none())
                    .map(|o| CompanyView {
                        name: &o.name,
                        external_id: &o.external_id,
                        target_id: &o.target_id,
                    });
                decide(target, p, company, &crosswalk)
            })
            .collect();
        if let Some(s) = phase {
            for row in &mut person_rows {
                apply_phase(s, row);
            }
        }

        // An organization only in the target that a contact being sent points to
        // by external ID must carry that ID first.
        // (An API links by the CRM's own IDs: no need to touch such a record there.)
        if target.link == LinkBy::ExternalId && target.api.is_none() {
            let referenced: std::collections::HashSet<&str> = person_rows
                .iter()
                .filter(|row| matches!(row.action, Action::Create | Action::Update))
                .filter_map(|row| person_organization.get(&row.golden_id))
                .map(String::as_str)
                .collect();
            for row in org_rows.iter_mut() {
                let o = &org_refs[row.golden_id.as_str()];
                if o.only_in_target
                    && !o.in_crosswalk
                    && row.action == Action::Unchanged
                    && referenced.contains(row.golden_id.as_str())
                {
                    row.action = Action::Update;
                    row.reason = format!(
                        "only in the target: gets its golive ID {}, so its contacts can point to it",
                        o.external_id
                    );
                }
            }
        }

        let link_rows = link_rows(&person_rows, person_organization, &org_refs, &crosswalk);
        drop(org_refs);
        let mut rows =
            Vec::with_capacity(org_rows.len() + person_rows.len() + link_rows.len() + gone.len());
        rows.append(&mut org_rows);
        rows.extend(person_rows);
        rows.extend(link_rows);
        rows.extend(gone);
        Plan {
            target: target.name.clone(),
            rows,
        }
    }
}

/// Each person's link to its organization.
fn link_rows(
    person_rows: &[PlanRow],
    person_organization: &HashMap<String, String>,
    org_refs: &FastMap<String, OrgRef>,
    crosswalk: &FastMap<(&str, &str), &CrosswalkEntry>,
) -> Vec<PlanRow> {
    let mut link_rows = Vec::new();
    for row in person_rows {
        let Some(org_id) = person_organization.get(&row.golden_id) else {
            if let Some(before) = crosswalk.get(&("link", row.golden_id.as_str())) {
                link_rows.push(PlanRow {
                    entity: Entity::Link,
                    golden_id: row.golden_id.clone(),
                    action: Action::Skip,
                    target_id: before.target_id.clone(),
                    reason: format!(
                        "no organization now (was {}): the CRM keeps the link it has",
                        before.hash
                    ),
                    id_kind: before.id_kind,
                    hash: before.hash.clone(),
                    anchor: row.anchor.clone(),
                    values: Vec::new(),
                });
            }
            continue;
        };
        let org = org_refs.get(org_id.as_str());
        let (company_id, id_kind) = match org {
            Some(o) if !o.target_id.is_empty() => (o.target_id.clone(), IdKind::Crm),
            Some(o) => (o.external_id.clone(), IdKind::External),
            None => (String::new(), IdKind::External),
        };
        // A link that moves keeps where it was (the CRM ID of the company it
        // pointed to), so that an API load can take the old association away.
        let was = crosswalk
            .get(&("link", row.golden_id.as_str()))
            .filter(|e| e.hash != *org_id)
            .map(|e| e.target_id.clone());
        let (action, reason) = if row.action == Action::Skip {
            (
                Action::Skip,
                format!("the person is skipped: {}", row.reason),
            )
        } else if let Some(why) = org.and_then(|o| o.skipped.as_deref()) {
            (Action::Skip, format!("the organization is skipped: {why}"))
        } else if org.is_none() {
            (Action::Skip, format!("no organization {org_id}"))
        } else {
            match crosswalk.get(&("link", row.golden_id.as_str())) {
                Some(e) if e.hash == *org_id => (Action::Unchanged, String::new()),
                Some(e) => (Action::Update, format!("was {}", e.hash)),
                None => (Action::Create, String::new()),
            }
        };
        link_rows.push(PlanRow {
            entity: Entity::Link,
            golden_id: row.golden_id.clone(),
            action,
            target_id: company_id,
            reason,
            id_kind,
            hash: org_id.clone(),
            anchor: row.anchor.clone(),
            values: match (action, was) {
                (Action::Update, Some(was)) => vec![was],
                _ => Vec::new(),
            },
        });
    }
    link_rows
}

/// Crosswalk entries whose golden record is gone: merged into another, or no
/// longer in the sources.
fn gone_rows(
    entries: &[CrosswalkEntry],
    current: &FastSet<&str>,
    golden_of_member: &HashMap<String, String>,
) -> Vec<PlanRow> {
    let mut gone: Vec<PlanRow> = entries
        .iter()
        .filter(|e| !current.contains(e.golden_id.as_str()))
        .map(|e| {
            let entity = match e.entity.as_str() {
                "organization" => Entity::Organization,
                "person" => Entity::Person,
                _ => Entity::Link,
            };
            let reason = match golden_of_member.get(&e.anchor) {
                Some(now) if now != &e.golden_id => format!(
                    "{MERGED} {now} since the last load: merge the two in the CRM ({} stays there)",
                    e.target_id
                ),
                _ => format!("{GONE} since the last load: left in the CRM, not deleted"),
            };
            PlanRow {
                entity,
                golden_id: e.golden_id.clone(),
                action: Action::Skip,
                target_id: e.target_id.clone(),
                reason,
                id_kind: e.id_kind,
                hash: e.hash.clone(),
                anchor: e.anchor.clone(),
                values: Vec::new(),
            }
        })
        .collect();
    gone.sort_by(|a, b| (a.entity, &a.golden_id).cmp(&(b.entity, &b.golden_id)));
    gone
}

/// A phased load: records for a later phase wait (a skip naming the phase);
/// organizations brought forward by their contacts say so.
fn apply_phase(s: &phase::Selection, row: &mut PlanRow) {
    if !matches!(row.action, Action::Create | Action::Update) {
        return;
    }
    if let Some(why) = s.deferred.get(&row.golden_id) {
        row.action = Action::Skip;
        row.reason = why.clone();
    } else if s.pulled.contains(&row.golden_id) {
        let note = format!("brought into phase `{}` by its contacts", s.phase);
        row.reason = if row.reason.is_empty() {
            note
        } else {
            format!("{}; {note}", row.reason)
        };
    }
}

/// The external ID golive gives a golden record in `target`.
pub fn external_id(target: &Target, golden_id: &str) -> String {
    format!("{}{golden_id}", target.external_id_prefix)
}

/// A record's file row before its company is known: its own columns, and
/// the ID it has (or will have) in the target.
fn render(
    target: &Target,
    r: &Record,
    crosswalk: &FastMap<(&str, &str), &CrosswalkEntry>,
) -> Rendered {
    let entity = Entity::of(r.party.kind);
    let external = external_id(target, &r.golden_id);
    let (target_id, id_kind) = match crosswalk.get(&(entity.as_str(), r.golden_id.as_str())) {
        Some(e) => (e.target_id.clone(), e.id_kind),
        None => match r.existing.first() {
            Some(id) => (id.clone(), IdKind::Crm),
            None => (external.clone(), IdKind::External),
        },
    };
    let crm_id = if id_kind == IdKind::Crm {
        target_id.as_str()
    } else {
        ""
    };
    let view = RecordView {
        golden_id: &r.golden_id,
        party: &r.party,
        external_id: &external,
        target_id: crm_id,
        company: None,
    };
    let values = target
        .files(r.party.kind)
        .columns
        .iter()
        .map(|c| view.value(&c.value))
        .collect();
    Rendered {
        row: PlanRow {
            entity,
            golden_id: r.golden_id.clone(),
            action: Action::Create,
            target_id,
            reason: String::new(),
            id_kind,
            hash: String::new(),
            anchor: r.anchor.clone(),
            values,
        },
        twins: r.existing.iter().skip(1).cloned().collect(),
        source_members: r.source_members,
        name: if entity == Entity::Organization {
            r.party.display_name().trim().to_string()
        } else {
            String::new()
        },
    }
}

/// A rendered record's row with its company's columns, its content hash, and
/// what the load does with it.
fn decide(
    target: &Target,
    mut r: Rendered,
    company: Option<CompanyView<'_>>,
    crosswalk: &FastMap<(&str, &str), &CrosswalkEntry>,
) -> PlanRow {
    let kind = if r.row.entity == Entity::Person {
        Kind::Person
    } else {
        Kind::Organization
    };
    let files = target.files(kind);
    if let Some(company) = &company {
        for (c, v) in files.columns.iter().zip(r.row.values.iter_mut()) {
            if let Some(value) = target::company_value(&c.value, company) {
                *v = value;
            }
        }
    }
    let values = &r.row.values;
    let hash = content_hash(target, kind, values);
    let missing = files.required.iter().find(|req| {
        files
            .columns
            .iter()
            .zip(values)
            .any(|(c, v)| &c.header == *req && v.trim().is_empty())
    });
    let twins = if r.twins.is_empty() {
        String::new()
    } else {
        format!(
            "; also in the target as {}: duplicates there, merge them in the CRM",
            r.twins.join(", ")
        )
    };
    let before = crosswalk.get(&(r.row.entity.as_str(), r.row.golden_id.as_str()));
    let id_kind = r.row.id_kind;
    let (action, reason) = if let Some(req) = missing {
        (
            Action::Skip,
            format!("no value for {req}, which {} requires", target.name),
        )
    } else if r.source_members == 0 {
        (Action::Unchanged, format!("{ONLY_IN_TARGET}{twins}"))
    } else {
        match before {
            Some(e) if e.hash == hash => (
                Action::Unchanged,
                twins.trim_start_matches("; ").to_string(),
            ),
            Some(e) if e.id_kind == IdKind::External && !target.upsert => (
                Action::Skip,
                format!(
                    "changed since the last load, but {}'s import cannot update a record by its golive ID: list the CRM's export of it in [target] existing, so it is updated by its ID",
                    target.name
                ),
            ),
            Some(_) => (
                Action::Update,
                format!("changed since the last load{twins}"),
            ),
            None if id_kind == IdKind::Crm => (
                Action::Update,
                format!("already in the target as {}{twins}", r.row.target_id),
            ),
            None => (Action::Create, String::new()),
        }
    };
    let mut row = r.row;
    if id_kind == IdKind::External && !target.upsert && action == Action::Create {
        // The CRM gives the ID; golive's external ID travels in its own column.
        row.target_id = String::new();
    }
    row.action = action;
    row.reason = reason;
    row.hash = hash;
    row
}

#[cfg(test)]
mod tests;
