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
    for source in &config.sources {
        let outcome = ingest_source(ws, source, &profiles, &progress)?;
        if !quiet {
            print_outcome(&outcome);
        }
    }
    Ok(())
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
