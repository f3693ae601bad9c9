//! The link stage: every contact person to its organization's golden record,
//! and the organizations created from free-text company names.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::link::{Outcome, link_all};
use crate::matching::golden_id;
use crate::model::{Kind, Party};
use crate::progress::{Progress, Work};
use crate::workspace::Workspace;
use crate::workspace::matches::{CreatedOrganization, LinkRow};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct LinkReport {
    pub persons: usize,
    pub linked: usize,
    /// Linked to organizations created from their company name.
    pub created: usize,
    pub ambiguous: usize,
    /// Persons linked as the data steward chose.
    pub steward: usize,
    /// Steward link choices that no longer apply: (person source, key, why).
    pub unresolved: Vec<(String, String, String)>,
    /// Persons whose row changed since the steward chose: (source, key, who, when).
    pub changed_since_decided: Vec<(String, String, String, String)>,
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
    let (steward, unresolved, changed_since_decided) = steward_choices(ws, &parties, &golden)?;
    let task = progress.task("link", Work::Uncounted);
    let (outcomes, created) = link_all(&parties, &golden, &steward);
    task.finish();

    let rows: Vec<LinkRow> = parties
        .iter()
        .zip(&outcomes)
        .filter_map(|(p, o)| {
            let o = o.as_ref()?;
            let (organization, confidence) = o
                .organization()
                .map_or((None, 0.0), |(g, c)| (Some(g.to_string()), c));
            let candidates = match o {
                Outcome::Ambiguous { candidates, .. } => candidates.clone(),
                _ => Vec::new(),
            };
            Some(LinkRow {
                row_id: p.id,
                organization,
                method: o.method(),
                confidence,
                candidates,
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
        steward: steward.len(),
        unresolved,
        changed_since_decided,
    })
}

/// The steward's link choices by party index. A choice whose person is gone,
/// or whose organization no longer has a golden record, is reported instead.
type Choices = (
    HashMap<usize, Option<String>>,
    Vec<(String, String, String)>,
    Vec<(String, String, String, String)>,
);

fn steward_choices(ws: &Workspace, parties: &[Party], golden: &[String]) -> Result<Choices> {
    let decisions = ws.link_decisions()?;
    if decisions.is_empty() {
        return Ok(Default::default());
    }
    // `None`: several persons share the key (identical keyless rows).
    let mut by_key: HashMap<(&str, String), Option<usize>> = HashMap::new();
    for (i, p) in parties.iter().enumerate() {
        if p.kind == Kind::Person {
            let source = p.provenance.source.as_str();
            let identity = golden_id::identity_key(p);
            let mut keys = vec![p.provenance.source_key.clone()];
            if identity != p.provenance.source_key {
                keys.push(identity);
            }
            for k in keys {
                by_key
                    .entry((source, k))
                    .and_modify(|e| *e = None)
                    .or_insert(Some(i));
            }
        }
    }
    let organizations: HashSet<&str> = parties
        .iter()
        .zip(golden)
        .filter(|(p, _)| p.kind != Kind::Person)
        .map(|(_, g)| g.as_str())
        .collect();
    let (mut chosen, mut unresolved, mut changed) = (HashMap::new(), Vec::new(), Vec::new());
    for d in decisions {
        let (source, key) = d.person;
        let i = match by_key.get(&(source.as_str(), key.clone())) {
            Some(Some(i)) => *i,
            Some(None) => {
                unresolved.push((source, key, "several persons share this key".to_string()));
                continue;
            }
            None => {
                unresolved.push((source, key, "the person's row is gone".to_string()));
                continue;
            }
        };
        if !d.person_hash.is_empty() && golden_id::content_hash(&parties[i]) != d.person_hash {
            changed.push((
                source.clone(),
                key.clone(),
                d.decided_by.clone(),
                d.decided_at.clone(),
            ));
        }
        match d.organization {
            Some(org) if !organizations.contains(org.as_str()) => unresolved.push((
                source,
                key,
                format!("organization {org} no longer has a golden record"),
            )),
            org => {
                chosen.insert(i, org);
            }
        }
    }
    Ok((chosen, unresolved, changed))
}
