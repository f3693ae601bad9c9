//! Clustering: union-find over match pairs (strongest first), steward
//! must-link / cannot-link always obeyed, and a chain guard that cuts weak
//! bridges inside larger clusters.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusterConfig {
    /// Clusters with at least this many members are checked for weak bridges.
    pub guard_min_size: usize,
    /// A bridge (an edge whose removal splits the cluster, counting review
    /// pairs as support) scoring less than this above the match threshold is cut.
    pub bridge_margin: f64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            guard_min_size: 3,
            bridge_margin: 1.0,
        }
    }
}

/// Steward decisions as pairs of party indices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraints {
    pub must_link: Vec<(u32, u32)>,
    pub cannot_link: Vec<(u32, u32)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Clustering {
    /// Cluster id per party: ids are 0.. in the order of each cluster's first member.
    pub cluster_of: Vec<u32>,
    pub cluster_count: usize,
    /// Match pairs cut by the chain guard (a, b, score).
    pub cut_bridges: Vec<(u32, u32, f64)>,
    /// Match pairs not joined because a cannot-link, or two different
    /// exclusive identifiers, forbade it.
    pub blocked_by_cannot_link: usize,
    /// Must-links that contradicted a cannot-link (not applied).
    pub conflicts: Vec<(u32, u32)>,
}

impl Clustering {
    /// Members per cluster, each sorted, clusters in id order.
    pub fn members(&self) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); self.cluster_count];
        for (i, &c) in self.cluster_of.iter().enumerate() {
            out[c as usize].push(i as u32);
        }
        out
    }
}

/// A scored pair as the clusterer reads it: the scored pairs themselves are
/// read in place, since a copy of them was the match's peak at a million records.
pub trait Edge {
    /// The two parties, `a < b`.
    fn ends(&self) -> (u32, u32);
    fn score(&self) -> f64;
}

impl Edge for (u32, u32, f64) {
    fn ends(&self) -> (u32, u32) {
        (self.0, self.1)
    }
    fn score(&self) -> f64 {
        self.2
    }
}

struct Dsu {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// Cannot-link partners of the members of each root.
    forbidden: Vec<Vec<u32>>,
    /// Exclusive identifiers held by the members of each root, sorted:
    /// `(class, value)`, at most one value per class in a cluster.
    exclusive: Vec<Vec<(u8, u64)>>,
}

/// Whether two sorted identifier lists hold different values of one class.
fn clash(a: &[(u8, u64)], b: &[(u8, u64)]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                if a[i].1 != b[j].1 {
                    return true;
                }
                i += 1;
                j += 1;
            }
        }
    }
    false
}

