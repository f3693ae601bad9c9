//! Scoring: Fellegi–Sunter log-likelihood weights with term-frequency
//! adjustment, estimated without labels the way Splink does (see
//! `../shared/reference/matching.md`):
//!
//! - **u** from random pairs of the same kind (not from the candidate pairs,
//!   whose non-matches look alike by construction), fixed during EM;
//! - **λ**, the probability that two *random* records match, from
//!   deterministic rules on strong identifiers (`[[rule]]` in the table):
//!   distinct candidate pairs meeting a rule / assumed recall / all pairs —
//!   so the prior says how rare a match is, not how many pairs blocking made;
//! - **m** by EM in several training sessions (`[[session]]`), each on the
//!   candidate pairs that agree on its fields and estimating only the *other*
//!   fields; a level's m is the median over the sessions. A common name cannot
//!   teach EM that "same name = same company": the name's m comes from pairs
//!   found by tax ID, phone, e-mail or address.
//!
//! Optional labels (steward decisions) refine m; defaults from the table are
//! the starting point and a Dirichlet prior.

use super::compare::mix64;
use super::compare::{
    Comparator, CompareConfig, Comparisons, Condition, Levels, MAX_FIELDS, Rec, compare,
};
use crate::model::Kind;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// Most levels any field has, "missing" included.
pub const MAX_LEVELS: usize = 10;

/// Which side of the thresholds a pair falls on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Match,
    Review,
    NonMatch,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Match => "match",
            Decision::Review => "review",
            Decision::NonMatch => "non_match",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelParams {
    pub label: String,
    /// P(level | match)
    pub m: f64,
    /// P(level | non-match)
    pub u: f64,
    /// m is kept at its default (e.g. two different valid tax IDs).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fixed: bool,
    /// Training sessions that estimated this m (0: the table's default).
    #[serde(default)]
    pub sessions: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldParams {
    pub field: String,
    /// Index = level − 1 (level 0, missing, always weighs 0).
    pub levels: Vec<LevelParams>,
}

/// One EM training session, as it ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionReport {
    /// The fields the session's pairs agree on (not estimated by it).
    pub blocked_on: Vec<String>,
    pub pairs: usize,
    pub iterations: usize,
    pub converged: bool,
    /// Share of matches among the session's pairs at the end.
    pub match_share: f64,
    /// The session's index in the table's `[[session]]` list.
    #[serde(default)]
    pub session: usize,
    /// Per field and level, u among the session's non-matches: P(level |
    /// non-match, the session's fields agree). Scoring uses it for the pairs
    /// that meet the session's condition: two sites of a chain share its
    /// phone *and* its name, so given the phone a shared name is no longer
    /// rare, and counting both at their random-pair u would count one fact
    /// twice. Empty for a session without `conditional` fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub u: Vec<Vec<f64>>,
}

/// Parameters for the pairs of one record kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindParams {
    /// Probability that two random records of this kind match.
    pub lambda: f64,
    /// Distinct candidate pairs meeting a deterministic rule (λ's numerator).
    #[serde(default)]
    pub rule_pairs: usize,
    /// The share of the matches the rules are taken to reach (λ's divisor).
    #[serde(default)]
    pub rule_recall: f64,
    pub fields: Vec<FieldParams>,
    /// Random pairs the u values were counted on (0 = the table's defaults).
    #[serde(default)]
    pub random_pairs: usize,
    #[serde(default)]
    pub sessions: Vec<SessionReport>,
    /// Labelled pairs that refined m.
    #[serde(default)]
    pub labels: usize,
}

