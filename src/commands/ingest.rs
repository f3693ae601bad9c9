//! `golive ingest [DIR]`: every source into the workspace.

use crate::pipeline::ingest::{IngestReport, SourceOutcome};

pub fn print(r: &IngestReport) {
    if !r.fix_files.is_empty() {
        crate::say!("ingest  fixed rejects read from {}", r.fix_files.join(", "));
    }
    for (name, n) in &r.fixes_for_unknown_sources {
        crate::say!(
            "        warning: {n} fixed row(s) name source `{name}`, which golive.toml does not have: keep the `source` column as golive wrote it"
        );
    }
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
                if t.fixed > 0 {
                    crate::say!("        {} rejected row(s) read from their fix", t.fixed);
                }
                if !t.fixes_not_applied.is_empty() {
                    let rows: Vec<String> =
                        t.fixes_not_applied.iter().map(u64::to_string).collect();
                    crate::say!(
                        "        warning: the fix of row(s) {} left alone: the row there now is not the one rejected (fixed in the source, or moved in a newer export); delete those lines from the rejects file",
                        rows.join(", ")
                    );
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
