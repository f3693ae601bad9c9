//! Deduplication: blocking, comparison, scoring, clustering, golden records.
//!
//! ```text
//! &[Party] ──prepare──▶ Rec ──block──▶ candidate pairs ──compare──▶ levels
//!          ──EM──▶ Params ──score──▶ pairs (match / review) ──cluster──▶ Clustering
//!          ──survivorship──▶ GoldenRecord per cluster
//! ```
//!
//! Entry points: [`dedupe`] (everything with defaults), or an [`Engine`] for
//! step-by-step use, saved parameters and [`Engine::explain`].
//! Output is deterministic: everything is sorted, no hash order leaks.

pub mod block;
pub mod cluster;
pub mod compare;
pub mod eval;
pub mod golden;
pub mod golden_id;
pub mod jaro;
pub mod score;

pub use block::{BlockingConfig, BlockingReport, CappedBlock, KeyKind};
pub use cluster::{ClusterConfig, Clustering, Constraints};
pub use compare::{Comparator, CompareConfig, Comparisons, Levels};
pub use eval::{PairwiseScores, pairwise};
pub use golden::{GoldenRecord, SurvivorshipConfig, golden_record, golden_records};
pub use score::{Decision, KindParams, Params, ScoringConfig, TfAdjustment, Weights};

use crate::model::{Kind, Party};
pub use compare::{Rec, TaxKey};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// All settings of the engine. Saved with the parameters (`dedupe --save-params`)
/// so a parameters file is refused under another comparison table; golive.toml
/// has no `[match]` table: the built-in table is the supported configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchConfig {
    pub blocking: BlockingConfig,
    pub compare: CompareConfig,
    pub scoring: ScoringConfig,
    pub cluster: ClusterConfig,
    pub survivorship: SurvivorshipConfig,
}

/// One scored candidate pair (`a < b`, party indices).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    /// Total match weight in log2 odds (prior + field weights).
    pub score: f64,
    pub decision: Decision,
}

impl cluster::Edge for ScoredPair {
    fn ends(&self) -> (u32, u32) {
        (self.a, self.b)
    }
    fn score(&self) -> f64 {
        self.score
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MatchStats {
    pub parties: usize,
    pub candidate_pairs: usize,
    pub matches: usize,
    pub reviews: usize,
    pub clusters: usize,
    /// Clusters with two or more members.
    pub multi_clusters: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatchResult {
    /// The parameters used (estimated, or the ones given): save them to reuse.
    pub params: Params,
    /// Pairs scoring at or above the review threshold, sorted by (a, b).
    pub pairs: Vec<ScoredPair>,
    pub clustering: Clustering,
    pub blocking: BlockingReport,
    pub stats: MatchStats,
}

/// Steward decisions keyed by source keys: `(source, key)`, the key a source
/// key or an identity key ([`golden_id::identity_key`]); an empty source
/// matches any source.
pub type SourceRef = (String, String);

/// A decision that cannot apply: its two sides and why.
pub type Unresolved = (SourceRef, SourceRef, &'static str);

/// What a steward decision finds a party by: its source, its source key and
/// its identity key ([`golden_id::identity_key`]).
#[derive(Clone, Debug, PartialEq)]
pub struct RowKeys {
    pub source: String,
    pub source_key: String,
    pub identity: String,
}

impl RowKeys {
    pub fn of(p: &Party) -> Self {
        RowKeys {
            source: p.provenance.source.clone(),
            source_key: p.provenance.source_key.clone(),
            identity: golden_id::identity_key(p),
        }
    }
}

/// Turn decisions keyed by source keys into index constraints; returns the
/// decisions that cannot apply, and why (rows deleted since, a key several
/// rows share).
pub fn resolve_decisions(
    rows: &[RowKeys],
    must_link: &[(SourceRef, SourceRef)],
    cannot_link: &[(SourceRef, SourceRef)],
) -> (Constraints, Vec<Unresolved>) {
    // By source key and by identity key (they differ for row-number keys).
    let mut by_key: HashMap<(&str, &str), Vec<u32>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let source = r.source.as_str();
        for k in [r.source_key.as_str(), r.identity.as_str()] {
            let ids = by_key.entry((source, k)).or_default();
            if !ids.contains(&(i as u32)) {
                ids.push(i as u32);
            }
            let ids = by_key.entry(("", k)).or_default();
            if !ids.contains(&(i as u32)) {
                ids.push(i as u32);
            }
        }
    }
    // A key that names several rows (keyless rows identical in every
    // identifying field) cannot carry a decision: it is reported, not guessed.
    let find = |r: &SourceRef| -> Result<u32, &'static str> {
        match by_key.get(&(r.0.as_str(), r.1.as_str())).map(Vec::as_slice) {
            None | Some([]) => Err("no such row now"),
            Some([one]) => Ok(*one),
            Some(_) => Err("several rows share this key"),
        }
    };
    let mut unresolved = Vec::new();
    let mut resolve = |list: &[(SourceRef, SourceRef)]| -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for pair in list {
            match (find(&pair.0), find(&pair.1)) {
                (Ok(a), Ok(b)) if a != b => out.push((a, b)),
                (Ok(_), Ok(_)) => {
                    unresolved.push((pair.0.clone(), pair.1.clone(), "both sides are one row"))
                }
                (Err(why), _) | (_, Err(why)) => {
                    unresolved.push((pair.0.clone(), pair.1.clone(), why))
                }
            }
        }
        out
    };
    let must_link = resolve(must_link);
    let cannot_link = resolve(cannot_link);
    (
        Constraints {
            must_link,
            cannot_link,
        },
        unresolved,
    )
}

/// The engine over one set of parties: prepared once, then blocked, scored,
/// clustered, explained. It keeps only the compact prepared records, so the
/// caller may prepare parties while streaming them ([`Rec::prepare`],
/// [`Engine::from_prepared`]) and drop them.
pub struct Engine {
    recs: Vec<Rec>,
    config: MatchConfig,
    cmp: Comparisons,
}

impl Engine {
    /// Prepare the parties (in parallel). Party `i` is record `i` everywhere.
    pub fn new(parties: &[Party], config: MatchConfig) -> Self {
        let cmp = comparisons(&config);
        let recs = parties
            .par_iter()
            .map(|p| Rec::prepare_with(p, &cmp))
            .collect();
        Engine::from_prepared(recs, config)
    }

