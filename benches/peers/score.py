"""Pairwise precision, recall and F1 of a clustering against the truth column.

Predicted pairs: every pair of rows inside one predicted cluster. True pairs: every pair inside
one true entity. The same definition for every tool: python score.py INPUT.csv CLUSTERS.csv
prints `precision recall f1 predicted_pairs true_pairs` (tab-separated).
"""

import sys

import pandas as pd


def pairs(sizes):
    return int((sizes * (sizes - 1) // 2).sum())


def score(input_csv, clusters_csv):
    truth = pd.read_csv(input_csv, dtype=str, keep_default_na=False, usecols=["id", "truth"])
    pred = pd.read_csv(clusters_csv, dtype=str, keep_default_na=False, usecols=["id", "cluster_id"])
    both = truth.merge(pred, on="id", how="left", validate="one_to_one")
    missing = both["cluster_id"].eq("") | both["cluster_id"].isna()
    if missing.any():
        # a row the tool did not place is a cluster of its own
        both.loc[missing, "cluster_id"] = "__alone__" + both.loc[missing, "id"]
    true_pairs = pairs(both.groupby("truth").size())
    pred_pairs = pairs(both.groupby("cluster_id").size())
    tp = pairs(both.groupby(["cluster_id", "truth"]).size())
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1, pred_pairs, true_pairs


if __name__ == "__main__":
    p, r, f1, pp, tp = score(sys.argv[1], sys.argv[2])
    print(f"{p:.4f}\t{r:.4f}\t{f1:.4f}\t{pp}\t{tp}")
