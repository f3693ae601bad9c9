//! `golive match [DIR]`: duplicate counterparties → clusters and golden records,
//! obeying steward decisions; `out/clusters.csv` and `out/golden.csv`.

use crate::config::Config;
use crate::error::Error;
use crate::export::{StagedOutputs, finish, write_xlsx};
use crate::matching::{
    Engine, GoldenRecord, MatchConfig, SurvivorshipConfig, golden_id, resolve_decisions,
};
use crate::model::{Field, Party};
use crate::progress::Progress;
use crate::workspace::Workspace;
use crate::workspace::matches::StoredGolden;
use std::path::Path;

pub fn stage(
    config: &Config,
    ws: &mut Workspace,
    progress: Progress,
    quiet: bool,
) -> anyhow::Result<()> {
    let parties = ws.load_parties()?;
    if ws.rows_without_party()? > 0 {
        anyhow::bail!(Error::Usage(format!(
            "some ingested rows are not normalized yet: run `golive normalize {}` first",
            config.dir.display()
        )));
    }
    let bar = progress.spinner("match");
    let match_config = MatchConfig {
        survivorship: SurvivorshipConfig {
            source_priority: config.source_priority.clone(),
        },
        ..MatchConfig::default()
    };
    let decisions = ws.decisions()?;
    let must: Vec<_> = decisions
        .iter()
        .filter(|d| d.merge)
        .map(|d| (d.left.clone(), d.right.clone()))
        .collect();
    let cannot: Vec<_> = decisions
        .iter()
        .filter(|d| !d.merge)
        .map(|d| (d.left.clone(), d.right.clone()))
        .collect();
    let (constraints, unresolved) = resolve_decisions(&parties, &must, &cannot);
    let engine = Engine::new(&parties, match_config);
    let result = engine.run(&constraints, None);
    let golden = engine.golden(&parties, &result.clustering);
    bar.finish_and_clear();

    let member_keys: Vec<String> = parties.iter().map(golden_id::member_key).collect();
    let cluster_keys: Vec<Vec<String>> = golden
        .iter()
        .map(|g| anchor_first(&parties, &member_keys, g, &config.source_priority))
        .collect();
    let ids = golden_id::assign(&cluster_keys, &ws.golden_keys()?);
    let clusters: Vec<(i64, String)> = parties
        .iter()
        .zip(&result.clustering.cluster_of)
        .map(|(p, c)| (p.id, ids[*c as usize].clone()))
        .collect();
    let stored: Vec<StoredGolden> = golden
        .iter()
        .zip(&ids)
        .map(|(g, id)| StoredGolden {
            golden_id: id.clone(),
            kind: g.record.kind.to_string(),
            members: g.members.len(),
            record_json: serde_json::to_string(g).unwrap_or_default(),
        })
        .collect();
    let pairs: Vec<(i64, i64, f64, &str)> = result
        .pairs
        .iter()
        .map(|p| {
            (
                parties[p.a as usize].id,
                parties[p.b as usize].id,
                p.score,
                p.decision.as_str(),
            )
        })
        .collect();
    ws.replace_matches(&clusters, &stored, &pairs)?;
    ws.replace_golden_keys(
        member_keys
            .iter()
            .zip(&result.clustering.cluster_of)
            .map(|(k, c)| (k.as_str(), ids[*c as usize].as_str())),
    )?;

    let mut outputs = StagedOutputs::new(config)?;
    write_clusters(&mut outputs, &parties, &clusters)?;
    write_golden(&mut outputs, &parties, &golden, &ids)?;
    // The previous links point at the previous golden records: they go too.
    outputs.commit(&["links.csv", "created_organizations.csv"])?;
    if !quiet {
        let s = &result.stats;
        crate::say!(
            "match: {} parties → {} golden records ({} merged from duplicates); {} pairs to review; {} steward decisions",
            s.parties,
            s.clusters,
            s.multi_clusters,
            s.reviews,
            decisions.len()
        );
        for c in result.blocking.capped.iter().take(5) {
            let p = &parties[c.example as usize].provenance;
            let what = if c.pairs == 0 {
                "skipped".to_string()
            } else {
                format!("windowed to {} pairs", c.pairs)
            };
            crate::say!(
                "  oversized block {:?} `{}`: {} parties (e.g. {}:{}), {what}",
                c.key,
                c.value,
                c.size,
                p.source,
                p.source_key
            );
        }
        if result.blocking.capped.len() > 5 {
            crate::say!(
                "  … {} more oversized blocks",
                result.blocking.capped.len() - 5
            );
        }
        for (l, r) in &unresolved {
            crate::say!(
                "  decision not applied: {}:{} ~ {}:{} (no such party now)",
                l.0,
                l.1,
                r.0,
                r.1
            );
        }
    }
    Ok(())
}

