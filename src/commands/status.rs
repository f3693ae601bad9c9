//! `golive status [DIR]`: what each stage holds.

use crate::cli::ProjectArgs;
use crate::config::Config;
use crate::pipeline::accounting::Accounting;
use crate::workspace::Workspace;

/// How many rejected rows are listed; the counts cover all.
const REJECTS_SHOWN: usize = 20;

/// Prints the status; a gap in the accounting is then an error (exit 1).
pub fn run(args: &ProjectArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.dir)?;
    let ws = Workspace::open(&args.dir)?;
    crate::commands::output::print_text(&render(&config, &ws)?);
    Accounting::of(&ws, &config.dir)?.check()?;
    Ok(())
}

pub fn render(config: &Config, ws: &Workspace) -> anyhow::Result<String> {
    use std::fmt::Write as _;
    let mut o = String::new();
    writeln!(o, "project {} ({})", config.name, config.dir.display())?;
    match crate::workspace::lock::status(&config.dir) {
        Some((run, true)) => writeln!(
            o,
            "a golive run is in progress since {} (pid {}), now in stage {}: these counts may change",
            run.started, run.pid, run.stage
        )?,
        Some((run, false)) if !run.finished => writeln!(
            o,
            "the last run (started {}) stopped during stage {}: it and the stages after it are pending, out/ holds the files of the stages completed before; run `golive run {}` again",
            run.started,
            run.stage,
            config.dir.display()
        )?,
        _ => {}
    }
    let sources = ws.source_status()?;
    if sources.is_empty() {
        writeln!(
            o,
            "nothing ingested yet: run `golive ingest {}`",
            config.dir.display()
        )?;
        return Ok(o);
    }
    writeln!(o, "\nsources")?;
    let mut total_rejects = 0;
    for s in &sources {
        let rows: i64 = s.tables.iter().map(|t| t.rows).sum();
        let rejects: i64 = s.tables.iter().map(|t| t.rejects).sum();
        total_rejects += rejects;
        if s.sha256 == crate::workspace::sources::RETIRED {
            writeln!(
                o,
                "  {:<16} v{} retired: no longer in golive.toml; its rows left the outputs, earlier versions stay in the workspace",
                s.name, s.version
            )?;
            if let Some(c) = &s.changes {
                writeln!(o, "      since v{}: {} gone", c.from_version, c.gone)?;
            }
            continue;
        }
        writeln!(
            o,
            "  {:<16} v{} {:>7} rows {:>5} rejected  {}",
            s.name, s.version, rows, rejects, s.path
        )?;
        for t in &s.tables {
            let sheet = t
                .sheet
                .as_ref()
                .map_or(String::new(), |s| format!("[{s}] "));
            let text = match (&t.encoding, &t.delimiter) {
                (Some(e), Some(d)) => format!(", {e}, `{d}`"),
                _ => String::new(),
            };
            writeln!(
                o,
                "      {sheet}profile {}, header row {}{text}",
                t.profile, t.header_row
            )?;
            for w in t
                .warnings
                .iter()
                .filter(|w| w.starts_with("NO NAME COLUMN"))
            {
                writeln!(o, "      warning: {w}")?;
            }
        }
        if let Some(c) = &s.changes {
            writeln!(
                o,
                "      since v{}: {} added, {} changed, {} gone",
                c.from_version, c.added, c.changed, c.gone
            )?;
        }
        if let Some(list) = s.skipped_sheets.as_array() {
            for sk in list {
                writeln!(
                    o,
                    "      sheet `{}` skipped: {}",
                    sk["sheet"].as_str().unwrap_or("?"),
                    sk["reason"].as_str().unwrap_or("?")
                )?;
            }
        }
    }
    for c in &config.sources {
        if !sources.iter().any(|s| s.name == c.name) {
            writeln!(
                o,
                "  {:<16} not ingested yet ({}): run `golive ingest {}`",
                c.name,
                c.rel_path,
                config.dir.display()
            )?;
        }
    }
    for (source, n) in ws.row_number_keys()? {
        writeln!(
            o,
            "  {source}: {n} rows keyed by row number: unstable (a row inserted above renumbers them); golden IDs follow their content; map a key column in the profile if the file has one"
        )?;
    }
    let flags = ws.ingest_flag_counts()?;
    if !flags.is_empty() {
        writeln!(o, "\ningest flags")?;
        for (code, n) in flags {
            writeln!(o, "  {code:<32} {n:>7}")?;
        }
    }
    let parties = ws.party_summary()?;
    let made: i64 = parties.by_kind.iter().map(|(_, n)| n).sum();
    if made > 0 || parties.rejects > 0 {
        let kinds: Vec<String> = parties
            .by_kind
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        writeln!(o, "\nnormalize")?;
        writeln!(
            o,
            "  parties: {made} ({}), rejected: {}",
            kinds.join(", "),
            parties.rejects
        )?;
        if !parties.flags.is_empty() {
            writeln!(o, "  quality flags (parties flagged):")?;
            for (code, field, n) in &parties.flags {
                let field = if field.is_empty() {
                    String::new()
                } else {
                    format!(" [{field}]")
                };
                writeln!(o, "    {:<40} {n:>7}", format!("{code}{field}"))?;
            }
        }
        for r in ws.normalize_rejects(REJECTS_SHOWN)? {
            let sheet = r
                .sheet
                .as_ref()
                .map_or(String::new(), |s| format!(" [{s}]"));
            writeln!(
                o,
                "  rejected: {}{sheet} row {}: {}",
                r.source, r.row, r.reason
            )?;
        }
    }
    let m = ws.match_summary()?;
    if m.golden > 0 {
        writeln!(o, "\nmatch")?;
        writeln!(
            o,
            "  golden records: {} ({} parties merged into duplicates' records); pairs: {} matched, {} to review; steward decisions: {}",
            m.golden, m.merged_parties, m.match_pairs, m.review_pairs, m.decisions
        )?;
    }
    let links = ws.link_rates()?;
    if !links.is_empty() {
        let persons: i64 = links.iter().map(|(_, n)| n).sum();
        writeln!(o, "\nlink ({persons} persons and sole proprietors)")?;
        for (method, n) in &links {
            writeln!(
                o,
                "  {method:<40} {n:>7} ({:.1}%)",
                *n as f64 * 100.0 / persons as f64
            )?;
        }
    }
    if config.target.is_some() {
        render_load(&mut o, config, ws)?;
    }
    let accounting = Accounting::of(ws, &config.dir)?;
    writeln!(o, "\naccounting\n  {}", accounting.render())?;
    if let Some(p) = &accounting.pending {
        writeln!(o, "  pending: {p}")?;
    }
    for gap in &accounting.gaps {
        writeln!(o, "  GAP: {gap}")?;
    }
    let rejects = ws.ingest_rejects(REJECTS_SHOWN)?;
    if !rejects.is_empty() {
        writeln!(o, "\nrejected rows")?;
        for r in &rejects {
            let sheet = r
                .sheet
                .as_ref()
                .map_or(String::new(), |s| format!(" [{s}]"));
            writeln!(o, "  {}{sheet} row {}: {}", r.source, r.row, r.reason)?;
        }
        if (total_rejects as usize) > rejects.len() {
            writeln!(o, "  … {} more", total_rejects as usize - rejects.len())?;
        }
    }
    Ok(o)
}