    /// Use records already prepared with [`Rec::prepare`] (the built-in
    /// table) or [`Rec::prepare_with`] the config's table. Term frequencies
    /// are counted here, over all the records.
    pub fn from_prepared(mut recs: Vec<Rec>, config: MatchConfig) -> Self {
        assert!(recs.len() < u32::MAX as usize, "at most 2^32-1 parties");
        let cmp = comparisons(&config);
        compare::set_term_frequencies(&mut recs, &cmp);
        Engine { recs, config, cmp }
    }

    /// The compiled comparison table.
    pub fn comparisons(&self) -> &Comparisons {
        &self.cmp
    }

    pub fn len(&self) -> usize {
        self.recs.len()
    }

    /// The kind of party `i`.
    pub fn kind_of(&self, i: usize) -> Kind {
        self.recs[i].kind
    }

    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }

    pub fn config(&self) -> &MatchConfig {
        &self.config
    }

    /// Candidate pairs (packed, see [`block::unpack`]) and the blocking report.
    pub fn candidates(&self) -> (Vec<u64>, BlockingReport) {
        block::candidate_pairs(&self.recs, &self.config.blocking, &self.cmp)
    }

    /// Comparison vectors of the pairs, in the same order.
    pub fn compare_pairs(&self, pairs: &[u64]) -> Vec<Levels> {
        pairs
            .par_iter()
            .map(|&p| {
                let (a, b) = block::unpack(p);
                compare::compare(&self.recs[a as usize], &self.recs[b as usize], &self.cmp)
            })
            .collect()
    }

    /// Estimate the parameters (per kind): u from random pairs, λ from the
    /// table's rules, m from its training sessions over the candidate pairs.
    pub fn estimate(&self, pairs: &[u64], levels: &[Levels]) -> Params {
        self.estimate_labelled(pairs, levels, &[])
    }