/// Everything needed to score pairs again: save it, load it, reuse it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Params {
    pub compare: CompareConfig,
    /// Total score (log2 posterior odds) at or above which a pair is a match.
    pub match_threshold: f64,
    /// Total score at or above which a pair goes to review.
    pub review_threshold: f64,
    /// Largest absolute weight of one level (keeps a u never seen in the
    /// sample from turning one field into infinity); fixed levels are exempt.
    pub max_field_weight: f64,
    /// Largest bonus term frequency may add to an exact level (a value seen
    /// once is rare, not proof).
    pub max_tf_bonus: f64,
    pub by_kind: BTreeMap<Kind, KindParams>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoringConfig {
    pub match_threshold: f64,
    pub review_threshold: f64,
    pub max_field_weight: f64,
    pub max_tf_bonus: f64,
    /// Random pairs per kind counted for u (0 = the table's u).
    pub random_pairs: usize,
    pub seed: u64,
    pub max_iterations: usize,
    pub tolerance: f64,
    /// Weight of the table's m/u as pseudo-counts (in pairs).
    pub prior_strength: f64,
    /// Fewest pairs a training session needs.
    pub min_session_pairs: usize,
    /// Weight, in pairs, of the unsupervised m against labelled matches.
    pub label_strength: f64,
    /// Weight, in pairs, of the random pairs' u inside a training session.
    pub session_u_strength: f64,
    /// Weight, in pairs, of the table's u against the random pairs: on a
    /// small file the few random pairs include its duplicates themselves.
    pub u_prior_strength: f64,
}

impl Default for ScoringConfig {
    fn default() -> Self {
        ScoringConfig {
            match_threshold: 2.0,
            review_threshold: -4.0,
            max_field_weight: 28.0,
            max_tf_bonus: 4.0,
            random_pairs: 1_000_000,
            seed: 0x5EED,
            max_iterations: 40,
            tolerance: 1e-4,
            prior_strength: 20.0,
            min_session_pairs: 30,
            label_strength: 20.0,
            session_u_strength: 200.0,
            u_prior_strength: 1000.0,
        }
    }
}

/// The table's m/u per field: the priors and the starting point of EM.
pub fn default_kind_params(cmp: &Comparisons) -> KindParams {
    KindParams {
        lambda: 1e-4,
        rule_pairs: 0,
        rule_recall: 0.0,
        fields: cmp
            .spec
            .fields
            .iter()
            .map(|f| FieldParams {
                field: f.name.clone(),
                levels: f
                    .levels
                    .iter()
                    .map(|l| LevelParams {
                        label: l.label.clone(),
                        m: l.m,
                        u: l.u,
                        fixed: l.fixed,
                        sessions: 0,
                    })
                    .collect(),
            })
            .collect(),
        random_pairs: 0,
        sessions: Vec::new(),
        labels: 0,
    }
}

/// `w[field][level]` in log2 units.
pub type WeightTable = [[f64; MAX_LEVELS]; MAX_FIELDS];

/// Per-kind weight table in log2 units, with what term-frequency needs.
#[derive(Clone, Debug)]
pub struct Weights {
    pub prior: f64,
    /// `w[field][level]`, with u from random pairs.
    pub w: WeightTable,
    /// Tables with u conditional on a training session's agreement (see
    /// [`SessionReport::u`]), in table order: a pair meeting a session's
    /// condition is scored with the first such table.
    given: Vec<(Condition, Box<WeightTable>)>,
    tf: [Option<TfField>; MAX_FIELDS],
    max_tf_bonus: f64,
}

/// What term-frequency adjustment needs of one field.
#[derive(Clone, Copy, Debug)]
struct TfField {
    slot: usize,
    comparator: Comparator,
    /// log2 u per level.
    log_u: [f64; MAX_LEVELS],
    fuzzy: f64,
    /// The last level ("different"): never adjusted.
    last: u8,
}

/// The levels that agree exactly on a value, and which of the field's
/// term-frequency values (`part`) they agree on: the whole value; a person's
/// family (5) or given (6) name; a phone's local number, equal in full or
/// written without its area code (1, 2).
fn exact_part(c: Comparator, level: u8) -> Option<usize> {
    match (c, level) {
        (_, 1) => Some(0),
        (Comparator::PersonName, 5) => Some(1),
        (Comparator::PersonName, 6) => Some(2),
        (Comparator::Phone, 2) => Some(0),
        _ => None,
    }
}

