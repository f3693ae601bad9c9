//! `golive ingest [DIR]`: every source into the workspace.

use crate::config::Config;
use crate::ingest::profiles::ProfileSet;
use crate::ingest::stage::{SourceOutcome, ingest_source};
use crate::progress::Progress;
use crate::workspace::Workspace;

/// Every source into the workspace; unchanged files are skipped.
pub fn stage(
    config: &Config,
    ws: &mut Workspace,
    progress: Progress,
    quiet: bool,
) -> anyhow::Result<()> {
    let profiles = ProfileSet::for_project(&config.dir)?;
    if config.sources.is_empty() {
        anyhow::bail!(crate::Error::bad_input(
            config.dir.join(crate::config::FILE_NAME),
            "no [[source]] configured: add one per file (see `golive init`)"
        ));
    }
    // One bad source is reported and the others are still ingested; the
    // stage fails at the end (see `SourcesFailed`).
    let mut failed: Vec<String> = Vec::new();
    for source in &config.sources {
        match ingest_source(ws, source, &profiles, &progress) {
            Ok(outcome) => {
                if !quiet {
                    print_outcome(&outcome);
                }
            }
            Err(e @ (crate::Error::BadInput { .. } | crate::Error::Io { .. })) => {
                eprintln!("ingest  {}: FAILED: {e}", source.name);
                failed.push(format!("{}: {e}", source.name));
            }
            Err(e) => return Err(e.into()),
        }
    }
    // Sources no longer in golive.toml (or its globs) are retired, not kept silently.
    for name in ws.active_sources()? {
        if !config.sources.iter().any(|s| s.name == name) {
            let version = ws.retire_source(&name)?;
            if !quiet {
                crate::say!(
                    "ingest  {name}: retired (version {version}): no longer in golive.toml; its rows leave the outputs, its history stays"
                );
            }
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    let n = config.sources.len();
    Err(anyhow::Error::new(crate::Error::bad_input(
        config.dir.join(crate::config::FILE_NAME),
        format!(
            "{} of {n} sources could not be ingested (the others were): {}",
            failed.len(),
            failed.join("; ")
        ),
    ))
    .context(SourcesFailed))
}

/// Some sources failed and the rest were ingested: later stages still run on
/// what was read, and the command exits non-zero at the end.
#[derive(Debug)]
pub struct SourcesFailed;

impl std::fmt::Display for SourcesFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ingest")
    }
}

/// After every stage ran: a source nothing usable came from fails the run (exit 1).
pub fn check_sources(ws: &Workspace) -> anyhow::Result<()> {
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
    anyhow::bail!(
        "{} source table(s) gave nothing usable: {}",
        bad.len(),
        list.join("; ")
    )
}

fn print_outcome(o: &SourceOutcome) {
    match o {
        SourceOutcome::Unchanged { source, version } => {
            crate::say!("ingest  {source}: unchanged (version {version})")
        }
        SourceOutcome::Ingested {
            source,
            version,
            tables,
            skipped,
        } => {
            for t in tables {
                let sheet = t
                    .sheet
                    .as_ref()
                    .map_or(String::new(), |s| format!(" [{s}]"));
                crate::say!(
                    "ingest  {source}{sheet}: version {version}, profile {}, {} rows, {} rejected",
                    t.profile,
                    t.counts.rows,
                    t.counts.rejects
                );
                for w in &t.warnings {
                    crate::say!("        warning: {w}");
                }
            }
            for s in skipped {
                crate::say!(
                    "ingest  {source}: sheet `{}` skipped: {}",
                    s.sheet,
                    s.reason
                );
            }
        }
    }
}
