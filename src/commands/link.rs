//! `golive link [DIR]`: every contact person to its organization's golden record;
//! `out/links.csv`, and the organizations created from free-text company names.

use crate::config::Config;
use crate::error::Error;
use crate::export::{StagedOutputs, finish};
use crate::link::{Outcome, link_all};
use crate::progress::Progress;
use crate::workspace::Workspace;
use std::path::Path;

pub fn stage(
    config: &Config,
    ws: &mut Workspace,
    progress: Progress,
    quiet: bool,
) -> anyhow::Result<()> {
    let parties = ws.load_parties()?;
    let golden = ws.golden_ids()?;
    let in_step = golden.len() == parties.len()
        && golden
            .iter()
            .zip(&parties)
            .all(|((row, _), p)| *row == p.id);
    if !in_step {
        anyhow::bail!(Error::Usage(format!(
            "the match stage is out of date: run `golive match {}` first",
            config.dir.display()
        )));
    }
    let golden: Vec<String> = golden.into_iter().map(|(_, g)| g).collect();
    let bar = progress.spinner("link");
    let (outcomes, created) = link_all(&parties, &golden);
    bar.finish_and_clear();

    let rows: Vec<(i64, Option<String>, String, f64)> = parties
        .iter()
        .zip(&outcomes)
        .filter_map(|(p, o)| {
            let o = o.as_ref()?;
            let (org, confidence) = o
                .organization()
                .map_or((None, 0.0), |(g, c)| (Some(g.to_string()), c));
            Some((p.id, org, o.method(), confidence))
        })
        .collect();
    let created_rows: Vec<(String, String, String)> = created
        .iter()
        .map(|c| (c.golden_id.clone(), c.name.clone(), c.match_key.clone()))
        .collect();
    ws.replace_links(&rows, &created_rows)?;

    let mut outputs = StagedOutputs::new(config)?;
    let mut w = outputs.csv("links.csv")?;
    w.row([
        "person_source",
        "person_key",
        "person_golden_id",
        "organization_golden_id",
        "method",
        "confidence",
    ])?;
    for ((p, o), g) in parties.iter().zip(&outcomes).zip(&golden) {
        let Some(o) = o else { continue };
        let (org, confidence) = o
            .organization()
            .map_or(("", String::new()), |(g, c)| (g, format!("{c:.2}")));
        w.row([
            p.provenance.source.as_str(),
            &p.provenance.source_key,
            g,
            org,
            &o.method(),
            &confidence,
        ])?;
    }
    finish(w, Path::new("links.csv"))?;

    let mut w = outputs.csv("created_organizations.csv")?;
    w.row(["golden_id", "name", "match_key", "created_from"])?;
    for c in &created {
        w.row([
            c.golden_id.as_str(),
            &c.name,
            &c.match_key,
            "person's company name",
        ])?;
    }
    finish(w, Path::new("created_organizations.csv"))?;
    outputs.commit(&[])?;

    if !quiet {
        let persons = outcomes.iter().flatten().count();
        let linked = outcomes
            .iter()
            .flatten()
            .filter(|o| matches!(o, Outcome::Linked { .. }))
            .count();
        let ambiguous = outcomes
            .iter()
            .flatten()
            .filter(|o| matches!(o, Outcome::Ambiguous { .. }))
            .count();
        crate::say!(
            "link: {persons} persons: {linked} linked ({} to organizations created from their company name), {ambiguous} ambiguous (to review), {} unlinked",
            created.len(),
            persons - linked - ambiguous
        );
    }
    Ok(())
}