/// A term-frequency adjustment, for `--explain`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfAdjustment {
    /// The frequency used (the larger of the two values').
    pub frequency: f64,
    pub weight: f64,
}

impl KindParams {
    /// log2(m/u) per field and level, clamped and monotone; `given_u`
    /// replaces u (a session's conditional u).
    fn table(
        &self,
        params: &Params,
        cmp: &Comparisons,
        given_u: Option<&[Vec<f64>]>,
    ) -> WeightTable {
        let max_w = params.max_field_weight;
        let mut w = [[0.0; MAX_LEVELS]; MAX_FIELDS];
        for (fi, fp) in self.fields.iter().enumerate().take(MAX_FIELDS) {
            for (li, l) in fp.levels.iter().enumerate().take(MAX_LEVELS - 1) {
                let u = given_u
                    .and_then(|g| g.get(fi)?.get(li).copied())
                    .unwrap_or(l.u);
                let w0 = (l.m.max(1e-12) / u.max(1e-12)).log2();
                // Fixed levels (conflicting identifiers) keep their full weight.
                w[fi][li + 1] = if l.fixed { w0 } else { w0.clamp(-max_w, max_w) };
            }
            // Levels go from most to least similar: a more similar level never
            // weighs less than a less similar one (EM on few pairs, or a level
            // that never occurs, can say otherwise). Raised from the bottom,
            // so a level never seen cannot drag the others down. The exact
            // level of a term-frequency field is left alone: its weight is the
            // value's own, and a common value must be able to weigh little.
            let n = fp.levels.len().min(MAX_LEVELS - 1);
            let top = if fi < cmp.len() && cmp.tf_slot(fi).is_some() {
                2
            } else {
                1
            };
            for l in (top..n).rev() {
                w[fi][l] = w[fi][l].max(w[fi][l + 1]);
            }
        }
        w
    }

    pub fn weights(&self, params: &Params, cmp: &Comparisons) -> Weights {
        let mut tf = [None; MAX_FIELDS];
        for (fi, fp) in self.fields.iter().enumerate().take(MAX_FIELDS) {
            if fi < cmp.len()
                && let Some(slot) = cmp.tf_slot(fi)
            {
                let spec = cmp.field(fi);
                let mut log_u = [0.0; MAX_LEVELS];
                for (li, l) in fp.levels.iter().enumerate().take(MAX_LEVELS - 1) {
                    log_u[li + 1] = l.u.max(1e-12).log2();
                }
                tf[fi] = Some(TfField {
                    slot,
                    comparator: spec.comparator,
                    log_u,
                    fuzzy: spec.tf_fuzzy,
                    last: fp.levels.len() as u8,
                });
            }
        }
        let given = self
            .sessions
            .iter()
            .filter(|s| !s.u.is_empty())
            .filter_map(|s| {
                let c = cmp.sessions.get(s.session)?.clone();
                Some((c, Box::new(self.table(params, cmp, Some(&s.u)))))
            })
            .collect();
        let lam = self.lambda.clamp(1e-15, 1.0 - 1e-9);
        Weights {
            prior: (lam / (1.0 - lam)).log2(),
            w: self.table(params, cmp, None),
            given,
            tf,
            max_tf_bonus: params.max_tf_bonus,
        }
    }
}

impl Weights {
    /// The term-frequency adjustment of field `f` at `level` for records `a`, `b`.
    #[inline]
    pub fn tf_adjustment(&self, f: usize, level: u8, a: &Rec, b: &Rec) -> Option<TfAdjustment> {
        let t = self.tf[f]?;
        if level == 0 || level >= t.last {
            return None;
        }
        // Exact agreement on a value (the whole value, or one part of a
        // person's name): its own frequency replaces the level's u.
        let part = exact_part(t.comparator, level);
        let slot = t.slot + part.unwrap_or(0);
        let freq = a.tf[slot].max(b.tf[slot]) as f64;
        if freq <= 0.0 {
            return None;
        }
        let log_u = t.log_u[if part.is_some() { level as usize } else { 1 }];
        let raw = log_u - freq.max(1e-12).log2();
        let fuzzy = t.fuzzy;
        let weight = if part.is_some() {
            raw.min(self.max_tf_bonus)
        } else if fuzzy > 0.0 {
            // On fuzzy levels only a common value counts against (Splink
            // damps these; a bonus for two rare spellings would reward typos).
            (fuzzy * raw).min(0.0)
        } else {
            return None;
        };
        Some(TfAdjustment {
            frequency: freq,
            weight,
        })
    }