    /// [`Engine::estimate`], then m refined by labelled matches (pairs of
    /// record indices a steward called the same).
    pub fn estimate_labelled(
        &self,
        pairs: &[u64],
        levels: &[Levels],
        labelled_matches: &[(u32, u32)],
    ) -> Params {
        let sc = &self.config.scoring;
        let mut params = Params::defaults(self.config.compare.clone(), sc);
        for kind in Kind::ALL {
            let members: Vec<u32> = (0..self.recs.len() as u32)
                .filter(|&i| self.recs[i as usize].kind == kind)
                .collect();
            if members.len() < 2 {
                continue;
            }
            let of_kind = score::KindPairs {
                kind,
                levels: pairs
                    .iter()
                    .zip(levels)
                    .filter(|(p, _)| self.recs[block::unpack(**p).0 as usize].kind == kind)
                    .map(|(_, l)| l)
                    .collect(),
            };
            let mut kp = score::estimate_kind(&of_kind, &self.recs, &members, sc, &self.cmp);
            let labelled: Vec<Levels> = labelled_matches
                .iter()
                .filter(|&&(a, b)| {
                    (a as usize) < self.recs.len()
                        && (b as usize) < self.recs.len()
                        && self.recs[a as usize].kind == kind
                        && self.recs[b as usize].kind == kind
                })
                .map(|&(a, b)| {
                    compare::compare(&self.recs[a as usize], &self.recs[b as usize], &self.cmp)
                })
                .collect();
            score::refine_with_labels(&mut kp, &labelled, sc);
            params.by_kind.insert(kind, kp);
        }
        params
    }

    /// Score pairs; keep those at or above the review threshold.
    pub fn score_pairs(
        &self,
        params: &Params,
        pairs: &[u64],
        levels: &[Levels],
    ) -> Vec<ScoredPair> {
        let weights = params.weights(&self.cmp);
        pairs
            .par_iter()
            .zip(levels.par_iter())
            .filter_map(|(&p, l)| {
                let (a, b) = block::unpack(p);
                let (ra, rb) = (&self.recs[a as usize], &self.recs[b as usize]);
                let s = weights[&ra.kind].score(l, ra, rb);
                let d = params.decide(s);
                (d != Decision::NonMatch).then_some(ScoredPair {
                    a,
                    b,
                    score: s,
                    decision: d,
                })
            })
            .collect()
    }

    /// Block, compare, estimate (unless `params` are given), score, cluster.
    pub fn run(&self, constraints: &Constraints, params: Option<&Params>) -> MatchResult {
        self.run_labelled(constraints, params, &[])
    }

    /// [`Engine::run`] with labelled matches refining the estimated m.
    pub fn run_labelled(
        &self,
        constraints: &Constraints,
        params: Option<&Params>,
        labelled_matches: &[(u32, u32)],
    ) -> MatchResult {
        let (pairs, blocking) = self.candidates();
        let levels = self.compare_pairs(&pairs);
        let params = match params {
            Some(p) => p.clone(),
            None => self.estimate_labelled(&pairs, &levels, labelled_matches),
        };
        let scored = self.score_pairs(&params, &pairs, &levels);
        let candidate_pairs = pairs.len();
        drop((levels, pairs));
        let exclusive: Vec<Vec<(u8, u64)>> = self
            .recs
            .par_iter()
            .map(|r| {
                let mut v: Vec<(u8, u64)> =
                    Vec::with_capacity(r.tax.iter().filter(|t| t.valid).count());
                v.extend(
                    r.tax
                        .iter()
                        .filter(|t| t.valid)
                        .map(|t| (t.kind as u8, t.hash)),
                );
                v.sort_unstable();
                v.dedup();
                // A record that holds two values of one kind itself is a
                // data error, not a reason to block its matches.
                v.dedup_by_key(|x| x.0);
                v
            })
            .collect();
        let clustering = cluster::cluster(
            self.recs.len(),
            &scored,
            params.match_threshold,
            constraints,
            exclusive,
            &self.config.cluster,
        );
        let mut sizes = vec![0u32; clustering.cluster_count];
        for &c in &clustering.cluster_of {
            sizes[c as usize] += 1;
        }
        let stats = MatchStats {
            parties: self.recs.len(),
            candidate_pairs,
            matches: scored
                .iter()
                .filter(|p| p.decision == Decision::Match)
                .count(),
            reviews: scored
                .iter()
                .filter(|p| p.decision == Decision::Review)
                .count(),
            clusters: clustering.cluster_count,
            multi_clusters: sizes.iter().filter(|&&s| s >= 2).count(),
        };
        MatchResult {
            params,
            pairs: scored,
            clustering,
            blocking,
            stats,
        }
    }

