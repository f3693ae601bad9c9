//! The link stage: every contact person to its organization's golden record,
//! and the organizations created from free-text company names.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::link::{Outcome, link_all};
use crate::progress::{Progress, Work};
use crate::workspace::Workspace;
use crate::workspace::matches::{CreatedOrganization, LinkRow};

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct LinkReport {
    pub persons: usize,
    pub linked: usize,
    /// Linked to organizations created from their company name.
    pub created: usize,
    pub ambiguous: usize,
}

pub fn run(config: &Config, ws: &mut Workspace, progress: &dyn Progress) -> Result<LinkReport> {
    let parties = ws.load_parties()?;
    let golden = ws.golden_ids()?;
    let in_step = golden.len() == parties.len()
        && golden
            .iter()
            .zip(&parties)
            .all(|((row, _), p)| *row == p.id);
    if !in_step {
        return Err(Error::Failed(format!(
            "the match stage is out of date: run `golive match {}` first",
            config.dir.display()
        )));
    }
    let golden: Vec<String> = golden.into_iter().map(|(_, g)| g).collect();
    let task = progress.task("link", Work::Uncounted);
    let (outcomes, created) = link_all(&parties, &golden);
    task.finish();

    let rows: Vec<LinkRow> = parties
        .iter()
        .zip(&outcomes)
        .filter_map(|(p, o)| {
            let o = o.as_ref()?;
            let (organization, confidence) = o
                .organization()
                .map_or((None, 0.0), |(g, c)| (Some(g.to_string()), c));
            Some(LinkRow {
                row_id: p.id,
                organization,
                method: o.method(),
                confidence,
            })
        })
        .collect();
    let created_rows: Vec<CreatedOrganization> = created
        .iter()
        .map(|c| CreatedOrganization {
            golden_id: c.golden_id.clone(),
            name: c.name.clone(),
            match_key: c.match_key.clone(),
        })
        .collect();
    ws.replace_links(&rows, &created_rows)?;
    super::outputs::write_links(config, &parties, &outcomes, &golden, &created)?;

    let persons = outcomes.iter().flatten().count();
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().flatten().filter(|o| f(o)).count();
    Ok(LinkReport {
        persons,
        linked: count(|o| matches!(o, Outcome::Linked { .. })),
        created: created.len(),
        ambiguous: count(|o| matches!(o, Outcome::Ambiguous { .. })),
    })
}
