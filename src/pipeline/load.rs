//! The load stage: the plan from the workspace, then (unless a dry run) the
//! target's import files, the crosswalk and the load log.
//!
//! Order of a real load: plan and files are staged; the files move into
//! `out/load/<crm>/`; then the crosswalk records what they carry; then the
//! log. A kill before the crosswalk commit leaves it as it was, so the next
//! load plans the same rows again — keyed by external ID, never twins.
//!
//! An API load (`mode = "api"`) sends the plan batch by batch and records each
//! confirmed batch in the crosswalk before the next, so a load cut off anywhere
//! goes on from there.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::export::{SafeCsv, StagedOutputs, finish};
use crate::load::api;
use crate::load::files::{self, WrittenFile};
use crate::load::http::{Client, Secret, safe_for_credentials};
use crate::load::phase::{Candidate, Phases};
use crate::load::target::{ApiAuth, Target};
use crate::load::{self, Action, Entity, Plan, Planner, Record, Summary};
use crate::matching::golden_id::is_row_number_key;
use crate::model::{Field, Kind, OrgName, Party};
use crate::normalize::text::FastMap;
use crate::progress::{Progress, Work};
use crate::workspace::Workspace;
use crate::workspace::crosswalk::{CrosswalkEntry, IdKind, LoadRun, LogEntry};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;

#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub dry_run: bool,
    /// A target profile other than golive.toml's `crm`.
    pub target: Option<String>,
    /// Write unchanged records too (a full re-import).
    pub all: bool,
    /// API loads: send at most this many records (and only this entity).
    pub scope: crate::load::api::Scope,
    /// `--phase`: load what the `[[phase]]`s up to this one select.
    pub phase: Option<String>,
    /// `--all-phases`: a real load of everything although golive.toml has phases.
    pub all_phases: bool,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LoadReport {
    pub target: String,
    pub title: String,
    pub dry_run: bool,
    pub summary: Summary,
    /// `out/load/<crm>` (relative to the project), for a real load.
    pub folder: Option<String>,
    pub files: Vec<WrittenFile>,
    /// An API load's requests, records sent, refusals and retries.
    pub api: Option<crate::load::api::ApiReport>,
    /// A phased load: what it left for later phases.
    pub phase: Option<PhaseReport>,
}

/// What a `--phase` load took and left.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PhaseReport {
    pub name: String,
    /// Golden records waiting for a later phase, or in no phase.
    pub deferred: usize,
    /// Organizations loaded before their phase because a contact in this one works there.
    pub pulled: usize,
    /// Golden records each `[[phase]]` selects first, in golive.toml's order.
    pub phases: Vec<(String, usize)>,
}

pub const PLAN_HEADER: [&str; 5] = ["entity", "golden_id", "action", "target_id", "reason"];

/// The target profile the project (or `--target`) names.
pub fn target_of(config: &Config, name: Option<&str>) -> Result<Target> {
    let toml = config.dir.join(crate::config::FILE_NAME);
    let Some(tc) = &config.target else {
        return Err(Error::bad_input(
            &toml,
            "no [target]: add one naming the CRM, e.g.\n[target]\ncrm = \"salesforce\"   # or hubspot, bitrix24, amocrm, odoo, zoho, csv",
        ));
    };
    Target::from_config(tc, name, &toml)
}

/// What a load would refuse that golive.toml or the command line says: checked
/// before a run's first stage, not after its match.
pub fn check(config: &Config, options: &LoadOptions) -> Result<()> {
    target_of(config, options.target.as_deref())?;
    if let Some(name) = &options.phase {
        config.phase(name)?;
    } else if !options.dry_run && !options.all_phases && !config.phases.is_empty() {
        // A phased migration loads a pilot, then a region: a real load that
        // forgot which one must not send everything.
        let names: Vec<&str> = config.phases.iter().map(|p| p.name.as_str()).collect();
        return Err(Error::Usage(format!(
            "golive.toml has [[phase]]s ({}): a real load names the one it goes live with (`--phase {}` loads every phase up to it), or `--all-phases` to load everything",
            names.join(", "),
            names[0]
        )));
    }
    Phases::compile(config).map(drop)
}

