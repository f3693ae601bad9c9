//! Evaluation against a truth labelling: pairwise precision, recall and F1
//! over all within-cluster pairs (as dedupe's `csv_evaluation.py`).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::Hash;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairwiseScores {
    pub true_positives: u64,
    /// Pairs put together by the prediction.
    pub predicted_pairs: u64,
    /// Pairs together in the truth.
    pub true_pairs: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn sizes<T: Hash + Eq>(labels: impl Iterator<Item = T>) -> HashMap<T, u64> {
    let mut m = HashMap::new();
    for l in labels {
        *m.entry(l).or_insert(0) += 1;
    }
    m
}

/// `predicted[i]` and `truth[i]` are the cluster labels of record `i`.
pub fn pairwise<P: Hash + Eq, T: Hash + Eq>(predicted: &[P], truth: &[T]) -> PairwiseScores {
    assert_eq!(
        predicted.len(),
        truth.len(),
        "one label per record on both sides"
    );
    let tp: u64 = sizes(predicted.iter().zip(truth))
        .values()
        .map(|&n| pairs(n))
        .sum();
    let pp: u64 = sizes(predicted.iter()).values().map(|&n| pairs(n)).sum();
    let tt: u64 = sizes(truth.iter()).values().map(|&n| pairs(n)).sum();
    let precision = if pp == 0 { 1.0 } else { tp as f64 / pp as f64 };
    let recall = if tt == 0 { 1.0 } else { tp as f64 / tt as f64 };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    PairwiseScores {
        true_positives: tp,
        predicted_pairs: pp,
        true_pairs: tt,
        precision,
        recall,
        f1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_counts_within_cluster_pairs() {
        // truth: {0,1,2} {3}; predicted: {0,1} {2,3}
        let s = pairwise(&[0, 0, 1, 1], &["a", "a", "a", "b"]);
        assert_eq!(
            (s.true_positives, s.predicted_pairs, s.true_pairs),
            (1, 2, 3)
        );
        assert!((s.precision - 0.5).abs() < 1e-12);
        assert!((s.recall - 1.0 / 3.0).abs() < 1e-12);
        assert!((s.f1 - 0.4).abs() < 1e-12);
    }
}
