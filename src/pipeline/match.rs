//! The match stage: duplicate counterparties → clusters and golden records,
//! obeying steward decisions. Stores the run's parameters, every scored pair
//! with its comparison vector and explanation, and golden records by row id.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::matching::{
    BlockingReport, Engine, GoldenRecord, MatchConfig, MatchStats, Rec, RowKeys,
    SurvivorshipConfig, golden, golden_id, resolve_decisions,
};
use crate::model::{Field, GoldenByRow, Kind, Party};
use crate::normalize::text::FastMap;
use crate::progress::{Progress, Work};
use crate::workspace::Workspace;
use crate::workspace::matches::{ClusterRow, MatchRun, StoredGolden, StoredPair};
use crate::workspace::parties::parse_parties;
use rayon::prelude::*;
use std::collections::HashMap;

/// Golden records and pairs built and stored per page: bounded memory.
const PAGE: usize = 50_000;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MatchReport {
    pub stats: MatchStats,
    pub blocking: BlockingReport,
    pub decisions: usize,
    /// Oversized blocks, with an example party: (source, source key).
    pub capped_examples: Vec<(String, String)>,
    /// Steward decisions that cannot apply: ((source, key), (source, key), why).
    pub unresolved: Vec<crate::matching::Unresolved>,
    /// Rows a decision was made on that have changed since: (source, key,
    /// who decided, when). The decision still applies; the next review export
    /// asks again.
    pub changed_since_decided: Vec<(String, String, String, String)>,
    /// Golden-field overrides applied.
    pub overrides_applied: usize,
    /// Overrides that no longer apply: (golden ID, field, why).
    pub unresolved_overrides: Vec<(String, String, String)>,
}

fn golden_by_row(g: &GoldenRecord, parties: &[Party]) -> GoldenByRow {
    let row = |i: &u32| parties[*i as usize].id;
    GoldenByRow {
        members: g.members.iter().map(row).collect(),
        record: g.record.clone(),
        sources: g.sources.iter().map(|(f, i)| (*f, row(i))).collect(),
        phone_sources: g.phone_sources.iter().map(row).collect(),
        email_sources: g.email_sources.iter().map(row).collect(),
        tax_id_sources: g.tax_id_sources.iter().map(row).collect(),
        overridden: g.overridden.clone(),
    }
}

/// The steward's golden-field overrides by golden ID: (field, value).
type Overrides = HashMap<String, Vec<(Field, String)>>;

/// Stored overrides by golden ID; those naming a field that cannot be
/// overridden go to `unresolved` (a newer golive wrote them, or a hand edit).
fn overrides(ws: &Workspace, unresolved: &mut Vec<(String, String, String)>) -> Result<Overrides> {
    let mut by_id: Overrides = HashMap::new();
    for o in ws.golden_overrides()? {
        match o.field.parse::<Field>() {
            Ok(f) if golden::OVERRIDABLE.contains(&f) => {
                by_id.entry(o.golden_id).or_default().push((f, o.value));
            }
            _ => unresolved.push((
                o.golden_id,
                o.field,
                "not a field that can be overridden".to_string(),
            )),
        }
    }
    Ok(by_id)
}