/// Plan the load (and, unless a dry run, do it).
pub fn run(
    config: &Config,
    ws: &mut Workspace,
    progress: &dyn Progress,
    options: &LoadOptions,
) -> Result<LoadReport> {
    check(config, options)?;
    let target = target_of(config, options.target.as_deref())?;
    let task = progress.task("plan the load", Work::Uncounted);
    let (plan, phase) = plan_phase(config, ws, &target, options.phase.as_deref())?;
    ws.store_plan(
        &target.name,
        options.dry_run,
        options.phase.as_deref().unwrap_or(""),
        plan.rows
            .iter()
            .filter(|r| r.entity != Entity::Link)
            .map(|r| {
                (
                    r.entity.as_str(),
                    r.golden_id.as_str(),
                    r.action.as_str(),
                    r.reason.as_str(),
                )
            }),
    )?;
    task.finish();
    let summary = plan.summary();
    let mut outputs = StagedOutputs::new(config)?;
    write_plan(&mut outputs, &plan, "load-plan.csv", None)?;
    if options.dry_run {
        outputs.commit(&[])?;
        return Ok(LoadReport {
            target: target.name.clone(),
            title: target.title.clone(),
            dry_run: true,
            summary,
            folder: None,
            files: Vec::new(),
            api: None,
            phase,
        });
    }
    if target.api.is_some() {
        outputs.commit(&[])?;
        let mut report = run_api(config, ws, progress, options, &target, plan, summary)?;
        report.phase = phase;
        return Ok(report);
    }
    let task = progress.task("write the import files", Work::Uncounted);
    let folder = format!("load/{}", target.name);
    let dir = outputs.dir(&folder)?;
    let written = files::write(&target, &plan, &dir, options.all)?;
    task.finish();
    outputs.commit(&[])?;

    let now = crate::workspace::lock::utc_now();
    let entries: Vec<CrosswalkEntry> = plan
        .rows
        .iter()
        .filter(|r| matches!(r.action, Action::Create | Action::Update))
        .map(|r| CrosswalkEntry {
            entity: r.entity.as_str().to_string(),
            golden_id: r.golden_id.clone(),
            target_id: if r.target_id.is_empty() {
                load::external_id(&target, &r.golden_id)
            } else {
                r.target_id.clone()
            },
            id_kind: r.id_kind,
            hash: r.hash.clone(),
            anchor: r.anchor.clone(),
            action: r.action.as_str().to_string(),
            loaded_at: now.clone(),
        })
        .collect();
    let counts = serde_json::json!({ "summary": &summary, "files": &written });
    ws.record_load(
        &target.name,
        &entries,
        &[],
        Some(&LoadRun {
            target: target.name.clone(),
            mode: "files".into(),
            finished_at: now,
            counts_json: counts.to_string(),
        }),
    )?;
    let mut log = StagedOutputs::new(config)?;
    write_plan(&mut log, &plan, "load-log.csv", Some(&|_| String::new()))?;
    log.commit(&[])?;
    Ok(LoadReport {
        target: target.name.clone(),
        title: target.title.clone(),
        dry_run: false,
        summary,
        folder: Some(format!("out/{folder}")),
        files: written,
        api: None,
        phase,
    })
}

