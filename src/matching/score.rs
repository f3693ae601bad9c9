//! Scoring: Fellegi–Sunter log-likelihood weights, m/u estimated without
//! labels (u from random pairs, m and the match share by EM over the
//! candidate pairs, defaults as Dirichlet priors), two thresholds.

use super::compare::mix64;
use super::compare::{CmpField, CompareConfig, Levels, NF, Rec, compare};
use crate::model::Kind;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// Most levels any field has.
pub const MAX_LEVELS: usize = 8;

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
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldParams {
    pub field: CmpField,
    /// Index = level; level 0 (missing) always weighs 0.
    pub levels: Vec<LevelParams>,
}

/// Parameters for the pairs of one record kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindParams {
    /// Share of matches among the candidate pairs.
    pub lambda: f64,
    pub fields: Vec<FieldParams>,
    #[serde(default)]
    pub em_iterations: usize,
    #[serde(default)]
    pub converged: bool,
    /// Random pairs the u values were counted on (0 = u from EM / defaults).
    #[serde(default)]
    pub random_pairs: usize,
}

/// Everything needed to score pairs again: save it, load it, reuse it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Params {
    pub compare: CompareConfig,
    /// Total score (log2 odds) at or above which a pair is a match.
    pub match_threshold: f64,
    /// Total score at or above which a pair goes to review.
    pub review_threshold: f64,
    /// Largest absolute weight of one field (keeps an unseen-in-sample u from
    /// turning one field into infinity).
    pub max_field_weight: f64,
    pub by_kind: BTreeMap<Kind, KindParams>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoringConfig {
    pub match_threshold: f64,
    pub review_threshold: f64,
    pub max_field_weight: f64,
    /// Random pairs per kind counted for u: the starting point and prior of u
    /// in EM, or u itself with `fix_u` (0 = default u).
    pub random_pairs: usize,
    /// Keep u at the random-pair estimate during EM (as Splink does). Off by
    /// default: the candidate pairs are selected by blocking, so their
    /// non-matches look alike far more often than random pairs do, and a u
    /// fixed from random pairs drives EM to call every similar name a match.
    /// With it off, u is estimated by EM over the candidate pairs.
    pub fix_u: bool,
    pub seed: u64,
    pub max_iterations: usize,
    pub tolerance: f64,
    /// Weight of the default m/u as pseudo-counts (in pairs).
    pub prior_strength: f64,
    /// Initial share of matches among candidate pairs.
    pub initial_lambda: f64,
}

impl Default for ScoringConfig {
    fn default() -> Self {
        ScoringConfig {
            match_threshold: 3.0,
            review_threshold: -1.0,
            max_field_weight: 15.0,
            random_pairs: 300_000,
            fix_u: false,
            seed: 0x5EED,
            max_iterations: 100,
            tolerance: 1e-4,
            prior_strength: 50.0,
            initial_lambda: 0.1,
        }
    }
}

fn lv(label: &str, m: f64, u: f64) -> LevelParams {
    LevelParams {
        label: label.to_string(),
        m,
        u,
        fixed: false,
    }
}

