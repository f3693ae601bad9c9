//! `golive ingest [DIR]`: every source into the workspace.

use crate::cli::ProjectArgs;
use crate::config::Config;
use crate::ingest::profiles::ProfileSet;
use crate::ingest::stage::{SourceOutcome, ingest_source};
use crate::progress::Progress;
use crate::workspace::Workspace;

pub fn run(args: &ProjectArgs, progress: Progress, quiet: bool) -> anyhow::Result<()> {
    let config = Config::load(&args.dir)?;
    let mut ws = Workspace::open(&args.dir)?;
    stage(&config, &mut ws, progress, quiet)?;
    Ok(())
}

/// The ingest stage of `run`: returns how many sources were (re)read.
pub fn stage(
    config: &Config,
    ws: &mut Workspace,
    progress: Progress,
    quiet: bool,
) -> anyhow::Result<usize> {
    let profiles = ProfileSet::for_project(&config.dir)?;
    if config.sources.is_empty() {
        anyhow::bail!(crate::Error::bad_input(
            config.dir.join(crate::config::FILE_NAME),
            "no [[source]] configured: add one per file (see `golive init`)"
        ));
    }
    let mut changed = 0;
    for source in &config.sources {
        let outcome = ingest_source(ws, source, &profiles, &progress)?;
        if !quiet {
            print_outcome(&outcome);
        }
        changed += usize::from(matches!(outcome, SourceOutcome::Ingested { .. }));
    }
    Ok(changed)
}

fn print_outcome(o: &SourceOutcome) {
    match o {
        SourceOutcome::Unchanged { source, version } => {
            println!("ingest  {source}: unchanged (version {version})")
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
                println!(
                    "ingest  {source}{sheet}: version {version}, profile {}, {} rows, {} rejected",
                    t.profile, t.counts.rows, t.counts.rejects
                );
                for w in &t.warnings {
                    println!("        warning: {w}");
                }
            }
            for s in skipped {
                println!(
                    "ingest  {source}: sheet `{}` skipped: {}",
                    s.sheet, s.reason
                );
            }
        }
    }
}