    /// The weight table for a pair with these levels.
    #[inline]
    pub fn table(&self, levels: &Levels) -> &WeightTable {
        self.given
            .iter()
            .find(|(c, _)| c.holds(levels))
            .map_or(&self.w, |(_, w)| w)
    }

    #[inline]
    pub fn score(&self, levels: &Levels, a: &Rec, b: &Rec) -> f64 {
        let mut s = self.prior;
        let w = self.table(levels);
        for (f, &l) in levels.iter().enumerate() {
            s += w[f][l as usize];
            if self.tf[f].is_some()
                && let Some(t) = self.tf_adjustment(f, l, a, b)
            {
                s += t.weight;
            }
        }
        s
    }
}

impl Params {
    pub fn decide(&self, score: f64) -> Decision {
        if score >= self.match_threshold {
            Decision::Match
        } else if score >= self.review_threshold {
            Decision::Review
        } else {
            Decision::NonMatch
        }
    }

    /// Parameters for a kind (the table's defaults when the kind was not estimated).
    pub fn kind(&self, kind: Kind, cmp: &Comparisons) -> KindParams {
        self.by_kind
            .get(&kind)
            .cloned()
            .unwrap_or_else(|| default_kind_params(cmp))
    }

    pub fn weights(&self, cmp: &Comparisons) -> BTreeMap<Kind, Weights> {
        Kind::ALL
            .iter()
            .map(|&k| (k, self.kind(k, cmp).weights(self, cmp)))
            .collect()
    }

    /// Untrained parameters: the table's defaults.
    pub fn defaults(compare: CompareConfig, cfg: &ScoringConfig) -> Params {
        Params {
            compare,
            match_threshold: cfg.match_threshold,
            review_threshold: cfg.review_threshold,
            max_field_weight: cfg.max_field_weight,
            max_tf_bonus: cfg.max_tf_bonus,
            by_kind: BTreeMap::new(),
        }
    }
}

/// Level histogram of random pairs of the same kind (deterministic sampling).
fn random_pair_counts(
    recs: &[Rec],
    members: &[u32],
    cfg: &ScoringConfig,
    cmp: &Comparisons,
) -> (usize, Vec<[u64; MAX_LEVELS]>) {
    let n = members.len() as u64;
    if n < 2 || cfg.random_pairs == 0 {
        return (0, Vec::new());
    }
    let all = n * (n - 1) / 2;
    let samples: Vec<(u32, u32)> = if all <= cfg.random_pairs as u64 {
        (0..members.len())
            .flat_map(|i| (i + 1..members.len()).map(move |j| (i as u32, j as u32)))
            .collect()
    } else {
        let mut state = cfg.seed;
        (0..cfg.random_pairs)
            .map(|_| {
                loop {
                    state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                    let r = mix64(state);
                    let a = ((r >> 32) % n) as u32;
                    let b = ((r & 0xFFFF_FFFF) % n) as u32;
                    if a != b {
                        break (a, b);
                    }
                }
            })
            .collect()
    };
    let counts = samples
        .par_iter()
        .fold(
            || vec![[0u64; MAX_LEVELS]; MAX_FIELDS],
            |mut acc, &(a, b)| {
                let l = compare(
                    &recs[members[a as usize] as usize],
                    &recs[members[b as usize] as usize],
                    cmp,
                );
                for (f, &lev) in l.iter().enumerate() {
                    acc[f][lev as usize] += 1;
                }
                acc
            },
        )
        .reduce(
            || vec![[0u64; MAX_LEVELS]; MAX_FIELDS],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(&b) {
                    for (p, q) in x.iter_mut().zip(y) {
                        *p += q;
                    }
                }
                a
            },
        );
    (samples.len(), counts)
}