pub fn run(config: &Config, ws: &mut Workspace, progress: &dyn Progress) -> Result<MatchReport> {
    if ws.rows_without_party()? > 0 {
        return Err(Error::Failed(format!(
            "some ingested rows are not normalized yet: run `golive normalize {}` first",
            config.dir.display()
        )));
    }
    let task = progress.task("match", Work::Uncounted);
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
    // The engine's compact records and who each party is are all that is
    // kept of the parties: they are read again a page of golden records at a
    // time (a million parties in memory at once were most of the peak).
    let hashes_needed = decisions
        .iter()
        .any(|d| !d.left_hash.is_empty() || !d.right_hash.is_empty());
    let cmp = crate::matching::comparisons(&match_config);
    let mut recs: Vec<Rec> = Vec::new();
    let mut heads = Heads::default();
    ws.party_pages(PAGE, |page| {
        // Prepared on every core, kept as copies made on this thread: the
        // pool's allocations are mixed with the page's parties, and kept
        // there they pinned freed pages (a peak of 2.21 GB instead of 2.00 at
        // a million parties, at the same speed).
        let prepared: Vec<Rec> = page
            .par_iter()
            .map(|p| Rec::prepare_with(p, &cmp))
            .collect();
        recs.extend(prepared.iter().cloned());
        heads.add(&page, hashes_needed);
        Ok(())
    })?;
    let (constraints, unresolved) = resolve_decisions(&heads.keys, &must, &cannot);
    let changed_since_decided = changed_since_decided(&heads, &decisions);
    let engine = Engine::from_prepared(recs, match_config);
    let result = engine.run(&constraints, None);
    let members = result.clustering.members();
    let survivorship = &engine.config().survivorship;

    let member_keys: Vec<String> = heads
        .keys
        .par_iter()
        .map(|k| format!("{}\u{1f}{}", k.source, k.identity))
        .collect();
    let cluster_keys: Vec<Vec<String>> = members
        .par_iter()
        .map(|m| anchor_first(&heads.keys, &member_keys, m, &config.source_priority))
        .collect();
    // A member the steward took out of a cluster leaves its golden ID with
    // the members that stay.
    let mut previous = ws.golden_keys()?;
    for (source, key, golden) in ws.take_outs()? {
        let member = format!("{source}\u{1f}{key}");
        if previous.get(&member) == Some(&golden) {
            previous.remove(&member);
        }
    }
    let ids = golden_id::assign(&cluster_keys, &previous);
    drop(cluster_keys);
    let mut unresolved_overrides = Vec::new();
    let overrides = overrides(ws, &mut unresolved_overrides)?;
    let live: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    for (id, fields) in &overrides {
        if !live.contains(id.as_str()) {
            for (f, _) in fields {
                unresolved_overrides.push((
                    id.clone(),
                    f.to_string(),
                    "the golden record is gone (its members were merged elsewhere or deleted)"
                        .to_string(),
                ));
            }
        }
    }
    let clusters: Vec<ClusterRow> = heads
        .ids
        .iter()
        .zip(&result.clustering.cluster_of)
        .map(|(id, c)| ClusterRow {
            row_id: *id,
            golden_id: ids[*c as usize].clone(),
        })
        .collect();
    let run = MatchRun {
        parties: heads.ids.len() as u64,
        candidate_pairs: result.stats.candidate_pairs as u64,
        params_json: serde_json::to_string(&result.params).unwrap_or_default(),
    };
    let mut writer = ws.match_writer(&run)?;
    writer.add_clusters(&clusters)?;
    // Golden records are built a page at a time, in golden-ID order: each is
    // stored and turned into its out/golden.csv row, and only the row is kept.
    let mut order: Vec<u32> = (0..members.len() as u32).collect();
    order.par_sort_unstable_by(|a, b| ids[*a as usize].cmp(&ids[*b as usize]));
    let mut files = super::outputs::MatchFiles::new(config)?.in_background();
    let mut overrides_applied = 0;
    type Built = (
        StoredGolden,
        Vec<String>,
        usize,
        Vec<(String, String, String)>,
    );
    for page in order.chunks(PAGE) {
        // The page's members, read again: local indices keep the global order.
        let mut rows: Vec<u32> = page
            .iter()
            .flat_map(|&c| members[c as usize].iter().copied())
            .collect();
        rows.par_sort_unstable();
        rows.dedup();
        let ids_of_rows: Vec<i64> = rows.iter().map(|&i| heads.ids[i as usize]).collect();
        let parties = parse_parties(writer.path(), &writer.party_json_by_row(&ids_of_rows)?)?;
        let local: FastMap<u32, u32> = rows
            .iter()
            .enumerate()
            .map(|(l, &i)| (i, l as u32))
            .collect();
        let built: Vec<Built> = page
            .par_iter()
            .map(|&c| {
                let cluster: Vec<u32> = members[c as usize].iter().map(|i| local[i]).collect();
                let mut g = golden::golden_record(&parties, c, &cluster, survivorship);
                let id = &ids[c as usize];
                let (mut applied, mut failed) = (0, Vec::new());
                for (field, value) in overrides.get(id).into_iter().flatten() {
                    match golden::apply_override(&mut g, *field, value, &config.region) {
                        Ok(()) => applied += 1,
                        Err(e) => failed.push((id.clone(), field.to_string(), e.to_string())),
                    }
                }
                let stored = StoredGolden {
                    golden_id: id.clone(),
                    kind: g.record.kind.to_string(),
                    members: g.members.len(),
                    record_json: serde_json::to_string(&golden_by_row(&g, &parties))
                        .unwrap_or_default(),
                };
                let row = super::outputs::golden_row(&g, &parties, id);
                (stored, row, applied, failed)
            })
            .collect();
        let mut stored = Vec::with_capacity(built.len());
        let mut rows = Vec::with_capacity(built.len());
        for (s, r, applied, failed) in built {
            stored.push(s);
            rows.push(r);
            overrides_applied += applied;
            unresolved_overrides.extend(failed);
        }
        writer.add_golden(&stored)?;
        files.golden(rows);
    }
    let weights = result.params.weights(engine.comparisons());
    let mut pages = result.pairs.chunks(PAGE);
    crate::workspace::pipelined(
        &mut writer,
        |_| Ok(pages.next()),
        |page| {
            let pairs: Vec<StoredPair> = page
                .par_iter()
                .map(|p| {
                    let (a, b) = (p.a as usize, p.b as usize);
                    let w = &weights[&engine.kind_of(a)];
                    let (mut explanation, levels) =
                        engine.explain_with_weights(&result.params, w, a, b);
                    // The fields missing on a side (level 0, weight 0) are in
                    // `levels`; the explanation keeps what it says (a third of
                    // the workspace at a million parties was their entries).
                    explanation.contributions.retain(|c| c.level != 0);
                    let (left_row, right_row) = (heads.ids[a], heads.ids[b]);
                    (explanation.a, explanation.b) = (left_row as usize, right_row as usize);
                    StoredPair {
                        left_row,
                        right_row,
                        score: p.score,
                        decision: p.decision.as_str().to_string(),
                        levels,
                        explanation_json: serde_json::to_string(&explanation).unwrap_or_default(),
                    }
                })
                .collect();
            Ok(pairs)
        },
        |writer, pairs: Vec<StoredPair>| writer.add_pairs(&pairs),
    )?;
    let files = files.finish()?;
    writer.commit()?;
    ws.replace_golden_keys(
        member_keys
            .iter()
            .zip(&result.clustering.cluster_of)
            .map(|(k, c)| (k.as_str(), ids[*c as usize].as_str())),
    )?;
    files.commit(&heads.keys, &heads.kinds, &clusters)?;
    task.finish();
    let capped_examples = result
        .blocking
        .capped
        .iter()
        .map(|c| {
            let k = &heads.keys[c.example as usize];
            (k.source.clone(), k.source_key.clone())
        })
        .collect();
    Ok(MatchReport {
        stats: result.stats,
        blocking: result.blocking,
        decisions: decisions.len(),
        capped_examples,
        unresolved,
        overrides_applied,
        unresolved_overrides,
        changed_since_decided,
    })
}

