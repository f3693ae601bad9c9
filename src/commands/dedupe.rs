//! `golive dedupe INPUT...`: matching without a project.

use crate::cli::{DedupeArgs, DedupeKind};
use crate::config::ReadOptions;
use crate::error::Error;
use crate::export::SafeCsv;
use crate::ingest::open;
use crate::ingest::profiles::{Profile, ProfileSet, header_key};
use crate::ingest::rows::{PreparedRow, PreparedTable};
use crate::matching::block::{BlockCompare, SharedBlock};
use crate::matching::compare::hash64;
use crate::matching::{Constraints, Engine, MatchConfig, Params, Rec, pairwise};
use crate::model::{Field, Kind, Provenance};
use crate::pipeline::normalize::{Locale, TableContexts, variant_fields};
use crate::progress::{Progress, Work};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

/// Rows read from the inputs, normalized and prepared for matching. The
/// parties themselves are dropped as soon as they are prepared: `dedupe`
/// writes no golden records, so a row costs its compact [`Rec`], its id and
/// (with `--truth`) its true id.
struct Inputs {
    recs: Vec<Rec>,
    ids: Strings,
    /// Empty without `--truth`.
    truth: Strings,
    rejects: Vec<(String, String, u64, String)>,
}

/// Strings kept in one buffer. A million ids as `String`s cost 40 bytes
/// and an allocation each; here they cost their text and an offset.
#[derive(Default)]
struct Strings {
    text: String,
    ends: Vec<usize>,
}