/// Distinct comparison vectors with their counts, sorted (deterministic).
pub fn patterns<'a>(levels: impl ParallelIterator<Item = &'a Levels>) -> Vec<(Levels, u64)> {
    let map = levels
        .fold(HashMap::<Levels, u64>::new, |mut m, l| {
            *m.entry(*l).or_default() += 1;
            m
        })
        .reduce(HashMap::new, |mut a, b| {
            for (k, v) in b {
                *a.entry(k).or_default() += v;
            }
            a
        });
    let mut v: Vec<(Levels, u64)> = map.into_iter().collect();
    v.sort_unstable();
    v
}

/// EM over the patterns of one training session: m of the fields not in
/// `excluded`, the session's own u (starting from `start`'s), and its match share.
fn em_session(
    pats: &[(Levels, u64)],
    start: &KindParams,
    prior: &KindParams,
    excluded: &[bool; MAX_FIELDS],
    cfg: &ScoringConfig,
) -> (KindParams, SessionReport) {
    let mut p = start.clone();
    let nf = p.fields.len();
    let mut lam = 0.5f64;
    let alpha = cfg.prior_strength;
    let total: f64 = pats.iter().map(|x| x.1 as f64).sum();
    let mut g = vec![0.0f64; pats.len()];
    let mut report = SessionReport {
        blocked_on: Vec::new(),
        pairs: total as usize,
        iterations: 0,
        converged: false,
        match_share: 0.0,
        session: 0,
        u: Vec::new(),
    };
    for it in 0..cfg.max_iterations {
        let lm: Vec<Vec<f64>> = p
            .fields
            .iter()
            .map(|fp| {
                std::iter::once(0.0)
                    .chain(
                        fp.levels
                            .iter()
                            .map(|l| l.m.max(1e-12).ln() - l.u.max(1e-12).ln()),
                    )
                    .collect()
            })
            .collect();
        let base = lam.clamp(1e-9, 1.0 - 1e-9);
        let base = base.ln() - (1.0 - base).ln();
        for (gi, (lev, _)) in g.iter_mut().zip(pats) {
            let mut logit = base;
            for f in 0..nf {
                if !excluded[f] && lev[f] > 0 {
                    logit += lm[f][lev[f] as usize];
                }
            }
            *gi = 1.0 / (1.0 + (-logit.clamp(-60.0, 60.0)).exp());
        }
        let mut sm = vec![[0.0f64; MAX_LEVELS]; MAX_FIELDS];
        let mut su = vec![[0.0f64; MAX_LEVELS]; MAX_FIELDS];
        let mut gsum = 0.0;
        for (gi, (lev, c)) in g.iter().zip(pats) {
            let c = *c as f64;
            gsum += gi * c;
            for f in 0..nf {
                sm[f][lev[f] as usize] += gi * c;
                su[f][lev[f] as usize] += (1.0 - gi) * c;
            }
        }
        let mut delta: f64 = 0.0;
        let new_lam = gsum / total;
        delta = delta.max((new_lam - lam).abs());
        lam = new_lam;
        for f in 0..nf {
            if excluded[f] {
                continue;
            }
            let fp = &mut p.fields[f];
            let mt: f64 = sm[f][1..].iter().sum();
            let nl = fp.levels.len();
            let mut fixed_mass = 0.0;
            let mut new_m = vec![0.0; nl];
            for l in 0..nl {
                let m0 = prior.fields[f].levels[l].m;
                if fp.levels[l].fixed {
                    new_m[l] = m0;
                    fixed_mass += m0;
                } else {
                    new_m[l] = (sm[f][l + 1] + alpha * m0) / (mt + alpha);
                }
            }
            let free: f64 = (0..nl)
                .filter(|&l| !fp.levels[l].fixed)
                .map(|l| new_m[l])
                .sum();
            let ut: f64 = su[f][1..].iter().sum();
            for l in 0..nl {
                if !fp.levels[l].fixed && free > 0.0 {
                    new_m[l] *= (1.0 - fixed_mass) / free;
                }
                delta = delta.max((new_m[l] - fp.levels[l].m).abs());
                fp.levels[l].m = new_m[l].max(1e-9);
                // The session's non-matches share its block and are not random
                // pairs (two sites of one chain share its phone and name): they
                // get a u of their own, pulled towards the random pairs' u.
                // That u leaves the session only for its `conditional` fields.
                let u0 = start.fields[f].levels[l].u;
                fp.levels[l].u = ((su[f][l + 1] + cfg.session_u_strength * u0)
                    / (ut + cfg.session_u_strength))
                    .max(1e-12);
            }
        }
        report.iterations = it + 1;
        if delta < cfg.tolerance {
            report.converged = true;
            break;
        }
    }
    report.match_share = lam;
    (p, report)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The candidate pairs of one kind, as their comparison vectors.
pub struct KindPairs<'a> {
    pub kind: Kind,
    pub levels: Vec<&'a Levels>,
}