/// Who each party is, in party order: what the match keeps of them.
#[derive(Default)]
struct Heads {
    ids: Vec<i64>,
    kinds: Vec<Kind>,
    keys: Vec<RowKeys>,
    /// Content hashes ([`golden_id::content_hash`]), only when a steward
    /// decision recorded one to compare with.
    hashes: Vec<String>,
}

impl Heads {
    fn add(&mut self, page: &[Party], hashes: bool) {
        self.ids.extend(page.iter().map(|p| p.id));
        self.kinds.extend(page.iter().map(|p| p.kind));
        self.keys.extend(page.iter().map(RowKeys::of));
        if hashes {
            self.hashes
                .par_extend(page.par_iter().map(golden_id::content_hash));
        }
    }
}

/// The sides of decisions whose row no longer says what the steward saw.
fn changed_since_decided(
    heads: &Heads,
    decisions: &[crate::workspace::matches::StewardDecision],
) -> Vec<(String, String, String, String)> {
    let recorded = |h: &String| !h.is_empty();
    if heads.hashes.is_empty() {
        return Vec::new();
    }
    let mut by_key: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, k) in heads.keys.iter().enumerate() {
        let source = k.source.as_str();
        by_key.insert((source, k.identity.as_str()), i);
        by_key.insert((source, k.source_key.as_str()), i);
    }
    let mut out = Vec::new();
    for d in decisions {
        for (side, hash) in [(&d.left, &d.left_hash), (&d.right, &d.right_hash)] {
            let Some(&i) = by_key.get(&(side.0.as_str(), side.1.as_str())) else {
                continue;
            };
            if recorded(hash) && heads.hashes[i] != *hash {
                out.push((
                    side.0.clone(),
                    side.1.clone(),
                    d.decided_by.clone(),
                    d.decided_at.clone(),
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A cluster's member identities, its anchor first: the most trusted source
/// (`source_priority`), then the smallest identity (see `matching::golden_id`).
fn anchor_first(
    rows: &[RowKeys],
    keys: &[String],
    members: &[u32],
    priority: &[String],
) -> Vec<String> {
    let rank = |i: u32| {
        let source = &rows[i as usize].source;
        priority
            .iter()
            .position(|s| s == source)
            .unwrap_or(priority.len())
    };
    let mut members: Vec<(usize, &String)> = members
        .iter()
        .map(|&i| (rank(i), &keys[i as usize]))
        .collect();
    members.sort();
    members.into_iter().map(|(_, k)| k.clone()).collect()
}