/// The crosswalk per entity (created / updated by golive's loads) and what
/// the plan would do now (unchanged / pending).
fn render_load(o: &mut String, config: &Config, ws: &Workspace) -> anyhow::Result<()> {
    use crate::load::{Action, Entity};
    use std::fmt::Write as _;
    let target = match crate::pipeline::load::target_of(config, None) {
        Ok(t) => t,
        Err(e) => {
            writeln!(o, "\nload\n  {e}")?;
            return Ok(());
        }
    };
    let last = ws.last_load(&target.name)?;
    writeln!(
        o,
        "\nload into {} ({})",
        target.name,
        last.as_ref().map_or_else(
            || "nothing loaded yet".to_string(),
            |l| format!("last load {}", l.finished_at)
        )
    )?;
    let counts = ws.crosswalk_counts(&target.name)?;
    let plan = if ws.stage_is_current("link")? {
        Some(crate::pipeline::load::plan(config, ws, &target)?)
    } else {
        None
    };
    writeln!(
        o,
        "  {:<13} {:>9} {:>9} {:>9} {:>9}",
        "", "created", "updated", "unchanged", "pending"
    )?;
    for entity in Entity::ALL {
        let stored = |action: &str| {
            counts
                .iter()
                .find(|(e, a, _)| e == entity.as_str() && a == action)
                .map_or(0, |c| c.2)
        };
        let planned = |f: &dyn Fn(Action) -> bool| {
            plan.as_ref().map_or("-".to_string(), |p| {
                p.rows
                    .iter()
                    .filter(|r| r.entity == entity && f(r.action))
                    .count()
                    .to_string()
            })
        };
        writeln!(
            o,
            "  {:<13} {:>9} {:>9} {:>9} {:>9}",
            entity.as_str(),
            stored("create"),
            stored("update"),
            planned(&|a| a == Action::Unchanged),
            planned(&|a| matches!(a, Action::Create | Action::Update)),
        )?;
    }
    if plan.is_none() {
        writeln!(
            o,
            "  pending: the link stage is out of date; run `golive run {}`",
            config.dir.display()
        )?;
    }
    Ok(())
}