    /// Golden records of a clustering (one per cluster; for large inputs
    /// prefer [`golden_record`] per cluster, streaming).
    pub fn golden(&self, parties: &[Party], clustering: &Clustering) -> Vec<GoldenRecord> {
        golden::golden_records(parties, clustering, &self.config.survivorship)
    }

    /// The blocks parties `a` and `b` share: why they were (or were not) a
    /// candidate pair.
    pub fn shared_blocks(&self, a: usize, b: usize) -> Vec<block::SharedBlock> {
        block::shared_blocks(&self.recs, a, b, &self.config.blocking, &self.cmp)
    }

    /// Field-by-field contributions to the score of parties `a` and `b`.
    pub fn explain(&self, params: &Params, a: usize, b: usize) -> Explanation {
        self.explain_with_levels(params, a, b).0
    }

    /// [`Engine::explain`], and the comparison vector it read: one level per
    /// field of the table, as digits (`0` missing), the form a run stores.
    pub fn explain_with_levels(
        &self,
        params: &Params,
        a: usize,
        b: usize,
    ) -> (Explanation, String) {
        let w = params
            .kind(self.recs[a].kind, &self.cmp)
            .weights(params, &self.cmp);
        self.explain_with_weights(params, &w, a, b)
    }

    /// [`Engine::explain_with_levels`] with the weights of the pair's kind
    /// made once (a run explains every scored pair it stores).
    pub fn explain_with_weights(
        &self,
        params: &Params,
        w: &Weights,
        a: usize,
        b: usize,
    ) -> (Explanation, String) {
        let (ra, rb) = (&self.recs[a], &self.recs[b]);
        let mut contributions = Vec::new();
        let mut score = w.prior;
        let levels = compare::compare(ra, rb, &self.cmp);
        let table = w.table(&levels);
        for (f, &level) in levels.iter().enumerate().take(self.cmp.len()) {
            if !self.cmp.applies(f, ra.kind) {
                continue;
            }
            let (_, similarity) = compare::compare_field(f, ra, rb, &self.cmp);
            let tf = w.tf_adjustment(f, level, ra, rb);
            let weight = table[f][level as usize] + tf.map_or(0.0, |t| t.weight);
            score += weight;
            let spec = self.cmp.field(f);
            contributions.push(Contribution {
                field: spec.name.clone(),
                level,
                label: self.cmp.label(f, level).to_string(),
                similarity,
                value: (tf.is_some() && level == 1)
                    .then(|| compare::display_value(ra, f, &self.cmp))
                    .flatten(),
                tf,
                weight,
            });
        }
        contributions.sort_by(|x, y| {
            y.weight
                .abs()
                .total_cmp(&x.weight.abs())
                .then(x.field.cmp(&y.field))
        });
        let vector = levels
            .iter()
            .take(self.cmp.len())
            .map(|&l| char::from_digit(u32::from(l), 36).unwrap_or('?'))
            .collect();
        let explanation = Explanation {
            a,
            b,
            prior: w.prior,
            contributions,
            score,
            decision: params.decide(score),
        };
        (explanation, vector)
    }
}

/// The compiled table of a config; a table that does not hold together was
/// refused when the config was read ([`MatchConfig::validate`]), so this
/// falls back to the built-in one only for configs built in code.
pub fn comparisons(config: &MatchConfig) -> Comparisons {
    Comparisons::new(&config.compare).unwrap_or_else(|_| Comparisons::builtin().clone())
}

impl MatchConfig {
    /// Check the comparison table (level counts, names in rules and sessions).
    pub fn validate(&self) -> Result<(), compare::TableError> {
        Comparisons::new(&self.compare).map(|_| ())
    }
}

/// Run everything with the given settings: estimate, score, cluster.
pub fn dedupe(parties: &[Party], config: &MatchConfig, constraints: &Constraints) -> MatchResult {
    Engine::new(parties, config.clone()).run(constraints, None)
}

/// One field's part of a pair's score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub field: String,
    pub level: u8,
    pub label: String,
    /// Similarity of fuzzy fields (name, address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f32>,
    /// The agreed value, where term frequency adjusted the weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The term-frequency part of `weight`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tf: Option<TfAdjustment>,
    /// log2(m/u) plus the term-frequency adjustment; 0 when missing.
    pub weight: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub a: usize,
    pub b: usize,
    /// log2 of the prior odds that two random records match (λ).
    pub prior: f64,
    /// Largest absolute weight first; missing fields have weight 0.
    pub contributions: Vec<Contribution>,
    pub score: f64,
    pub decision: Decision,
}