/// Send the plan through the target's API, recording every confirmed batch.
fn run_api(
    config: &Config,
    ws: &mut Workspace,
    progress: &dyn Progress,
    options: &LoadOptions,
    target: &Target,
    plan: Plan,
    summary: Summary,
) -> Result<LoadReport> {
    let Some(api) = &target.api else {
        return Err(Error::Failed("not an API target".into()));
    };
    let token = std::env::var(&api.token_env)
        .ok()
        .filter(|t| !t.trim().is_empty());
    let Some(token) = token else {
        let what = match api.auth {
            ApiAuth::Bearer => "the access token",
            ApiAuth::Webhook => "the inbound webhook's URL",
        };
        return Err(Error::Usage(format!(
            "set {} to {what} of your {}: golive reads it from the environment only, never from golive.toml",
            api.token_env, target.name
        )));
    };
    let client = match api.auth {
        ApiAuth::Bearer => Client::new(&api.base_url, Some(Secret::new(token)), api.limit),
        ApiAuth::Webhook => {
            let url = token.trim();
            if !safe_for_credentials(url) {
                return Err(Error::Usage(format!(
                    "{} must hold the inbound webhook's URL (https://<portal>/rest/<user>/<secret>/)",
                    api.token_env
                )));
            }
            Client::new(url, None, api.limit)
        }
    };
    let rows = options.scope.select(&plan);
    let known: HashMap<(Entity, String), String> = plan
        .rows
        .iter()
        .filter(|r| r.entity != Entity::Link && r.id_kind == IdKind::Crm && !r.target_id.is_empty())
        .map(|r| ((r.entity, r.golden_id.clone()), r.target_id.clone()))
        .collect();
    let task = progress.task(
        &format!("send to {}", target.name),
        Work::Rows(rows.len() as u64),
    );
    // This load's entries in the workspace's load log.
    let run = format!(
        "{} #{}",
        crate::workspace::lock::utc_now(),
        std::process::id()
    );
    let outcome = {
        let mut session = api::Session {
            client: &client,
            batch: api.batch,
            workers: api.workers,
            known,
            progress: task.as_ref(),
        };
        let mut confirmed = |done: &[api::Done]| -> Result<()> {
            let now = crate::workspace::lock::utc_now();
            let entries: Vec<CrosswalkEntry> = done
                .iter()
                .filter(|d| d.error.is_none())
                .map(|d| CrosswalkEntry {
                    entity: d.entity.as_str().to_string(),
                    golden_id: d.golden_id.clone(),
                    target_id: d.target_id.clone(),
                    id_kind: IdKind::Crm,
                    hash: d.hash.clone(),
                    anchor: d.anchor.clone(),
                    action: d.action.as_str().to_string(),
                    loaded_at: now.clone(),
                })
                .collect();
            let log: Vec<LogEntry> = done
                .iter()
                .map(|d| LogEntry {
                    run: run.clone(),
                    entity: d.entity.as_str().to_string(),
                    golden_id: d.golden_id.clone(),
                    action: d.action.as_str().to_string(),
                    target_id: d.target_id.clone(),
                    error: d.error.clone().unwrap_or_default(),
                    at: now.clone(),
                })
                .collect();
            ws.record_load(&target.name, &entries, &log, None)
        };
        api::load(&target.name, target, &rows, &mut session, &mut confirmed)
    };
    task.finish();
    // `out/load-log.csv` renders the workspace's log of this load for every
    // planned row, also when the load stopped: sent, refused (the CRM's
    // words), or not sent.
    let logged: HashMap<(String, String), String> = ws
        .load_log(&target.name, &run)?
        .into_iter()
        .map(|l| ((l.entity, l.golden_id), l.error))
        .collect();
    let stopped = outcome.as_ref().err().map(ToString::to_string);
    let in_scope: std::collections::HashSet<(Entity, &str)> = rows
        .iter()
        .map(|r| (r.entity, r.golden_id.as_str()))
        .collect();
    let error_of = |r: &load::PlanRow| -> String {
        if let Some(e) = logged.get(&(r.entity.as_str().to_string(), r.golden_id.clone())) {
            return e.clone();
        }
        if !matches!(r.action, Action::Create | Action::Update) {
            return String::new();
        }
        if !in_scope.contains(&(r.entity, r.golden_id.as_str())) {
            return "not sent: outside --limit / --only".into();
        }
        match &stopped {
            Some(_) => "not sent: the load stopped before it".into(),
            None => String::new(),
        }
    };
    let mut log = StagedOutputs::new(config)?;
    write_plan(&mut log, &plan, "load-log.csv", Some(&error_of))?;
    log.commit(&[])?;
    let report = outcome?;
    let now = crate::workspace::lock::utc_now();
    let counts = serde_json::json!({ "summary": &summary, "api": &report });
    ws.record_load(
        &target.name,
        &[],
        &[],
        Some(&LoadRun {
            target: target.name.clone(),
            mode: "api".into(),
            finished_at: now,
            counts_json: counts.to_string(),
        }),
    )?;
    Ok(LoadReport {
        target: target.name.clone(),
        title: target.title.clone(),
        dry_run: false,
        summary,
        folder: None,
        files: Vec::new(),
        api: Some(report),
        phase: None,
    })
}

