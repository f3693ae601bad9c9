//! `golive ingest [DIR]`: every source into the workspace.

use crate::pipeline::ingest::{IngestReport, SourceOutcome};

pub fn print(r: &IngestReport) {
    for o in &r.sources {
        print_outcome(o);
    }
    for (name, e) in &r.failed {
        eprintln!("ingest  {name}: FAILED: {e}");
    }
    for (name, version) in &r.retired {
        crate::say!(
            "ingest  {name}: retired (version {version}): no longer in golive.toml; its rows leave the outputs, its history stays"
        );
    }
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
                let c = &t.counts;
                let own = c.read.physical - c.read.blank;
                let mut extra = String::new();
                if c.read.blank > 0 {
                    extra.push_str(&format!(", {} blank skipped", c.read.blank));
                }
                if c.rows > own {
                    extra.push_str(&format!(
                        ", {} second parties from the same rows",
                        c.rows - own
                    ));
                }
                crate::say!(
                    "ingest  {source}{sheet}: version {version}, profile {}, {own} rows, {} rejected{extra}",
                    t.profile,
                    c.rejects
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
