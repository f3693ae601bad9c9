//! `golive load [DIR] [--dry-run] [--target NAME] [--all] [--limit N] [--only E]`:
//! the plan, then the target CRM's import files or its API.

use crate::cli::{LoadArgs, Only};
use crate::config::Config;
use crate::load::Entity;
use crate::load::api::Scope;
use crate::pipeline::load::{LoadOptions, LoadReport};
use crate::workspace::Workspace;
use crate::workspace::lock::RunLock;

pub fn run(a: &LoadArgs, quiet: bool) -> anyhow::Result<()> {
    let config = Config::load(&a.project.dir)?;
    let mut lock = RunLock::acquire(&config.dir)?;
    lock.enter("load")?;
    let mut ws = Workspace::open(&config.dir)?;
    let bars = super::progress::Bars::new(quiet);
    let report = crate::pipeline::load::run(
        &config,
        &mut ws,
        &bars,
        &LoadOptions {
            dry_run: a.dry_run,
            target: a.target.clone(),
            all: a.all,
            scope: Scope {
                limit: a.limit,
                only: a.only.map(|o| match o {
                    Only::Organizations => Entity::Organization,
                    Only::Persons => Entity::Person,
                }),
            },
            phase: a.phase.clone(),
            all_phases: a.all_phases,
        },
    )?;
    lock.finish()?;
    if !quiet {
        print(&report, &config);
    }
    if let Some(api) = &report.api
        && api.errors > 0
    {
        anyhow::bail!(
            "{} of {} records were refused by {}: their reasons are in {} (fix them and run `golive load` again: only they are sent)",
            api.errors,
            api.sent,
            report.target,
            config.out_dir().join("load-log.csv").display()
        );
    }
    Ok(())
}

pub fn print(r: &LoadReport, config: &Config) {
    let what = if r.dry_run {
        "load plan (dry run: nothing written)"
    } else {
        "load"
    };
    crate::say!("{what} → {}: {}", r.target, r.title);
    if let Some(p) = &r.phase {
        let each: Vec<String> = p.phases.iter().map(|(n, c)| format!("{n} {c}")).collect();
        crate::say!(
            "  phase `{}` (and the phases before it): {} golden records wait, {} organizations come early for their contacts; each phase selects {}",
            p.name,
            p.deferred,
            p.pulled,
            each.join(", ")
        );
    }
    crate::say!(
        "  {:<13} {:>9} {:>9} {:>9} {:>9}",
        "",
        "create",
        "update",
        "unchanged",
        "skip"
    );
    for e in &r.summary.entities {
        crate::say!(
            "  {:<13} {:>9} {:>9} {:>9} {:>9}",
            e.entity,
            e.create,
            e.update,
            e.unchanged,
            e.skip
        );
    }
    for e in &r.summary.entities {
        for (reason, n) in &e.skip_reasons {
            crate::say!("  {} skipped, {n}: {reason}", e.entity);
        }
    }
    let gone: usize = r.summary.entities.iter().map(|e| e.gone).sum();
    if gone > 0 {
        crate::say!(
            "  {gone} sent before and no longer in the sources: reported, never deleted in the CRM"
        );
    }
    let out = config.out_dir();
    crate::say!("  plan: {}", out.join("load-plan.csv").display());
    if let Some(folder) = &r.folder {
        let rows: usize = r.files.iter().map(|f| f.rows).sum();
        crate::say!(
            "  files: {} ({} files, {rows} rows; IMPORT.txt says how to upload them)",
            config.dir.join(folder).display(),
            r.files.len()
        );
        crate::say!("  log: {}", out.join("load-log.csv").display());
    } else if let Some(api) = &r.api {
        crate::say!(
            "  sent {} records in {} requests; {} refused; retried {} throttled, {} server errors, {} connection errors",
            api.sent,
            api.requests,
            api.errors,
            api.retries.throttled,
            api.retries.server_errors,
            api.retries.connection_errors
        );
        for note in &api.notes {
            crate::say!("  note: {note}");
        }
        crate::say!("  log: {}", out.join("load-log.csv").display());
    } else {
        crate::say!(
            "  `golive load {}` writes the import files",
            config.dir.display()
        );
    }
}
