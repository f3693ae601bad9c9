//! `golive dedupe INPUT...`: matching without a project.

use crate::cli::{DedupeArgs, DedupeKind};
use crate::error::Error;
use crate::export::SafeCsv;
use crate::ingest::profiles::{ProfileSet, header_key};
use crate::ingest::stage::RowReader;
use crate::ingest::{ReadOptions, open};
use crate::matching::{Constraints, Engine, MatchConfig, Params, pairwise};
use crate::model::{Field, Kind, Party, Provenance};
use crate::normalize::party::{PartyContext, build_party};
use crate::progress::Progress;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Rows read from the inputs, normalized, with what they were read from.
struct Inputs {
    parties: Vec<Party>,
    truth: Vec<String>,
    rejects: Vec<(String, String, u64, String)>,
}

pub fn run(args: &DedupeArgs, progress: Progress, quiet: bool) -> anyhow::Result<()> {
    let kind = match args.kind {
        DedupeKind::Organization => Kind::Organization,
        DedupeKind::Person => Kind::Person,
    };
    let maps = parse_maps(&args.maps)?;
    let region = args.region.trim().to_ascii_uppercase();
    let inputs = read_inputs(args, kind, &maps, &region, progress)?;
    let params: Option<Params> = match &args.params {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
            Some(
                serde_json::from_str(&text)
                    .map_err(|e| Error::bad_input(p, format!("not a golive params file: {e}")))?,
            )
        }
        None => None,
    };
    let engine = Engine::new(&inputs.parties, MatchConfig::default());
    let result = engine.run(&Constraints::default(), params.as_ref());

    std::fs::create_dir_all(&args.out).map_err(|e| Error::io(&args.out, e))?;
    let ids: Vec<&str> = inputs
        .parties
        .iter()
        .map(|p| p.provenance.source_key.as_str())
        .collect();
    write_csv(&args.out.join("clusters.csv"), |w| {
        w.row(["id", "cluster_id"])?;
        for (id, c) in ids.iter().zip(&result.clustering.cluster_of) {
            w.row([*id, &c.to_string()])?;
        }
        Ok(())
    })?;
    write_csv(&args.out.join("pairs.csv"), |w| {
        w.row(["left_id", "right_id", "score", "decision"])?;
        for p in &result.pairs {
            w.row([
                ids[p.a as usize],
                ids[p.b as usize],
                &format!("{:.2}", p.score),
                p.decision.as_str(),
            ])?;
        }
        Ok(())
    })?;
    if !inputs.rejects.is_empty() {
        write_csv(&args.out.join("rejects.csv"), |w| {
            w.row(["id", "file", "row", "reason"])?;
            for (id, file, row, reason) in &inputs.rejects {
                w.row([id.as_str(), file, &row.to_string(), reason])?;
            }
            Ok(())
        })?;
    }
    if let Some(path) = &args.save_params {
        std::fs::write(path, serde_json::to_string_pretty(&result.params)?)
            .map_err(|e| Error::io(path, e))?;
    }
    if !quiet {
        let s = &result.stats;
        println!(
            "dedupe: {} rows, {} candidate pairs, {} matches, {} to review → {} clusters ({} with duplicates); {} rejected",
            s.parties,
            s.candidate_pairs,
            s.matches,
            s.reviews,
            s.clusters,
            s.multi_clusters,
            inputs.rejects.len()
        );
        let capped = &result.blocking.capped;
        for c in capped.iter().take(5) {
            let what = if c.pairs == 0 {
                "skipped".to_string()
            } else {
                format!("windowed to {} pairs", c.pairs)
            };
            println!(
                "  oversized block {:?} `{}` ({} rows, e.g. id {}): {what}",
                c.key, c.value, c.size, ids[c.example as usize]
            );
        }
        if capped.len() > 5 {
            println!("  … {} more oversized blocks", capped.len() - 5);
        }
        println!("  wrote {}", args.out.display());
    }
    if let Some(column) = &args.truth {
        let scores = pairwise(&result.clustering.cluster_of, &inputs.truth);
        println!(
            "eval against `{column}`: precision {:.4}, recall {:.4}, F1 {:.4} ({} true pairs, {} predicted, {} correct)",
            scores.precision,
            scores.recall,
            scores.f1,
            scores.true_pairs,
            scores.predicted_pairs,
            scores.true_positives
        );
    }
    if let [left, right] = args.explain.as_slice() {
        let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let find = |id: &str| {
            index
                .get(id)
                .copied()
                .ok_or_else(|| Error::Usage(format!("--explain: no row with id `{id}`")))
        };
        let (a, b) = (find(left)?, find(right)?);
        println!("{left} ~ {right}: {}", engine.explain(&result.params, a, b));
    }
    Ok(())
}

fn write_csv(
    path: &Path,
    body: impl FnOnce(&mut SafeCsv<std::io::BufWriter<std::fs::File>>) -> csv::Result<()>,
) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = SafeCsv::new(std::io::BufWriter::new(file));
    body(&mut w)?;
    w.flush().map_err(|e| Error::io(path, e))?;
    Ok(())
}