/// A cluster's member identities, its anchor first: the most trusted source
/// (`source_priority`), then the smallest identity (see `matching::golden_id`).
fn anchor_first(
    parties: &[Party],
    keys: &[String],
    g: &GoldenRecord,
    priority: &[String],
) -> Vec<String> {
    let rank = |i: u32| {
        let source = &parties[i as usize].provenance.source;
        priority
            .iter()
            .position(|s| s == source)
            .unwrap_or(priority.len())
    };
    let mut members: Vec<(usize, &String)> = g
        .members
        .iter()
        .map(|&i| (rank(i), &keys[i as usize]))
        .collect();
    members.sort();
    members.into_iter().map(|(_, k)| k.clone()).collect()
}

fn write_clusters(
    outputs: &mut StagedOutputs,
    parties: &[Party],
    clusters: &[(i64, String)],
) -> anyhow::Result<()> {
    let mut w = outputs.csv("clusters.csv")?;
    w.row(["source", "source_key", "kind", "golden_id"])?;
    for (p, (_, g)) in parties.iter().zip(clusters) {
        w.row([
            p.provenance.source.as_str(),
            &p.provenance.source_key,
            p.kind.as_str(),
            g,
        ])?;
    }
    finish(w, Path::new("clusters.csv"))?;
    Ok(())
}

const GOLDEN_HEADER: [&str; 12] = [
    "golden_id",
    "kind",
    "members",
    "name",
    "full_name",
    "legal_form",
    "tax_ids",
    "phones",
    "emails",
    "website",
    "address",
    "sources",
];

/// `out/golden.csv`, and `out/golden.xlsx` with the same rows, every cell text.
fn write_golden(
    outputs: &mut StagedOutputs,
    parties: &[Party],
    golden: &[GoldenRecord],
    ids: &[String],
) -> anyhow::Result<()> {
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(golden.len());
    let mut order: Vec<usize> = (0..golden.len()).collect();
    order.sort_by(|a, b| ids[*a].cmp(&ids[*b]));
    for i in order {
        let (g, r) = (&golden[i], &golden[i].record);
        let get = |f: Field| r.original(f).unwrap_or("").to_string();
        let name = [get(Field::Name), get(Field::FullName)]
            .into_iter()
            .find(|n| !n.is_empty())
            .or_else(|| {
                r.person.as_ref().map(|p| {
                    [p.family.as_str(), &p.given, &p.middle]
                        .join(" ")
                        .trim()
                        .to_string()
                })
            })
            .unwrap_or_default();
        let phones: Vec<String> = r
            .phones
            .iter()
            .map(|p| match (&p.e164, &p.extension) {
                (Some(e), Some(x)) => format!("{e} ext. {x}"),
                (Some(e), None) => e.clone(),
                _ => p.input.clone(),
            })
            .collect();
        let emails: Vec<String> = r
            .emails
            .iter()
            .map(|e| e.address.clone().unwrap_or_else(|| e.input.clone()))
            .collect();
        let tax: Vec<String> = r
            .tax_ids
            .iter()
            .filter(|t| !t.normalized.is_empty())
            .map(|t| t.normalized.clone())
            .collect();
        let sources: Vec<String> = g
            .members
            .iter()
            .map(|&m| {
                format!(
                    "{}:{}",
                    parties[m as usize].provenance.source,
                    parties[m as usize].provenance.source_key
                )
            })
            .collect();
        rows.push(vec![
            ids[i].clone(),
            r.kind.as_str().to_string(),
            g.members.len().to_string(),
            name,
            get(Field::FullName),
            r.org
                .as_ref()
                .and_then(|o| o.legal_form.clone())
                .unwrap_or_default(),
            tax.join("; "),
            phones.join("; "),
            emails.join("; "),
            r.website.clone().unwrap_or_default(),
            r.address.full.clone(),
            sources.join("; "),
        ]);
    }
    let mut w = outputs.csv("golden.csv")?;
    w.row(GOLDEN_HEADER)?;
    for row in &rows {
        w.row(row)?;
    }
    finish(w, Path::new("golden.csv"))?;
    let xlsx = outputs.path("golden.xlsx");
    write_xlsx(&xlsx, "golden", &GOLDEN_HEADER, &rows)
        .map_err(|e| Error::bad_input(&xlsx, e.to_string()))?;
    Ok(())
}