/// `out/load-plan.csv`; with `errors`, `out/load-log.csv` (one more column).
fn write_plan(
    outputs: &mut StagedOutputs,
    plan: &Plan,
    name: &str,
    errors: Option<&dyn Fn(&load::PlanRow) -> String>,
) -> Result<()> {
    let path = outputs.path(name);
    let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
    let mut w = SafeCsv::with_bom(std::io::BufWriter::new(file), outputs.bom())
        .map_err(|e| Error::io(&path, e))?;
    let fail = |e: csv::Error| Error::io(Path::new(name), std::io::Error::other(e));
    let mut header: Vec<&str> = PLAN_HEADER.to_vec();
    if errors.is_some() {
        header.push("error");
    }
    w.row(&header).map_err(fail)?;
    for r in &plan.rows {
        let error = errors.map(|f| f(r));
        let mut row = vec![
            r.entity.as_str(),
            &r.golden_id,
            r.action.as_str(),
            &r.target_id,
            &r.reason,
        ];
        if let Some(e) = &error {
            row.push(e);
        }
        w.row(row).map_err(fail)?;
    }
    finish(w, Path::new(name))
}

/// The plan for `target` from the workspace, changing nothing.
pub fn plan(config: &Config, ws: &Workspace, target: &Target) -> Result<Plan> {
    Ok(plan_phase(config, ws, target, None)?.0)
}

/// The plan of a load of `phase` (all of it without one), and what the phase left.
fn plan_phase(
    config: &Config,
    ws: &Workspace,
    target: &Target,
    phase: Option<&str>,
) -> Result<(Plan, Option<PhaseReport>)> {
    if let Some(name) = phase {
        config.phase(name)?;
    }
    // A bad `where` fails before the workspace is read (only a phased load
    // needs them: status and a load of everything do not).
    let phases = phase.map(|_| Phases::compile(config)).transpose()?;
    if !ws.stage_is_current("link")? {
        return Err(Error::Failed(format!(
            "the link stage is out of date (or has not run): run `golive run {}` first",
            config.dir.display()
        )));
    }
    let existing = existing_members(config, ws, target)?;
    let golden_of_member = ws.golden_keys()?;
    // A record's anchor in the crosswalk: its smallest member identity.
    let mut anchors: FastMap<&str, &str> = FastMap::default();
    anchors.reserve(golden_of_member.len());
    for (member, golden) in &golden_of_member {
        let a = anchors.entry(golden.as_str()).or_insert(member.as_str());
        if member.as_str() < *a {
            *a = member.as_str();
        }
    }
    // A phase may select by source: the sources of each record's members.
    let mut sources: HashMap<&str, Vec<String>> = HashMap::new();
    if phases.is_some() {
        for (member, golden) in &golden_of_member {
            if let Some((source, _)) = member.split_once('\u{1f}') {
                sources.entry(golden).or_default().push(source.to_string());
            }
        }
    }
    let crosswalk = ws.crosswalk(&target.name)?;
    let person_organization = person_organizations(ws)?;

    // Each page of golden records is rendered and let go: the plan keeps
    // file rows, not parties.
    let mut planner = Planner::new(target, &crosswalk);
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut add =
        |records: Vec<Record>| {
            if let Some(phases) = &phases {
                let none = Vec::new();
                candidates.par_extend(records.par_iter().map(|r| {
                    phases.candidate(r, sources.get(r.golden_id.as_str()).unwrap_or(&none))
                }));
            }
            planner.add(&records);
            records.into_par_iter().for_each(drop);
        };
    ws.golden_pages(20_000, |page| {
        let records = page
            .par_iter()
            .map(|(golden_id, json)| {
                let g: StoredGolden = serde_json::from_str(json).map_err(|e| {
                    Error::Failed(format!(
                        "golden record {golden_id} in the workspace cannot be read ({e}): run `golive match` again"
                    ))
                })?;
                let ids = existing.get(golden_id).cloned().unwrap_or_default();
                Ok(Record {
                    golden_id: golden_id.clone(),
                    source_members: g.members.len().saturating_sub(ids.len()),
                    existing: ids,
                    anchor: anchors
                        .get(golden_id.as_str())
                        .map_or_else(String::new, |a| a.to_string()),
                    party: g.record,
                })
            })
            .collect::<Result<Vec<Record>>>()?;
        add(records);
        Ok(())
    })?;
    add(created_organizations(ws)?);

    let report = match (phase, &phases) {
        (Some(name), Some(phases)) => {
            // In the CRM: what was loaded, under its golden ID then and now
            // (a record merged since then carries on where it went).
            let loaded: HashSet<&str> = crosswalk
                .iter()
                .filter(|e| e.entity != Entity::Link.as_str())
                .flat_map(|e| {
                    [
                        Some(e.golden_id.as_str()),
                        golden_of_member.get(&e.anchor).map(String::as_str),
                    ]
                })
                .flatten()
                .collect();
            let selection = phases.select(name, &candidates, &person_organization, &loaded)?;
            let report = PhaseReport {
                name: name.to_string(),
                deferred: selection.deferred.len(),
                pulled: selection.pulled.len(),
                phases: phases.counts(&candidates),
            };
            Some((selection, report))
        }
        _ => None,
    };
    let plan = planner.finish(
        &person_organization,
        &golden_of_member,
        report.as_ref().map(|(selection, _)| selection),
    );
    Ok((plan, report.map(|(_, report)| report)))
}