fn parse_maps(maps: &[String]) -> anyhow::Result<Vec<(String, Field)>> {
    maps.iter()
        .map(|m| {
            let (col, field) = m.rsplit_once('=').ok_or_else(|| {
                Error::Usage(format!(
                    "--map `{m}`: write COLUMN=FIELD, e.g. 'Site name=name'"
                ))
            })?;
            let field: Field = field.trim().parse().map_err(|e: String| {
                let all: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
                Error::Usage(format!("--map `{m}`: {e}; fields: {}", all.join(", ")))
            })?;
            Ok((header_key(col), field))
        })
        .collect()
}

fn read_inputs(
    args: &DedupeArgs,
    kind: Kind,
    maps: &[(String, Field)],
    region: &str,
    progress: Progress,
) -> anyhow::Result<Inputs> {
    let profiles = ProfileSet::builtin()?;
    let id_key = header_key(&args.id);
    let truth_key = args.truth.as_deref().map(header_key);
    let mut out = Inputs {
        parties: Vec::new(),
        truth: Vec::new(),
        rejects: Vec::new(),
    };
    let mut seen: HashMap<String, String> = HashMap::new();
    let no_separators = BTreeMap::new();
    let fallback: Vec<String> = Vec::new();
    for path in &args.inputs {
        let (tables, _) = open(path, &ReadOptions::default(), &profiles)?;
        for table in tables {
            let keys: Vec<String> = table.headers.iter().map(|h| header_key(h)).collect();
            let id_col = keys.iter().position(|k| *k == id_key).ok_or_else(|| {
                Error::bad_input(
                    path,
                    format!(
                        "no id column `{}`; the header has: {}",
                        args.id,
                        table.headers.join(", ")
                    ),
                )
            })?;
            let truth_col = match &truth_key {
                Some(t) => Some(keys.iter().position(|k| k == t).ok_or_else(|| {
                    Error::bad_input(
                        path,
                        format!("no truth column `{}`", args.truth.as_deref().unwrap_or("")),
                    )
                })?),
                None => None,
            };
            let fields: Vec<Option<Field>> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    if i == id_col || Some(i) == truth_col {
                        return None;
                    }
                    maps.iter()
                        .find(|(c, _)| c == k)
                        .map(|(_, f)| *f)
                        .or_else(|| {
                            Field::ALL
                                .iter()
                                .copied()
                                .find(|f| header_key(f.as_str()) == *k)
                        })
                })
                .collect();
            if fields.iter().all(Option::is_none) {
                return Err(Error::Usage(format!(
                    "{}: no column is mapped to a field: use --map COLUMN=FIELD (e.g. --map 'Company=name')",
                    path.display()
                ))
                .into());
            }
            let profile = profiles
                .get("generic-org-en")
                .or_else(|| profiles.get(profiles.names().next().unwrap_or("")));
            let Some(profile) = profile else {
                anyhow::bail!("no mapping profiles are built in")
            };
            let mut reader =
                RowReader::new(profile, &table.headers, Some(kind), table.sheet.as_deref());
            reader.record_len = table.record_len;
            let ctx = PartyContext {
                region,
                default_area_code: None,
                headers: &table.headers,
                fields: &fields,
                ranks: &[],
                key_field: None,
                fallback_regions: &fallback,
                separators: &no_separators,
            };
            let file = path.display().to_string();
            let source = path
                .file_stem()
                .map_or_else(|| file.clone(), |s| s.to_string_lossy().into_owned());
            let bar = progress.counter(&format!("read {source}"));
            let rows: Vec<_> = table
                .rows
                .filter(|r| !(r.problem.is_none() && r.is_blank()))
                .map(|r| reader.prepare(r))
                .collect();
            bar.finish_and_clear();
            let built: Vec<_> = rows
                .par_iter()
                .map(|row| {
                    let id = row
                        .cells
                        .get(id_col)
                        .map(|c| c.to_text().trim().to_string())
                        .unwrap_or_default();
                    let truth = truth_col
                        .and_then(|c| row.cells.get(c))
                        .map(|c| c.to_text().trim().to_string())
                        .unwrap_or_default();
                    let provenance = Provenance {
                        source: source.clone(),
                        file: file.clone(),
                        sheet: table.sheet.clone(),
                        row: row.number,
                        source_key: id.clone(),
                    };
                    let (party, reject) =
                        build_party(provenance, kind, &row.cells, Vec::new(), &ctx);
                    (id, truth, party, row.reject.clone().or(reject), row.number)
                })
                .collect();
            for (id, truth, mut party, reject, number) in built {
                if id.is_empty() {
                    return Err(Error::bad_input(
                        path,
                        format!("row {number}: the id column `{}` is empty", args.id),
                    )
                    .into());
                }
                if let Some(first) = seen.insert(id.clone(), format!("{file} row {number}")) {
                    return Err(Error::bad_input(
                        path,
                        format!("row {number}: id `{id}` is also at {first}; ids must be unique across inputs"),
                    )
                    .into());
                }
                match reject {
                    Some(reason) => out.rejects.push((id, file.clone(), number, reason)),
                    None => {
                        party.id = out.parties.len() as i64 + 1;
                        out.parties.push(party);
                        out.truth.push(truth);
                    }
                }
            }
        }
    }
    Ok(out)
}