/// Default m/u per field: the priors and the starting point of EM.
pub fn default_kind_params(kind: Kind) -> KindParams {
    let person = kind != Kind::Organization;
    let fields = CmpField::ALL
        .iter()
        .map(|&f| {
            let labels = f.level_labels();
            let mu: &[(f64, f64)] = match f {
                CmpField::Name if person => &[
                    (0.0, 0.0),
                    (0.55, 0.001),
                    (0.05, 0.0002),
                    (0.2, 0.003),
                    (0.1, 0.01),
                    (0.05, 0.05),
                    (0.05, 0.9358),
                ],
                CmpField::Name => &[
                    (0.0, 0.0),
                    (0.4, 0.0005),
                    (0.05, 0.0002),
                    (0.2, 0.002),
                    (0.15, 0.01),
                    (0.12, 0.05),
                    (0.08, 0.9373),
                ],
                CmpField::LegalForm => &[(0.0, 0.0), (0.95, 0.6), (0.05, 0.4)],
                CmpField::TaxId => &[(0.0, 0.0), (0.9, 1e-6), (0.07, 1e-6), (1e-6, 0.999998)],
                CmpField::Phone => &[(0.0, 0.0), (0.6, 1e-5), (0.2, 1e-4), (0.2, 0.99989)],
                CmpField::Email => &[(0.0, 0.0), (0.5, 1e-6), (0.2, 1e-5), (0.3, 0.999989)],
                CmpField::Domain => &[(0.0, 0.0), (0.7, 1e-4), (0.3, 0.9999)],
                CmpField::Address => &[
                    (0.0, 0.0),
                    (0.6, 0.001),
                    (0.15, 0.002),
                    (0.1, 0.01),
                    (0.15, 0.987),
                ],
                CmpField::PostalCode => &[(0.0, 0.0), (0.9, 0.01), (0.1, 0.99)],
                CmpField::City => &[(0.0, 0.0), (0.9, 0.1), (0.1, 0.9)],
                CmpField::Employer => &[(0.0, 0.0), (0.85, 0.05), (0.15, 0.95)],
            };
            let mut levels: Vec<LevelParams> = labels
                .iter()
                .zip(mu)
                .map(|(l, &(m, u))| lv(l, m, u))
                .collect();
            if f == CmpField::TaxId {
                levels[3].fixed = true;
            }
            FieldParams { field: f, levels }
        })
        .collect();
    KindParams {
        lambda: 0.1,
        fields,
        em_iterations: 0,
        converged: false,
        random_pairs: 0,
    }
}

/// Per-kind weight table: `w[field][level]` in log2 units.
#[derive(Clone, Debug)]
pub struct Weights {
    pub prior: f64,
    pub w: [[f64; MAX_LEVELS]; NF],
}

impl KindParams {
    pub fn weights(&self, max_w: f64) -> Weights {
        let mut w = [[0.0; MAX_LEVELS]; NF];
        for (fi, fp) in self.fields.iter().enumerate().take(NF) {
            for (li, l) in fp.levels.iter().enumerate().skip(1).take(MAX_LEVELS - 1) {
                let w0 = (l.m.max(1e-12) / l.u.max(1e-12)).log2();
                // Fixed levels (conflicting identifiers) keep their full weight.
                w[fi][li] = if l.fixed { w0 } else { w0.clamp(-max_w, max_w) };
            }
        }
        // Levels are ordered from most to least similar: a more similar level
        // never weighs less than a less similar one (EM on few pairs, or a
        // level that never occurs, can say otherwise). Raised from the
        // bottom, so a level never seen cannot drag the others down.
        for (row, fp) in w.iter_mut().zip(&self.fields) {
            let n = fp.levels.len().min(MAX_LEVELS);
            for l in (1..n.saturating_sub(1)).rev() {
                row[l] = row[l].max(row[l + 1]);
            }
        }
        let lam = self.lambda.clamp(1e-9, 1.0 - 1e-9);
        Weights {
            prior: (lam / (1.0 - lam)).log2(),
            w,
        }
    }
}