/// What the load reads of a stored `GoldenByRow`: the rest (which row gave which
/// value) is skipped unparsed.
#[derive(serde::Deserialize)]
struct StoredGolden {
    members: Vec<i64>,
    record: Party,
}

/// CRM record IDs of each golden record's members from the target's own export.
fn existing_members(
    config: &Config,
    ws: &Workspace,
    target: &Target,
) -> Result<HashMap<String, Vec<String>>> {
    let existing_sources: Vec<String> = config
        .sources
        .iter()
        .filter(|s| s.existing)
        .map(|s| s.name.clone())
        .collect();
    let mut existing: HashMap<String, Vec<String>> = HashMap::new();
    for (golden, source, key) in ws.existing_members(&existing_sources)? {
        let file = || {
            let rel = config
                .sources
                .iter()
                .find(|s| s.name == source)
                .map_or_else(|| source.clone(), |s| s.rel_path.clone());
            config.dir.join(rel)
        };
        if is_row_number_key(&key) {
            return Err(Error::bad_input(
                file(),
                format!(
                    "this export of {} has no record ID column, so golive cannot update its records: export them again with the record ID (Id, Record ID, ID, External ID)",
                    target.name
                ),
            ));
        }
        if let Some(advice) = &target.numeric_id_advice
            && !key.is_empty()
            && key.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Error::bad_input(
                file(),
                format!(
                    "record ID {key} is a database ID, which {}'s import would take for a new record: {advice}",
                    target.name
                ),
            ));
        }
        existing.entry(golden).or_default().push(key);
    }
    Ok(existing)
}

/// Organizations that link made from persons' company names, as golden records.
fn created_organizations(ws: &Workspace) -> Result<Vec<Record>> {
    let mut records = Vec::new();
    for (golden_id, name) in ws.created_organizations()? {
        let mut party = Party {
            kind: Kind::Organization,
            org: Some(OrgName {
                input: name.clone(),
                name: name.clone(),
                ..OrgName::default()
            }),
            ..Party::default()
        };
        party.original.insert(Field::Name, name);
        records.push(Record {
            anchor: format!("created\u{1f}{golden_id}"),
            golden_id,
            party,
            existing: Vec::new(),
            source_members: 1,
        });
    }
    Ok(records)
}

/// Person golden ID → the organization golden ID it goes with.
fn person_organizations(ws: &Workspace) -> Result<HashMap<String, String>> {
    // A person whose rows link to different organizations goes with the
    // steward's choice, else the organization most of its rows name.
    let mut votes: HashMap<String, HashMap<String, (bool, usize)>> = HashMap::new();
    for (person, org, method) in ws.person_organizations()? {
        let v = votes.entry(person).or_default().entry(org).or_default();
        v.0 |= method == "steward";
        v.1 += 1;
    }
    Ok(votes
        .into_iter()
        .filter_map(|(person, orgs)| {
            // (steward, rows) decide; equal ones go to the smaller golden ID.
            orgs.into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(org, _)| (person, org))
        })
        .collect())
}