impl Dsu {
    fn new(n: usize, mut exclusive: Vec<Vec<(u8, u64)>>) -> Self {
        exclusive.resize_with(n, Vec::new);
        Dsu {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            forbidden: vec![Vec::new(); n],
            exclusive,
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    fn allowed(&mut self, ra: u32, rb: u32) -> bool {
        let (small, other) =
            if self.forbidden[ra as usize].len() <= self.forbidden[rb as usize].len() {
                (ra, rb)
            } else {
                (rb, ra)
            };
        let list = std::mem::take(&mut self.forbidden[small as usize]);
        let ok = list.iter().all(|&x| self.find(x) != other);
        self.forbidden[small as usize] = list;
        ok
    }

    /// Join unless a cannot-link (or, without `force`, two different
    /// exclusive identifiers) forbids it; returns whether joined (or already one).
    fn union(&mut self, a: u32, b: u32, force: bool) -> Option<bool> {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return Some(false);
        }
        if !self.allowed(ra, rb) {
            return None;
        }
        if !force && clash(&self.exclusive[ra as usize], &self.exclusive[rb as usize]) {
            return None;
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        let moved = std::mem::take(&mut self.forbidden[small as usize]);
        self.forbidden[big as usize].extend(moved);
        let ids = std::mem::take(&mut self.exclusive[small as usize]);
        if !ids.is_empty() {
            let big_ids = &mut self.exclusive[big as usize];
            big_ids.extend(ids);
            big_ids.sort_unstable();
            big_ids.dedup();
        }
        Some(true)
    }
}

/// Cluster `n` parties. `edges` are scored pairs (a < b) at or above the
/// review threshold; those at or above `match_threshold` join clusters.
/// `exclusive[i]` lists identifiers of party `i` of which a cluster holds at
/// most one value per class (verified tax IDs of one kind: two different
/// ИНН are two companies, however alike the rest): a match that would put two
/// such values into one cluster is not joined (only a steward's must-link
/// can). An empty vector means none.
pub fn cluster<E: Edge>(
    n: usize,
    edges: &[E],
    match_threshold: f64,
    constraints: &Constraints,
    exclusive: Vec<Vec<(u8, u64)>>,
    cfg: &ClusterConfig,
) -> Clustering {
    let mut dsu = Dsu::new(n, exclusive);
    let mut out = Clustering::default();
    let valid = |&(a, b): &(u32, u32)| a != b && (a as usize) < n && (b as usize) < n;
    for &(a, b) in constraints.cannot_link.iter().filter(|p| valid(p)) {
        dsu.forbidden[a as usize].push(b);
        dsu.forbidden[b as usize].push(a);
    }
    // Joined edges: (a, b, score); must-links score +inf and are never cut.
    let mut joined: Vec<(u32, u32, f64)> = Vec::new();
    let mut must: Vec<(u32, u32)> = constraints
        .must_link
        .iter()
        .filter(|p| valid(p))
        .map(|&(a, b)| (a.min(b), a.max(b)))
        .collect();
    must.sort_unstable();
    must.dedup();
    for (a, b) in must {
        match dsu.union(a, b, true) {
            None => out.conflicts.push((a, b)),
            Some(_) => joined.push((a, b, f64::INFINITY)),
        }
    }
    let mut matches: Vec<&E> = edges
        .iter()
        .filter(|e| e.score() >= match_threshold)
        .collect();
    matches.sort_by(|x, y| {
        y.score()
            .total_cmp(&x.score())
            .then(x.ends().cmp(&y.ends()))
    });
    for e in matches {
        let ((a, b), s) = (e.ends(), e.score());
        match dsu.union(a, b, false) {
            None => out.blocked_by_cannot_link += 1,
            Some(true) => joined.push((a, b, s)),
            Some(false) => {}
        }
    }

    // Chain guard: per cluster of guard size, the graph of joined + review
    // edges inside it; weak bridges are cut (a bridge stays a bridge when
    // other bridges are removed, so one pass finds them all).
    let mut roots: Vec<u32> = (0..n as u32).map(|i| dsu.find(i)).collect();
    let mut cut = vec![false; joined.len()];
    if cfg.guard_min_size >= 2 {
        let mut local: Vec<u32> = vec![u32::MAX; n];
        let mut by_root: Vec<Vec<u32>> = vec![Vec::new(); n];
        for i in 0..n {
            if dsu.size[roots[i] as usize] as usize >= cfg.guard_min_size {
                local[i] = by_root[roots[i] as usize].len() as u32;
                by_root[roots[i] as usize].push(i as u32);
            }
        }
        // Edges inside guarded clusters, grouped by root: (local a, local b, score, joined index or MAX).
        let mut graph: std::collections::BTreeMap<u32, Vec<(u32, u32, f64, usize)>> =
            Default::default();
        for (ji, &(a, b, s)) in joined.iter().enumerate() {
            if local[a as usize] != u32::MAX {
                graph.entry(roots[a as usize]).or_default().push((
                    local[a as usize],
                    local[b as usize],
                    s,
                    ji,
                ));
            }
        }
        for e in edges.iter().filter(|e| e.score() < match_threshold) {
            let ((a, b), s) = (e.ends(), e.score());
            let (ra, rb) = (roots[a as usize], roots[b as usize]);
            if ra == rb && local[a as usize] != u32::MAX {
                graph.entry(ra).or_default().push((
                    local[a as usize],
                    local[b as usize],
                    s,
                    usize::MAX,
                ));
            }
        }
        for (root, g) in &graph {
            let nloc = by_root[*root as usize].len();
            for ei in bridges(nloc, g) {
                let (_, _, s, ji) = g[ei];
                if ji != usize::MAX && s < match_threshold + cfg.bridge_margin {
                    cut[ji] = true;
                }
            }
        }
        if cut.iter().any(|&c| c) {
            let mut d2 = Dsu::new(n, Vec::new());
            for (ji, &(a, b, s)) in joined.iter().enumerate() {
                if cut[ji] {
                    out.cut_bridges.push((a, b, s));
                } else {
                    d2.union(a, b, true);
                }
            }
            out.cut_bridges
                .sort_by(|x, y| x.0.cmp(&y.0).then(x.1.cmp(&y.1)));
            roots = (0..n as u32).map(|i| d2.find(i)).collect();
        }
    }

    // Ids in order of first member.
    let mut id_of_root = vec![u32::MAX; n];
    out.cluster_of = Vec::with_capacity(n);
    let mut next = 0u32;
    for &r in &roots {
        if id_of_root[r as usize] == u32::MAX {
            id_of_root[r as usize] = next;
            next += 1;
        }
        out.cluster_of.push(id_of_root[r as usize]);
    }
    out.cluster_count = next as usize;
    out
}

/// Indices of the bridge edges of an undirected multigraph (iterative Tarjan).
fn bridges(n: usize, edges: &[(u32, u32, f64, usize)]) -> Vec<usize> {
    let mut adj: Vec<Vec<(u32, usize)>> = vec![Vec::new(); n];
    for (i, &(a, b, _, _)) in edges.iter().enumerate() {
        if a != b {
            adj[a as usize].push((b, i));
            adj[b as usize].push((a, i));
        }
    }
    let mut disc = vec![u32::MAX; n];
    let mut low = vec![0u32; n];
    let mut out = Vec::new();
    let mut t = 0u32;
    for s in 0..n {
        if disc[s] != u32::MAX {
            continue;
        }
        // stack of (node, parent edge, next adjacency index)
        let mut stack: Vec<(usize, usize, usize)> = vec![(s, usize::MAX, 0)];
        disc[s] = t;
        low[s] = t;
        t += 1;
        while let Some(top) = stack.len().checked_sub(1) {
            let (v, pe, i) = stack[top];
            if i < adj[v].len() {
                let (w, e) = adj[v][i];
                stack[top].2 += 1;
                let w = w as usize;
                if e == pe {
                    continue;
                }
                if disc[w] == u32::MAX {
                    disc[w] = t;
                    low[w] = t;
                    t += 1;
                    stack.push((w, e, 0));
                } else {
                    low[v] = low[v].min(disc[w]);
                }
            } else {
                stack.pop();
                if let Some(&(p, _, _)) = stack.last() {
                    low[p] = low[p].min(low[v]);
                    if low[v] > disc[p] {
                        out.push(pe);
                    }
                }
            }
        }
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cannot_link_is_obeyed_even_through_a_chain() {
        // 0-1 and 1-2 match strongly, but 0 and 2 must stay apart.
        let edges = vec![(0, 1, 20.0), (1, 2, 15.0)];
        let c = Constraints {
            must_link: vec![],
            cannot_link: vec![(2, 0)],
        };
        let r = cluster(3, &edges, 3.0, &c, Vec::new(), &ClusterConfig::default());
        assert_eq!(r.cluster_of[0], r.cluster_of[1]);
        assert_ne!(r.cluster_of[0], r.cluster_of[2]);
        assert_eq!(r.blocked_by_cannot_link, 1);
    }

    #[test]
    fn must_link_joins_and_contradiction_is_reported() {
        let c = Constraints {
            must_link: vec![(3, 0), (1, 2)],
            cannot_link: vec![(1, 2)],
        };
        let none: &[(u32, u32, f64)] = &[];
        let r = cluster(4, none, 3.0, &c, Vec::new(), &ClusterConfig::default());
        assert_eq!(r.cluster_of, vec![0, 1, 2, 0]);
        assert_eq!(r.conflicts, vec![(1, 2)]);
    }

    #[test]
    fn weak_bridge_between_two_groups_is_cut() {
        // Triangle 0-1-2 and triangle 3-4-5 joined by a weak match 2-3.
        let edges = vec![
            (0, 1, 12.0),
            (1, 2, 12.0),
            (0, 2, 12.0),
            (3, 4, 12.0),
            (4, 5, 12.0),
            (3, 5, 12.0),
            (2, 3, 3.5),
        ];
        let r = cluster(
            6,
            &edges,
            3.0,
            &Constraints::default(),
            Vec::new(),
            &ClusterConfig::default(),
        );
        assert_eq!(r.cluster_of, vec![0, 0, 0, 1, 1, 1]);
        assert_eq!(r.cut_bridges, vec![(2, 3, 3.5)]);
        // A review pair 1-4 makes 2-3 part of a cycle: no cut.
        let mut e2 = edges.clone();
        e2.push((1, 4, 0.0));
        let r = cluster(
            6,
            &e2,
            3.0,
            &Constraints::default(),
            Vec::new(),
            &ClusterConfig::default(),
        );
        assert_eq!(r.cluster_count, 1);
    }

    #[test]
    fn two_different_tax_ids_never_share_a_cluster() {
        // 0 and 2 hold different verified tax IDs; 1 has none and matches both.
        let edges = vec![(0, 1, 20.0), (1, 2, 19.0)];
        let ids = vec![vec![(1, 77)], vec![], vec![(1, 78)]];
        let r = cluster(
            3,
            &edges,
            3.0,
            &Constraints::default(),
            ids.clone(),
            &ClusterConfig::default(),
        );
        assert_eq!(r.cluster_of[0], r.cluster_of[1]);
        assert_ne!(r.cluster_of[1], r.cluster_of[2]);
        assert_eq!(r.blocked_by_cannot_link, 1);
        // A steward's must-link still wins.
        let c = Constraints {
            must_link: vec![(0, 2)],
            cannot_link: vec![],
        };
        let r = cluster(3, &edges, 3.0, &c, ids, &ClusterConfig::default());
        assert_eq!(r.cluster_count, 1);
    }

    #[test]
    fn bridges_of_a_path_and_a_cycle() {
        let path = vec![(0, 1, 0.0, 0), (1, 2, 0.0, 1)];
        assert_eq!(bridges(3, &path), vec![0, 1]);
        let cycle = vec![
            (0, 1, 0.0, 0),
            (1, 2, 0.0, 1),
            (2, 0, 0.0, 2),
            (2, 3, 0.0, 3),
        ];
        assert_eq!(bridges(4, &cycle), vec![3]);
    }
}