impl Strings {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// Where an id was read, and which list holds it.
struct Seen {
    file: u32,
    row: u64,
    id: IdRef,
}

#[derive(Clone, Copy)]
enum IdRef {
    Kept(u32),
    Rejected(u32),
}

/// Rows normalized in parallel per chunk; the next chunk is read meanwhile.
const CHUNK: usize = 4096;

pub fn run(args: &DedupeArgs, progress: impl Progress, quiet: bool) -> anyhow::Result<()> {
    let kind = match args.kind {
        DedupeKind::Organization => Kind::Organization,
        DedupeKind::Person => Kind::Person,
    };
    let maps = parse_maps(&args.maps)?;
    let region = args.region.trim().to_ascii_uppercase();
    crate::config::check_cli_region(&region)?;
    let inputs = read_inputs(args, kind, &maps, &region, &progress)?;
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
    if let (Some(p), Some(path)) = (&params, &args.params)
        && p.compare != MatchConfig::default().compare
    {
        return Err(Error::bad_input(
            path,
            "these parameters were saved with another comparison table; re-estimate them (drop --params)",
        )
        .into());
    }
    let Inputs {
        recs,
        ids,
        truth,
        rejects,
    } = inputs;
    let labelled = match &args.labels {
        Some(path) => read_labels(path, &ids)?,
        None => Vec::new(),
    };
    let engine = Engine::from_prepared(recs, MatchConfig::default());
    let result = engine.run_labelled(&Constraints::default(), params.as_ref(), &labelled);

    std::fs::create_dir_all(&args.out).map_err(|e| Error::io(&args.out, e))?;
    // The two files are independent: write them at the same time.
    let (clusters, pairs) = rayon::join(
        || {
            write_csv(&args.out.join("clusters.csv"), |w| {
                w.row(["id", "cluster_id"])?;
                let mut buf = String::new();
                for (id, c) in ids.iter().zip(&result.clustering.cluster_of) {
                    buf.clear();
                    write!(buf, "{c}").ok();
                    w.row([id, &buf])?;
                }
                Ok(())
            })
        },
        || {
            write_csv(&args.out.join("pairs.csv"), |w| {
                w.row(["left_id", "right_id", "score", "decision"])?;
                let mut buf = String::new();
                for p in &result.pairs {
                    buf.clear();
                    write!(buf, "{:.2}", p.score).ok();
                    w.row([
                        ids.get(p.a as usize),
                        ids.get(p.b as usize),
                        &buf,
                        p.decision.as_str(),
                    ])?;
                }
                Ok(())
            })
        },
    );
    clusters?;
    pairs?;
    if !rejects.is_empty() {
        write_csv(&args.out.join("rejects.csv"), |w| {
            w.row(["id", "file", "row", "reason"])?;
            for (id, file, row, reason) in &rejects {
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
        crate::say!(
            "dedupe: {} rows, {} candidate pairs, {} matches, {} to review → {} clusters ({} with duplicates); {} rejected",
            s.parties,
            s.candidate_pairs,
            s.matches,
            s.reviews,
            s.clusters,
            s.multi_clusters,
            rejects.len()
        );
        let capped = &result.blocking.capped;
        for c in capped.iter().take(5) {
            let what = if c.pairs == 0 {
                "skipped".to_string()
            } else {
                format!("windowed to {} pairs", c.pairs)
            };
            crate::say!(
                "  oversized block {:?} `{}` ({} rows, e.g. id {}): {what}",
                c.key,
                c.value,
                c.size,
                ids.get(c.example as usize)
            );
        }
        if capped.len() > 5 {
            crate::say!("  … {} more oversized blocks", capped.len() - 5);
        }
        if result.blocking.uncompared_pairs > 0 {
            crate::say!(
                "  oversized blocks left {} pairs uncompared within them (most meet through another key)",
                result.blocking.uncompared_pairs
            );
        }
        if let Some(note) = result.blocking.field_blocks_note() {
            crate::say!("  {note}");
        }
        crate::say!("  wrote {}", args.out.display());
    }
    if let Some(column) = &args.truth {
        let truth: Vec<&str> = truth.iter().collect();
        let scores = pairwise(&result.clustering.cluster_of, &truth);
        crate::say!(
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
        let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (id, i)).collect();
        let find = |id: &str| {
            index
                .get(id)
                .copied()
                .ok_or_else(|| Error::Usage(format!("--explain: no row with id `{id}`")))
        };
        let (a, b) = (find(left)?, find(right)?);
        crate::say!("{left} ~ {right}: {}", engine.explain(&result.params, a, b));
        crate::say!("  {}", describe_blocks(&engine.shared_blocks(a, b)));
    }
    Ok(())
}

/// `blocks in common: address (2 rows), name_prefix (41 rows, too large: skipped)`.
fn describe_blocks(blocks: &[SharedBlock]) -> String {
    if blocks.is_empty() {
        return "blocks in common: none, so the pair was compared only if the two names sort \
                next to each other"
            .to_string();
    }
    let parts: Vec<String> = blocks
        .iter()
        .map(|b| match b.compared {
            BlockCompare::Full => format!("{} ({} rows)", b.key, b.size),
            BlockCompare::Windowed => {
                format!(
                    "{} ({} rows, too large: neighbours by name only)",
                    b.key, b.size
                )
            }
            BlockCompare::Skipped => format!("{} ({} rows, too large: skipped)", b.key, b.size),
        })
        .collect();
    format!("blocks in common: {}", parts.join(", "))
}

/// Labelled matches from a `left_id,right_id,decision` CSV, as record indices.
fn read_labels(path: &Path, ids: &Strings) -> anyhow::Result<Vec<(u32, u32)>> {
    let index: HashMap<&str, u32> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id, i as u32))
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| Error::bad_input(path, format!("cannot read the labels: {e}")))?;
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| Error::bad_input(path, format!("line {line}: {e}")))?;
        let field = |k: usize| rec.get(k).map(str::trim).unwrap_or("");
        let find = |id: &str| {
            index.get(id).copied().ok_or_else(|| {
                Error::bad_input(path, format!("line {line}: no row with id `{id}`"))
            })
        };
        let (a, b) = (find(field(0))?, find(field(1))?);
        match field(2)
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "match" | "merge" | "same" | "1" | "true" => out.push((a.min(b), a.max(b))),
            "non_match" | "nonmatch" | "keep_apart" | "different" | "0" | "false" => {}
            other => {
                return Err(Error::bad_input(
                    path,
                    format!("line {line}: decision `{other}`: write match or non_match"),
                )
                .into());
            }
        }
    }
    Ok(out)
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
    progress: &dyn Progress,
) -> anyhow::Result<Inputs> {
    let profiles = ProfileSet::builtin()?;
    let id_key = header_key(&args.id);
    let truth_key = args.truth.as_deref().map(header_key);
    let mut out = Inputs {
        recs: Vec::new(),
        ids: Strings::default(),
        truth: Strings::default(),
        rejects: Vec::new(),
    };
    // Every id read (accepted or rejected) and where: duplicates are found by
    // sorting once at the end instead of a map of strings per row.
    let mut seen: Vec<Seen> = Vec::new();
    let mut files: Vec<String> = Vec::new();
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
            let columns: Vec<(String, Field)> = table
                .headers
                .iter()
                .zip(&fields)
                .filter_map(|(h, f)| f.map(|f| (h.clone(), f)))
                .collect();
            let profile = Profile::for_columns(kind, &table.headers[id_col], &columns)?;
            let prepared = PreparedTable::with_own_profile(table, &profile, Some(kind));
            let mapping = prepared.reader.mapping.clone();
            let headers = prepared.info.headers.clone();
            let variants = variant_fields(&mapping);
            let locale = Locale {
                region,
                default_area_code: None,
                fallback_regions: &fallback,
            };
            let contexts = TableContexts::new(
                &mapping,
                Some(&profile),
                &headers,
                &variants,
                &locale,
                &no_separators,
            );
            let file = path.display().to_string();
            let file_index = files.len() as u32;
            files.push(file.clone());
            let source = path
                .file_stem()
                .map_or_else(|| file.clone(), |s| s.to_string_lossy().into_owned());
            let task = progress.task(&format!("read {source}"), Work::StreamedRows);
            let mut rows = prepared;
            // Read (one thread) and normalize (all threads) overlap: the
            // reader fills the next chunk while the current one is built.
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<PreparedRow>>(2);
            let mut reader_thread = |tx: std::sync::mpsc::SyncSender<Vec<PreparedRow>>| {
                loop {
                    let chunk: Vec<PreparedRow> = rows.by_ref().take(CHUNK).collect();
                    if chunk.is_empty() || tx.send(chunk).is_err() {
                        break;
                    }
                }
            };
            let built = std::thread::scope(|scope| -> anyhow::Result<()> {
                scope.spawn(move || reader_thread(tx));
                for chunk in rx {
                    task.inc(chunk.len() as u64);
                    let built: Vec<_> = chunk
                        .into_par_iter()
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
                                source: String::new(),
                                file: String::new(),
                                sheet: None,
                                row: row.number,
                                source_key: String::new(),
                            };
                            let (party, reject) =
                                contexts.party(provenance, kind, &row.cells, Vec::new());
                            let reject = row.reject.or(reject);
                            let rec = reject.is_none().then(|| Rec::prepare(&party));
                            (id, truth, rec, reject, row.number)
                        })
                        .collect();
                    for (id, truth, rec, reject, number) in built {
                        if id.is_empty() {
                            return Err(Error::bad_input(
                                path,
                                format!("row {number}: the id column `{}` is empty", args.id),
                            )
                            .into());
                        }
                        match (rec, reject) {
                            (Some(rec), None) => {
                                seen.push(Seen {
                                    file: file_index,
                                    row: number,
                                    id: IdRef::Kept(out.ids.len() as u32),
                                });
                                out.recs.push(rec);
                                out.ids.push(&id);
                                if truth_col.is_some() {
                                    out.truth.push(&truth);
                                }
                            }
                            (_, reason) => {
                                seen.push(Seen {
                                    file: file_index,
                                    row: number,
                                    id: IdRef::Rejected(out.rejects.len() as u32),
                                });
                                out.rejects.push((
                                    id,
                                    file.clone(),
                                    number,
                                    reason.unwrap_or_default(),
                                ));
                            }
                        }
                    }
                }
                Ok(())
            });
            task.finish();
            built?;
        }
    }
    let id_of = |s: &Seen| match s.id {
        IdRef::Kept(i) => out.ids.get(i as usize),
        IdRef::Rejected(i) => out.rejects[i as usize].0.as_str(),
    };
    check_unique_ids(&seen, id_of, &files)?;
    Ok(out)
}