/// Estimate the parameters of one kind: u from random pairs, λ from the
/// deterministic rules, m from the training sessions.
pub fn estimate_kind(
    pairs: &KindPairs<'_>,
    recs: &[Rec],
    members: &[u32],
    cfg: &ScoringConfig,
    cmp: &Comparisons,
) -> KindParams {
    let kind = pairs.kind;
    let prior = default_kind_params(cmp);
    let mut p = prior.clone();

    let (nrand, rand_counts) = random_pair_counts(recs, members, cfg, cmp);
    if nrand > 0 {
        p.random_pairs = nrand;
        for (f, fp) in p.fields.iter_mut().enumerate() {
            let total: u64 = rand_counts[f][1..].iter().sum();
            if total == 0 {
                continue;
            }
            // A level the sample never showed is rarer than one in the
            // sample, not impossible: half a pair of a full sample is its
            // floor (a small file's few pairs say less than that).
            let floor = 0.5 / (total as f64).max(cfg.random_pairs as f64);
            let beta = cfg.u_prior_strength;
            for (l, lp) in fp.levels.iter_mut().enumerate() {
                let u0 = prior.fields[f].levels[l].u;
                lp.u =
                    ((rand_counts[f][l + 1] as f64 + beta * u0) / (total as f64 + beta)).max(floor);
            }
        }
    }

    // The distinct comparison vectors, once: sessions and rules select from them.
    let all = patterns(pairs.levels.par_iter().copied());

    // m: EM per training session, then the median per level.
    let mut estimates: Vec<Vec<Vec<f64>>> = p
        .fields
        .iter()
        .map(|fp| vec![Vec::new(); fp.levels.len()])
        .collect();
    for (si, s) in cmp
        .sessions
        .iter()
        .enumerate()
        .filter(|(_, s)| s.applies_to(kind))
    {
        let pats: Vec<(Levels, u64)> = all.iter().filter(|x| s.holds(&x.0)).copied().collect();
        let count: u64 = pats.iter().map(|x| x.1).sum();
        if (count as usize) < cfg.min_session_pairs {
            continue;
        }
        let mut excluded = [false; MAX_FIELDS];
        for f in s.fields() {
            excluded[f] = true;
        }
        let (est, mut report) = em_session(&pats, &p, &prior, &excluded, cfg);
        report.blocked_on = s.fields().map(|f| cmp.field(f).name.clone()).collect();
        report.session = si;
        let conditional = !s.conditional.is_empty();
        for (f, fp) in est.fields.iter().enumerate() {
            // A field the session's pairs rarely have says nothing about its m
            // (nor its u): it keeps the random pairs' u.
            let seen: u64 = pats.iter().filter(|x| x.0[f] > 0).map(|x| x.1).sum();
            let used = !excluded[f] && seen >= cfg.min_session_pairs as u64;
            if conditional {
                report.u.push(
                    fp.levels
                        .iter()
                        .zip(&p.fields[f].levels)
                        .map(|(e, r)| {
                            if used && s.conditional.contains(&f) {
                                e.u
                            } else {
                                r.u
                            }
                        })
                        .collect(),
                );
            }
            if !used {
                continue;
            }
            for (l, lp) in fp.levels.iter().enumerate() {
                estimates[f][l].push(lp.m);
            }
        }
        p.sessions.push(report);
    }
    for (f, fp) in p.fields.iter_mut().enumerate() {
        let nl = fp.levels.len();
        if estimates[f][0].is_empty() {
            continue;
        }
        let mut m: Vec<f64> = (0..nl).map(|l| median(&mut estimates[f][l])).collect();
        let fixed: f64 = (0..nl)
            .filter(|&l| fp.levels[l].fixed)
            .map(|l| fp.levels[l].m)
            .sum();
        let free: f64 = (0..nl).filter(|&l| !fp.levels[l].fixed).map(|l| m[l]).sum();
        for l in 0..nl {
            if fp.levels[l].fixed {
                m[l] = fp.levels[l].m;
            } else if free > 0.0 {
                m[l] *= (1.0 - fixed) / free;
            }
            fp.levels[l].m = m[l].max(1e-9);
            fp.levels[l].sessions = estimates[f][l].len();
        }
    }

    // λ: pairs a deterministic rule calls matches, over all pairs of the
    // kind, scaled up by the share of the matches the rules reach.
    let n = members.len() as f64;
    let all_pairs = (n * (n - 1.0) / 2.0).max(1.0);
    let rules: Vec<_> = cmp.rules.iter().filter(|r| r.applies_to(kind)).collect();
    let rule_pairs: u64 = all
        .iter()
        .filter(|x| rules.iter().any(|r| r.holds(&x.0)))
        .map(|x| x.1)
        .sum();
    let rule_pairs = rule_pairs as usize;
    p.rule_pairs = rule_pairs;
    // Both sides have a value: its share among the random pairs.
    let present: Vec<f64> = (0..p.fields.len())
        .map(|f| match rand_counts.get(f) {
            Some(c) if nrand > 0 => c[1..].iter().sum::<u64>() as f64 / nrand as f64,
            _ => 1.0,
        })
        .collect();
    p.rule_recall = cmp
        .spec
        .lambda
        .assumed_recall
        .unwrap_or_else(|| rule_recall(&rules, &p.fields, &present))
        .clamp(0.05, 1.0);
    let expected = if rule_pairs > 0 {
        rule_pairs as f64 / p.rule_recall
    } else {
        // No strong identifier agrees anywhere: assume one record in ten has a duplicate.
        0.1 * n
    };
    p.lambda = (expected / all_pairs).clamp(1e-12, 0.5);
    p
}