fn signed(x: f64) -> String {
    if x < 0.0 {
        format!("\u{2212}{:.1}", -x)
    } else {
        format!("+{x:.1}")
    }
}

impl fmt::Display for Explanation {
    /// `tax ID equal +9.1, name fuzzy high 0.93 +3.2, phone different −1.5; prior −2.0 → +8.8 match`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for c in self.contributions.iter().filter(|c| c.level != 0) {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{} {}", c.field, c.label)?;
            if let Some(v) = &c.value {
                write!(f, " \"{v}\"")?;
            }
            if let Some(t) = &c.tf {
                write!(f, " (tf 1/{:.0})", 1.0 / t.frequency.max(1e-12))?;
            }
            if let Some(s) = c.similarity.filter(|&s| s < 1.0) {
                write!(f, " {s:.2}")?;
            }
            write!(f, " {}", signed(c.weight))?;
        }
        if first {
            f.write_str("nothing to compare")?;
        }
        write!(
            f,
            "; prior {} \u{2192} {} {}",
            signed(self.prior),
            signed(self.score),
            self.decision
        )
    }
}

/// Group pairs by cluster id, for reports (cluster id → pairs inside it).
pub fn pairs_by_cluster(result: &MatchResult) -> BTreeMap<u32, Vec<ScoredPair>> {
    let mut m: BTreeMap<u32, Vec<ScoredPair>> = BTreeMap::new();
    for p in &result.pairs {
        let c = result.clustering.cluster_of[p.a as usize];
        if c == result.clustering.cluster_of[p.b as usize] {
            m.entry(c).or_default().push(*p);
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OrgName, Phone, TaxId, TaxIdKind};

    fn org(name: &str, phone: &str, inn: &str) -> Party {
        let mut p = Party {
            org: Some(OrgName {
                input: name.into(),
                name: name.into(),
                ..OrgName::default()
            }),
            ..Party::default()
        };
        if !phone.is_empty() {
            p.phones.push(Phone {
                digits: phone.into(),
                e164: Some(format!("+7{phone}")),
                valid: true,
                ..Phone::default()
            });
        }
        if !inn.is_empty() {
            p.tax_ids.push(TaxId {
                normalized: inn.into(),
                kind: TaxIdKind::Inn10,
                valid: true,
                ..TaxId::default()
            });
        }
        p
    }

    /// A pseudo-random word from syllables (deterministic).
    fn word(seed: u64) -> String {
        const SYL: [&str; 16] = [
            "ra", "mo", "ka", "shi", "len", "to", "vi", "ber", "dan", "ol", "ex", "pro", "tek",
            "nor", "zu", "gal",
        ];
        let h = compare::mix64(seed + 1);
        (0..2 + (h % 3) as usize)
            .map(|k| SYL[((h >> (8 * k + 4)) % 16) as usize])
            .collect()
    }

    fn sample() -> Vec<Party> {
        let mut v = Vec::new();
        for i in 0..60 {
            let name = format!("{} {}", word(i as u64), word(1000 + i as u64));
            let phone = format!("495{:07}", 1_000_000 + i * 7919);
            let inn = format!("77{:08}", 10_000_000 + i * 31);
            v.push(org(&name, &phone, &inn));
            if i % 2 == 0 {
                v.push(org(&format!("{name}."), &phone, &inn));
            }
            if i % 3 == 0 {
                v.push(org(&format!("{name}x"), "", &inn));
            }
        }
        v
    }

    #[test]
    fn dedupe_finds_the_planted_duplicates() {
        let parties = sample();
        let r = dedupe(&parties, &MatchConfig::default(), &Constraints::default());
        let truth: Vec<usize> = {
            let mut t = Vec::new();
            for i in 0..60 {
                t.push(i);
                if i % 2 == 0 {
                    t.push(i);
                }
                if i % 3 == 0 {
                    t.push(i);
                }
            }
            t
        };
        let s = pairwise(&r.clustering.cluster_of, &truth);
        if s.f1 <= 0.95 {
            let e = Engine::new(&parties, MatchConfig::default());
            eprintln!("{:#?}", r.params.by_kind[&Kind::Organization].lambda);
            eprintln!("{}", e.explain(&r.params, 0, 2));
            eprintln!("{}", e.explain(&r.params, 0, 1));
            eprintln!("{:?}", r.stats);
        }
        assert!(s.f1 > 0.95, "{s:?}");
    }

    #[test]
    fn output_is_deterministic() {
        let parties = sample();
        let a = serde_json::to_string(&dedupe(
            &parties,
            &MatchConfig::default(),
            &Constraints::default(),
        ))
        .unwrap();
        for _ in 0..3 {
            let b = serde_json::to_string(&dedupe(
                &parties,
                &MatchConfig::default(),
                &Constraints::default(),
            ))
            .unwrap();
            assert_eq!(a, b);
        }
    }

    /// Distinct companies with made-up names, phones and tax IDs.
    fn population(n: u64, offset: u64) -> Vec<Party> {
        (0..n)
            .map(|i| {
                let j = i + offset;
                org(
                    &format!("{} {}", word(j), word(7000 + j)),
                    &format!("495{:07}", 2_000_000 + j * 7919),
                    &format!("78{:08}", 20_000_000 + j * 37),
                )
            })
            .collect()
    }

    #[test]
    fn explain_lists_field_contributions() {
        let mut parties = vec![
            org("Romashka", "4951234567", "7707083893"),
            org("Romashka", "4957654321", "7707083893"),
            org("Romashka", "4951234567", "7736050003"),
        ];
        parties.extend(population(120, 0));
        let engine = Engine::new(&parties, MatchConfig::default());
        let params = Params::defaults(CompareConfig::default(), &ScoringConfig::default());
        let e = engine.explain(&params, 0, 1);
        let text = e.to_string();
        assert!(text.starts_with("tax ID equal +"), "{text}");
        assert!(text.contains("phone different \u{2212}"), "{text}");
        assert!(
            text.contains("name exact \"romashka\" (tf 1/41) +"),
            "{text}"
        );
        assert_eq!(e.decision, Decision::Match);
        let sum: f64 = e.prior + e.contributions.iter().map(|c| c.weight).sum::<f64>();
        assert!((sum - e.score).abs() < 1e-9);
        let conflict = engine.explain(&params, 0, 2);
        assert!(
            conflict
                .to_string()
                .starts_with("tax ID different \u{2212}"),
            "{conflict}"
        );
        assert_ne!(conflict.decision, Decision::Match);
        insta::assert_snapshot!("explain_same_tax_id", text);
        insta::assert_snapshot!("explain_conflicting_tax_ids", conflict.to_string());
    }

    #[test]
    fn a_common_name_alone_never_yields_a_match() {
        // 150 different companies called "Romashka" (own tax IDs and phones),
        // 30 of them entered twice; and 300 companies with names of their own,
        // 100 entered twice.
        let mut parties = Vec::new();
        let mut truth = Vec::new();
        for i in 0..150u64 {
            let phone = format!("499{:07}", 3_000_000 + i * 104_729);
            let inn = format!("50{:08}", 30_000_000 + i * 53);
            parties.push(org("Romashka", &phone, &inn));
            truth.push(i);
            if i < 30 {
                // The second card: same company, its tax ID or its phone missing.
                let (p2, t2) = if i % 2 == 0 {
                    (phone.as_str(), "")
                } else {
                    ("", inn.as_str())
                };
                parties.push(org("Romashka", p2, t2));
                truth.push(i);
            }
        }
        // Namesakes with nothing but the name: never matched to anyone.
        for _ in 0..20 {
            parties.push(org("Romashka", "", ""));
            truth.push(10_000 + parties.len() as u64);
        }
        for (k, p) in population(300, 500).into_iter().enumerate() {
            if k < 100 {
                let mut twin = p.clone();
                twin.phones.clear();
                parties.push(twin);
                truth.push(1000 + k as u64);
            }
            parties.push(p);
            truth.push(1000 + k as u64);
        }
        let r = dedupe(&parties, &MatchConfig::default(), &Constraints::default());
        let c = &r.clustering.cluster_of;
        let n = parties.len();
        let mut false_pairs = 0;
        for a in 0..n {
            for b in a + 1..n {
                if c[a] == c[b] && truth[a] != truth[b] {
                    false_pairs += 1;
                }
            }
        }
        assert_eq!(false_pairs, 0, "namesakes merged; stats {:?}", r.stats);
        // Most true pairs are found: a phone shared by two cards among 600
        // is only moderate evidence, so a few phone-only twins stay apart.
        let s = pairwise(c, &truth);
        assert!(s.recall > 0.85, "{s:?}");
        let kp = &r.params.by_kind[&Kind::Organization];
        assert!(kp.sessions.len() >= 2, "{:?}", kp.sessions);
        // The prior is a random pair's chance, far below the candidate-pair share.
        assert!(kp.lambda < 1e-2, "λ {}", kp.lambda);
    }

    #[test]
    fn cannot_link_by_source_key_wins_over_a_perfect_match() {
        let mut parties = vec![
            org("Romashka", "4951234567", "7707083893"),
            org("Romashka", "4951234567", "7707083893"),
        ];
        parties[0].provenance.source_key = "A1".into();
        parties[1].provenance.source_key = "B7".into();
        let rows: Vec<RowKeys> = parties.iter().map(RowKeys::of).collect();
        let (c, unresolved) = resolve_decisions(
            &rows,
            &[],
            &[
                (("".into(), "A1".into()), ("".into(), "B7".into())),
                (("".into(), "A1".into()), ("".into(), "Z".into())),
            ],
        );
        assert_eq!(unresolved.len(), 1);
        assert_eq!(unresolved[0].2, "no such row now");
        // Two records are too few to estimate from: the table's defaults score them.
        let defaults = Params::defaults(CompareConfig::default(), &ScoringConfig::default());
        let r = Engine::new(&parties, MatchConfig::default()).run(&c, Some(&defaults));
        assert_ne!(r.clustering.cluster_of[0], r.clustering.cluster_of[1]);
        assert_eq!(r.clustering.blocked_by_cannot_link, 1);
    }

    #[test]
    fn people_are_the_same_only_within_one_employer() {
        use crate::model::{Field, Kind};
        use crate::normalize::person::{NameOrder, normalize_person_name};
        let person = |name: &str, employer: &str| {
            let mut p = Party {
                kind: Kind::Person,
                person: Some(normalize_person_name(name, NameOrder::Auto)),
                ..Party::default()
            };
            p.original.insert(Field::OrganizationRef, employer.into());
            p
        };
        let mut parties = vec![
            person("Иванов Иван Иванович", "ООО «Ромашка»"),
            person("Иванов Иван Иванович", "Ромашка"),
            person("Иванов Иван Иванович", "АО Лютик"),
        ];
        // A population to estimate from: distinct people, half entered twice at the same employer.
        for i in 0..60u64 {
            let name = format!("{} {}", word(i), word(500 + i));
            let employer = format!("{} {}", word(1000 + i), word(1500 + i));
            parties.push(person(&name, &employer));
            if i % 2 == 0 {
                parties.push(person(&name, &employer));
            }
        }
        let r = dedupe(&parties, &MatchConfig::default(), &Constraints::default());
        let c = &r.clustering.cluster_of;
        assert_eq!(c[0], c[1], "same person, same employer written two ways");
        assert_ne!(c[0], c[2], "a namesake at another employer");
    }

    #[test]
    fn a_japanese_reading_meets_the_latin_spelling() {
        use crate::model::{Field, Kind};
        use crate::normalize::person::{NameOrder, normalize_person_name};
        let person = |name: &str, reading: Option<&str>, employer: &str| {
            let mut n = normalize_person_name(name, NameOrder::Auto);
            n.reading = reading.map(str::to_string);
            let mut p = Party {
                kind: Kind::Person,
                person: Some(n),
                ..Party::default()
            };
            p.original.insert(Field::OrganizationRef, employer.into());
            p
        };
        let mut parties = vec![
            person("山田 太郎", Some("ヤマダ タロウ"), "山田商事"),
            person("Yamada Taro", None, "山田商事"),
            person("山田 花子", Some("ヤマダ ハナコ"), "山田商事"),
        ];
        for i in 0..60u64 {
            let name = format!("{} {}", word(i), word(500 + i));
            let employer = format!("{} {}", word(1000 + i), word(1500 + i));
            parties.push(person(&name, None, &employer));
            if i % 2 == 0 {
                parties.push(person(&name, None, &employer));
            }
        }
        let r = dedupe(&parties, &MatchConfig::default(), &Constraints::default());
        let c = &r.clustering.cluster_of;
        assert_eq!(c[0], c[1], "山田 太郎 (ヤマダ タロウ) is Yamada Taro");
        assert_ne!(c[0], c[2], "山田 花子 is someone else");
    }
}