/// Ids must be unique across inputs: report the first repeat in reading
/// order, with where the id was first seen.
fn check_unique_ids<'a>(
    seen: &[Seen],
    id_of: impl Fn(&Seen) -> &'a str + Sync,
    files: &[String],
) -> anyhow::Result<()> {
    // Sort by a hash of the id (cheap to compare), then look inside runs of
    // one hash for equal ids.
    let hashes: Vec<u64> = seen
        .par_iter()
        .map(|s| hash64(0, id_of(s).as_bytes()))
        .collect();
    let mut order: Vec<u32> = (0..seen.len() as u32).collect();
    order.par_sort_unstable_by_key(|&i| (hashes[i as usize], i));
    // (second occurrence, first occurrence): the earliest second occurrence
    // is the first repeat met while reading.
    let mut worst: Option<(u32, u32)> = None;
    let mut start = 0;
    for i in 1..=order.len() {
        if i == order.len() || hashes[order[i] as usize] != hashes[order[start] as usize] {
            let run = &order[start..i];
            for (k, &second) in run.iter().enumerate().skip(1) {
                let id = id_of(&seen[second as usize]);
                if let Some(&first) = run[..k].iter().find(|&&f| id_of(&seen[f as usize]) == id)
                    && worst.is_none_or(|(w, _)| second < w)
                {
                    worst = Some((second, first));
                }
            }
            start = i;
        }
    }
    if let Some((second, first)) = worst {
        let (s, s0) = (&seen[second as usize], &seen[first as usize]);
        return Err(Error::bad_input(
            Path::new(&files[s.file as usize]),
            format!(
                "row {}: id `{}` is also at {} row {}; ids must be unique across inputs",
                s.row,
                id_of(s),
                files[s0.file as usize],
                s0.row
            ),
        )
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_read_back_in_order_empty_ones_included() {
        let mut s = Strings::default();
        for v in ["c000001", "", "ООО «Ромашка»", "x"] {
            s.push(v);
        }
        assert_eq!(s.len(), 4);
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            ["c000001", "", "ООО «Ромашка»", "x"]
        );
        assert_eq!(s.get(2), "ООО «Ромашка»");
    }

    #[test]
    fn a_rejected_row_repeating_a_kept_id_is_found_with_both_places() {
        let mut kept = Strings::default();
        kept.push("7");
        kept.push("8");
        let rejected = ["9".to_string(), "7".to_string()];
        let seen = [
            Seen {
                file: 0,
                row: 2,
                id: IdRef::Kept(0),
            },
            Seen {
                file: 0,
                row: 3,
                id: IdRef::Kept(1),
            },
            Seen {
                file: 1,
                row: 2,
                id: IdRef::Rejected(0),
            },
            Seen {
                file: 1,
                row: 5,
                id: IdRef::Rejected(1),
            },
        ];
        let id_of = |s: &Seen| match s.id {
            IdRef::Kept(i) => kept.get(i as usize),
            IdRef::Rejected(i) => rejected[i as usize].as_str(),
        };
        let files = ["a.csv".to_string(), "b.csv".to_string()];
        let err = check_unique_ids(&seen, id_of, &files)
            .unwrap_err()
            .to_string();
        assert!(err.contains("b.csv"), "{err}");
        assert!(
            err.contains("row 5: id `7` is also at a.csv row 2"),
            "{err}"
        );
        assert!(check_unique_ids(&seen[..3], id_of, &files).is_ok());
    }
}