/// P(a pair meets some rule | match) under the model — fields independent
/// given a match, each present with probability `present` — by
/// inclusion–exclusion over the rules (a handful per kind).
fn rule_recall(rules: &[&Condition], fields: &[FieldParams], present: &[f64]) -> f64 {
    let n = rules.len().min(16);
    let mut total = 0.0;
    for subset in 1u32..(1 << n) {
        let mut masks: BTreeMap<usize, u16> = BTreeMap::new();
        for (i, r) in rules.iter().enumerate().take(n) {
            if subset & (1 << i) != 0 {
                for f in r.fields() {
                    let m = r.mask(f).unwrap_or(0);
                    *masks.entry(f).or_insert(u16::MAX) &= m;
                }
            }
        }
        let p: f64 = masks
            .iter()
            .map(|(&f, &mask)| {
                let m: f64 = fields.get(f).map_or(0.0, |fp| {
                    fp.levels
                        .iter()
                        .enumerate()
                        .filter(|(l, _)| mask & (1 << (l + 1)) != 0)
                        .map(|(_, lp)| lp.m)
                        .sum()
                });
                present.get(f).copied().unwrap_or(1.0) * m
            })
            .product();
        total += if subset.count_ones() % 2 == 1 { p } else { -p };
    }
    total
}

