//! `golive match [DIR]`: duplicate counterparties → clusters and golden records,
//! obeying steward decisions; `out/clusters.csv` and `out/golden.csv`.

use crate::config::Config;
use crate::error::Error;
use crate::export::SafeCsv;
use crate::matching::{Engine, GoldenRecord, MatchConfig, SurvivorshipConfig, resolve_decisions};
use crate::model::{Field, Party};
use crate::progress::Progress;
use crate::workspace::Workspace;
use crate::workspace::matches::StoredGolden;
use sha2::{Digest, Sha256};
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
    let bar = progress.counter("match");
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

    let ids: Vec<String> = golden
        .iter()
        .map(|g| golden_id(&parties, g, &config.source_priority))
        .collect();
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

    let out = config.out_dir();
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    write_clusters(&out.join("clusters.csv"), &parties, &clusters)?;
    write_golden(&out.join("golden.csv"), &parties, &golden, &ids)?;
    if !quiet {
        let s = &result.stats;
        println!(
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
            println!(
                "  oversized block {:?} `{}`: {} parties (e.g. {}:{}), {what}",
                c.key, c.value, c.size, p.source, p.source_key
            );
        }
        if result.blocking.capped.len() > 5 {
            println!(
                "  … {} more oversized blocks",
                result.blocking.capped.len() - 5
            );
        }
        for (l, r) in &unresolved {
            println!(
                "  decision not applied: {}:{} ~ {}:{} (no such party now)",
                l.0, l.1, r.0, r.1
            );
        }
    }
    Ok(())
}

/// A golden id that survives re-runs: a hash of its anchor member's source and
/// key (the most trusted source, then the smallest key), not of row order.
fn golden_id(parties: &[Party], g: &GoldenRecord, priority: &[String]) -> String {
    let rank = |p: &Party| {
        priority
            .iter()
            .position(|s| *s == p.provenance.source)
            .unwrap_or(priority.len())
    };
    let anchor = g
        .members
        .iter()
        .map(|&i| &parties[i as usize])
        .min_by(|a, b| {
            (rank(a), &a.provenance.source, &a.provenance.source_key).cmp(&(
                rank(b),
                &b.provenance.source,
                &b.provenance.source_key,
            ))
        })
        .map(|p| format!("{}\u{1f}{}", p.provenance.source, p.provenance.source_key))
        .unwrap_or_default();
    let digest = Sha256::digest(anchor.as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("G{hex}")
}

fn write_clusters(
    path: &Path,
    parties: &[Party],
    clusters: &[(i64, String)],
) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = SafeCsv::new(std::io::BufWriter::new(file));
    w.row(["source", "source_key", "kind", "golden_id"])?;
    for (p, (_, g)) in parties.iter().zip(clusters) {
        w.row([
            p.provenance.source.as_str(),
            &p.provenance.source_key,
            p.kind.as_str(),
            g,
        ])?;
    }
    w.flush().map_err(|e| Error::io(path, e))?;
    Ok(())
}

fn write_golden(
    path: &Path,
    parties: &[Party],
    golden: &[GoldenRecord],
    ids: &[String],
) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = SafeCsv::new(std::io::BufWriter::new(file));
    w.row([
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
    ])?;
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
        w.row([
            ids[i].as_str(),
            r.kind.as_str(),
            &g.members.len().to_string(),
            &name,
            &get(Field::FullName),
            r.org
                .as_ref()
                .and_then(|o| o.legal_form.as_deref())
                .unwrap_or(""),
            &tax.join("; "),
            &phones.join("; "),
            &emails.join("; "),
            r.website.as_deref().unwrap_or(""),
            &r.address.full,
            &sources.join("; "),
        ])?;
    }
    w.flush().map_err(|e| Error::io(path, e))?;
    Ok(())
}
