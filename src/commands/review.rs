//! `golive review export [DIR]` and `golive review import FILE [DIR]`: the
//! data steward's workbook out, the decisions in.

use crate::cli::{ReviewCommand, ReviewExportArgs, ReviewImportArgs};
use crate::config::Config;
use crate::review::{self, Lang};
use crate::workspace::Workspace;
use crate::workspace::lock::RunLock;
use crate::workspace::review::Stored;

pub fn run(cmd: &ReviewCommand, quiet: bool) -> anyhow::Result<()> {
    match cmd {
        ReviewCommand::Export(a) => export(a, quiet),
        ReviewCommand::Import(a) => import(a, quiet),
    }
}

fn export(a: &ReviewExportArgs, quiet: bool) -> anyhow::Result<()> {
    let config = Config::load(&a.project.dir)?;
    let lang = match &a.lang {
        Some(l) => l.parse::<Lang>().map_err(crate::Error::Usage)?,
        None => Lang::of_region(&config.region),
    };
    let mut lock = RunLock::acquire(&config.dir)?;
    lock.enter("review export")?;
    let mut ws = Workspace::open(&config.dir)?;
    let r = review::export(&config, &mut ws, lang, a.all, a.force)?;
    lock.finish()?;
    if !quiet {
        crate::say!(
            "review: {} organization pairs, {} person pairs, {} person links, {} clusters → {}, {}",
            r.org_pairs,
            r.person_pairs,
            r.links,
            r.clusters,
            r.xlsx.display(),
            r.html.display()
        );
        if r.links_stale {
            crate::say!(
                "  person links left out: the link stage is out of date (run `golive link {}`)",
                config.dir.display()
            );
        }
        crate::say!(
            "  decide in the workbook, then `golive review import {}`",
            r.xlsx.display()
        );
    }
    Ok(())
}

fn counts(what: &str, s: &Stored) -> String {
    format!(
        "{what} {} new, {} changed, {} unchanged",
        s.new, s.changed, s.unchanged
    )
}

fn import(a: &ReviewImportArgs, quiet: bool) -> anyhow::Result<()> {
    let config = Config::load(&a.project.dir)?;
    let mut lock = RunLock::acquire(&config.dir)?;
    lock.enter("review import")?;
    let mut ws = Workspace::open(&config.dir)?;
    let r = review::import::import(&config, &mut ws, &a.file, a.by.as_deref())?;
    lock.finish()?;
    if !quiet {
        crate::say!(
            "review import by {}: {}; {}; {}; {} members taken out of their cluster",
            r.by,
            counts("pair decisions", &r.stored.pairs),
            counts("golden values", &r.stored.overrides),
            counts("link choices", &r.stored.links),
            r.taken_out
        );
        for line in &r.not_applying {
            crate::say!("  does not apply now: {line}");
        }
        crate::say!(
            "  `golive run {0}` applies them (match: pairs and golden values; link: person choices)",
            config.dir.display()
        );
    }
    Ok(())
}