impl Weights {
    #[inline]
    pub fn score(&self, levels: &Levels) -> f64 {
        let mut s = self.prior;
        for (f, &l) in levels.iter().enumerate() {
            s += self.w[f][l as usize];
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

    /// Parameters for a kind (defaults when the kind was not estimated).
    pub fn kind(&self, kind: Kind) -> KindParams {
        self.by_kind
            .get(&kind)
            .cloned()
            .unwrap_or_else(|| default_kind_params(kind))
    }

    pub fn weights(&self) -> BTreeMap<Kind, Weights> {
        Kind::ALL
            .iter()
            .map(|&k| (k, self.kind(k).weights(self.max_field_weight)))
            .collect()
    }

    /// Untrained parameters: the defaults.
    pub fn defaults(compare: CompareConfig, cfg: &ScoringConfig) -> Params {
        Params {
            compare,
            match_threshold: cfg.match_threshold,
            review_threshold: cfg.review_threshold,
            max_field_weight: cfg.max_field_weight,
            by_kind: BTreeMap::new(),
        }
    }
}

/// Level histogram of random pairs of the same kind (deterministic sampling).
fn random_pair_counts(
    recs: &[Rec],
    members: &[u32],
    cfg: &ScoringConfig,
    compare_cfg: &CompareConfig,
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
            || vec![[0u64; MAX_LEVELS]; NF],
            |mut acc, &(a, b)| {
                let l = compare(
                    &recs[members[a as usize] as usize],
                    &recs[members[b as usize] as usize],
                    compare_cfg,
                );
                for (f, &lev) in l.iter().enumerate() {
                    acc[f][lev as usize] += 1;
                }
                acc
            },
        )
        .reduce(
            || vec![[0u64; MAX_LEVELS]; NF],
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
pub fn patterns(levels: &[Levels]) -> Vec<(Levels, u64)> {
    let map = levels
        .par_iter()
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

/// Estimate the parameters of one kind: u from random pairs (when enabled),
/// then EM over the candidate-pair patterns for m, λ (and u when not sampled).
pub fn estimate_kind(
    kind: Kind,
    pats: &[(Levels, u64)],
    recs: &[Rec],
    members: &[u32],
    cfg: &ScoringConfig,
    compare_cfg: &CompareConfig,
) -> KindParams {
    let prior = default_kind_params(kind);
    let mut p = prior.clone();
    p.lambda = cfg.initial_lambda;
    let alpha = cfg.prior_strength;

    let (nrand, rand_counts) = random_pair_counts(recs, members, cfg, compare_cfg);
    let fix_u = nrand > 0 && cfg.fix_u;
    if nrand > 0 {
        p.random_pairs = nrand;
        for (f, fp) in p.fields.iter_mut().enumerate() {
            let total: u64 = rand_counts[f][1..].iter().sum();
            for (l, lp) in fp.levels.iter_mut().enumerate().skip(1) {
                let u0 = prior.fields[f].levels[l].u;
                lp.u = ((rand_counts[f][l] as f64 + alpha * u0) / (total as f64 + alpha)).max(1e-9);
            }
        }
    }
    let total: u64 = pats.iter().map(|x| x.1).sum();
    if total == 0 {
        return p;
    }
    let mut g = vec![0.0f64; pats.len()];
    for it in 0..cfg.max_iterations {
        // E step
        let lam = p.lambda.clamp(1e-9, 1.0 - 1e-9);
        let lm: Vec<Vec<(f64, f64)>> = p
            .fields
            .iter()
            .map(|fp| {
                fp.levels
                    .iter()
                    .map(|l| (l.m.max(1e-12).ln(), l.u.max(1e-12).ln()))
                    .collect()
            })
            .collect();
        for (gi, (lev, _)) in g.iter_mut().zip(pats) {
            let mut logit = lam.ln() - (1.0 - lam).ln();
            for (f, &l) in lev.iter().enumerate() {
                if l > 0 {
                    let (m, u) = lm[f][l as usize];
                    logit += m - u;
                }
            }
            *gi = 1.0 / (1.0 + (-logit).exp());
        }
        // M step
        let mut sm = vec![[0.0f64; MAX_LEVELS]; NF];
        let mut su = vec![[0.0f64; MAX_LEVELS]; NF];
        let mut gsum = 0.0;
        for (gi, (lev, c)) in g.iter().zip(pats) {
            let c = *c as f64;
            gsum += gi * c;
            for (f, &l) in lev.iter().enumerate() {
                sm[f][l as usize] += gi * c;
                su[f][l as usize] += (1.0 - gi) * c;
            }
        }
        let mut delta: f64 = 0.0;
        let new_lambda = gsum / total as f64;
        delta = delta.max((new_lambda - p.lambda).abs());
        p.lambda = new_lambda;
        for (f, fp) in p.fields.iter_mut().enumerate() {
            let mt: f64 = sm[f][1..].iter().sum();
            let ut: f64 = su[f][1..].iter().sum();
            let nl = fp.levels.len();
            let mut fixed_mass = 0.0;
            let mut new_m = vec![0.0; nl];
            for l in 1..nl {
                let m0 = prior.fields[f].levels[l].m;
                if fp.levels[l].fixed {
                    new_m[l] = m0;
                    fixed_mass += m0;
                } else {
                    new_m[l] = (sm[f][l] + alpha * m0) / (mt + alpha);
                }
            }
            let free: f64 = (1..nl)
                .filter(|&l| !fp.levels[l].fixed)
                .map(|l| new_m[l])
                .sum();
            for l in 1..nl {
                if !fp.levels[l].fixed && free > 0.0 {
                    new_m[l] *= (1.0 - fixed_mass) / free;
                }
                delta = delta.max((new_m[l] - fp.levels[l].m).abs());
                fp.levels[l].m = new_m[l].max(1e-9);
                if !fix_u {
                    let u0 = prior.fields[f].levels[l].u;
                    let nu = ((su[f][l] + alpha * u0) / (ut + alpha)).max(1e-9);
                    delta = delta.max((nu - fp.levels[l].u).abs());
                    fp.levels[l].u = nu;
                }
            }
        }
        p.em_iterations = it + 1;
        if delta < cfg.tolerance {
            p.converged = true;
            break;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn em_separates_a_toy_mixture() {
        // 200 matches: name exact, phone equal; 800 non-matches: name different, phone different.
        let mut m = [0u8; NF];
        m[CmpField::Name.index()] = 1;
        m[CmpField::Phone.index()] = 1;
        let mut u = [0u8; NF];
        u[CmpField::Name.index()] = 6;
        u[CmpField::Phone.index()] = 3;
        let mut noisy = m;
        noisy[CmpField::Phone.index()] = 3;
        let pats = vec![(m, 180), (noisy, 20), (u, 800)];
        let cfg = ScoringConfig {
            random_pairs: 0,
            prior_strength: 1.0,
            ..ScoringConfig::default()
        };
        let p = estimate_kind(
            Kind::Organization,
            &pats,
            &[],
            &[],
            &cfg,
            &CompareConfig::default(),
        );
        assert!(
            p.converged,
            "EM did not converge in {} iterations",
            p.em_iterations
        );
        assert!((p.lambda - 0.2).abs() < 0.02, "lambda {}", p.lambda);
        let name = &p.fields[CmpField::Name.index()].levels;
        assert!(name[1].m > 0.95 && name[1].u < 0.01, "{name:?}");
        let w = p.weights(15.0);
        assert!(w.score(&m) > 5.0 && w.score(&u) < -5.0);
    }

    #[test]
    fn conflicting_tax_id_keeps_strong_negative_weight() {
        let mut d = [0u8; NF];
        d[CmpField::TaxId.index()] = 3;
        let pats = vec![(d, 500)];
        let cfg = ScoringConfig {
            random_pairs: 0,
            ..ScoringConfig::default()
        };
        let p = estimate_kind(
            Kind::Organization,
            &pats,
            &[],
            &[],
            &cfg,
            &CompareConfig::default(),
        );
        assert!(p.weights(15.0).w[CmpField::TaxId.index()][3] < -8.0);
    }

    #[test]
    fn params_round_trip_through_json() {
        let mut p = Params::defaults(CompareConfig::default(), &ScoringConfig::default());
        p.by_kind
            .insert(Kind::Organization, default_kind_params(Kind::Organization));
        let s = serde_json::to_string(&p).unwrap();
        let back: Params = serde_json::from_str(&s).unwrap();
        assert_eq!(p, back);
    }
}