/// Refine m with labelled pairs (steward decisions): each field's m becomes
/// the labelled matches' level shares, pulled towards the unsupervised
/// estimate with `label_strength` pseudo-pairs.
pub fn refine_with_labels(p: &mut KindParams, matches: &[Levels], cfg: &ScoringConfig) {
    if matches.is_empty() {
        return;
    }
    p.labels += matches.len();
    let k = cfg.label_strength;
    for (f, fp) in p.fields.iter_mut().enumerate() {
        let mut counts = vec![0f64; fp.levels.len()];
        for l in matches {
            if l[f] > 0 && (l[f] as usize) <= counts.len() {
                counts[l[f] as usize - 1] += 1.0;
            }
        }
        let seen: f64 = counts.iter().sum();
        if seen == 0.0 {
            continue;
        }
        for (lp, c) in fp.levels.iter_mut().zip(&counts) {
            if !lp.fixed {
                lp.m = ((c + k * lp.m) / (seen + k)).max(1e-9);
            }
        }
    }
}

/// Comparators whose agreement is a strong identifier: what the namesake
/// guard asks for besides the name.
pub fn is_identifying(c: Comparator) -> bool {
    matches!(
        c,
        Comparator::TaxId
            | Comparator::Phone
            | Comparator::Email
            | Comparator::Identifier
            | Comparator::Date
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp() -> &'static Comparisons {
        Comparisons::builtin()
    }

    fn f(name: &str) -> usize {
        cmp().index_of(name).unwrap()
    }

    #[test]
    fn em_in_a_session_learns_m_of_the_other_fields() {
        // Pairs blocked on phone: 200 matches with equal names and postal codes,
        // 800 with different ones.
        let mut m = [0u8; MAX_FIELDS];
        m[f("phone")] = 1;
        m[f("name")] = 1;
        m[f("postal code")] = 1;
        let mut u = m;
        u[f("name")] = 6;
        u[f("postal code")] = 3;
        let pats = vec![(m, 200), (u, 800)];
        let prior = default_kind_params(cmp());
        let mut excluded = [false; MAX_FIELDS];
        excluded[f("phone")] = true;
        let (p, r) = em_session(&pats, &prior, &prior, &excluded, &ScoringConfig::default());
        assert!(r.converged, "{r:?}");
        assert!((r.match_share - 0.2).abs() < 0.03, "{r:?}");
        let name = &p.fields[f("name")].levels;
        assert!(name[0].m > 0.9, "{name:?}");
        // The blocked field keeps its default.
        assert_eq!(p.fields[f("phone")], prior.fields[f("phone")]);
    }

    #[test]
    fn conflicting_tax_id_keeps_strong_negative_weight() {
        let params = Params::defaults(CompareConfig::default(), &ScoringConfig::default());
        let w = default_kind_params(cmp()).weights(&params, cmp());
        assert!(w.w[f("tax ID")][5] < -15.0, "{}", w.w[f("tax ID")][5]);
        // The weaker disagreement of unverified numbers is not raised above it.
        assert!(w.w[f("tax ID")][4] > w.w[f("tax ID")][5]);
    }

    #[test]
    fn labels_pull_m_towards_what_the_steward_saw() {
        let mut p = default_kind_params(cmp());
        let before = p.fields[f("phone")].levels[2].m;
        let mut l = [0u8; MAX_FIELDS];
        l[f("phone")] = 3;
        refine_with_labels(&mut p, &vec![l; 40], &ScoringConfig::default());
        assert!(p.fields[f("phone")].levels[2].m > before + 0.3);
        assert_eq!(p.labels, 40);
    }

    #[test]
    fn params_round_trip_through_json() {
        let mut p = Params::defaults(CompareConfig::default(), &ScoringConfig::default());
        p.by_kind
            .insert(Kind::Organization, default_kind_params(cmp()));
        let s = serde_json::to_string(&p).unwrap();
        let back: Params = serde_json::from_str(&s).unwrap();
        assert_eq!(p, back);
    }
}
