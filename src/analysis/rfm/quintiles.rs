//! Quintile scores exactly as pandas 3 computes `qcut(x, 5, labels=...)`:
//! edges from `np.quantile` with linear interpolation at the levels
//! `linspace(0, 1, 6)` (rounded up where not exact in base 2), right-closed
//! bins with the lowest value included, an error on duplicate edges; and
//! `rank(method="first")` for the measures whose edges collide. Every
//! floating-point step follows numpy's, so edges match to the bit.

use crate::error::{Error, Result};

/// Number of score bins.
const BINS: usize = 5;

/// The R, F and M scores (1–5) of every customer, with how they were made.
#[derive(Debug)]
pub(super) struct Scores {
    pub r: Vec<u8>,
    pub f: Vec<u8>,
    pub m: Vec<u8>,
    /// Recency / monetary had duplicate quintile edges and were ranked with
    /// method "first" before cutting.
    pub r_ranked_first: bool,
    pub m_ranked_first: bool,
    /// The quintile edges actually used (of the ranks where ranked).
    pub edges: [[f64; BINS + 1]; 3],
}

/// Score recency (low is good), frequency (on its first-method rank) and
/// monetary value, all in the same customer order.
pub(super) fn score(recency: &[f64], frequency: &[f64], monetary: &[f64]) -> Result<Scores> {
    if recency.len() < 2 {
        return Err(Error::new(format!(
            "RFM needs at least 2 customers to form quintiles, found {}",
            recency.len()
        ))
        .hint("check the source's `filters` and the `customer` column"));
    }
    let (r_bins, r_edges, r_ranked_first) = cut_or_rank(recency);
    let (f_bins, f_edges) = cut_ranks(frequency);
    let (m_bins, m_edges, m_ranked_first) = cut_or_rank(monetary);
    Ok(Scores {
        // labels=[5, 4, 3, 2, 1]: the lowest recency bin scores 5.
        r: r_bins.iter().map(|&b| BINS as u8 - b).collect(),
        f: f_bins.iter().map(|&b| b + 1).collect(),
        m: m_bins.iter().map(|&b| b + 1).collect(),
        r_ranked_first,
        m_ranked_first,
        edges: [r_edges, f_edges, m_edges],
    })
}

/// `qcut(values, 5)` bins (0-based), or the bins of the first-method ranks
/// when the edges of the values are not unique (flagged `true`).
fn cut_or_rank(values: &[f64]) -> (Vec<u8>, [f64; BINS + 1], bool) {
    match qcut(values) {
        Some((bins, edges)) => (bins, edges, false),
        None => {
            let (bins, edges) = cut_ranks(values);
            (bins, edges, true)
        }
    }
}

/// `qcut(rank(values, method="first"), 5)`; ranks of two or more values
/// are distinct, so their edges always are.
fn cut_ranks(values: &[f64]) -> (Vec<u8>, [f64; BINS + 1]) {
    let ranks = rank_first(values);
    qcut(&ranks).unwrap_or_else(|| (vec![0; values.len()], [1.0; BINS + 1]))
}

/// pandas `qcut(values, 5, labels=False)`: the 0-based bin of every value
/// and the edges, or `None` when two edges are equal ("Bin edges must be
/// unique"). Bins are right-closed, `(e[i], e[i+1]]`, the lowest value goes
/// to the first bin.
pub(super) fn qcut(values: &[f64]) -> Option<(Vec<u8>, [f64; BINS + 1])> {
    let edges = quintile_edges(values);
    if edges.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }
    let bins = values
        .iter()
        .map(|&v| {
            // searchsorted(edges, v, side="left"): edges strictly below v.
            let below = edges.iter().filter(|&&e| e < v).count();
            below.clamp(1, BINS) as u8 - 1
        })
        .collect();
    Some((bins, edges))
}

/// The six quantiles of `values` at the qcut levels.
pub(super) fn quintile_edges(values: &[f64]) -> [f64; BINS + 1] {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut edges = [0.0; BINS + 1];
    for (i, edge) in edges.iter_mut().enumerate() {
        *edge = quantile_sorted(&sorted, level(i));
    }
    edges
}

/// Level `i` of `np.linspace(0, 1, 6)` (`i * 0.2`, the last exactly 1),
/// moved to the next float up where `5 * level != i`, as pandas 3 does.
fn level(i: usize) -> f64 {
    if i == BINS {
        return 1.0;
    }
    let q = i as f64 * (1.0 / BINS as f64);
    if q * BINS as f64 == i as f64 {
        q
    } else {
        q.next_up()
    }
}

/// numpy's linear quantile of sorted values: virtual index `(n - 1) * q`,
/// then `_lerp` between its neighbours.
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let virtual_index = (n as f64 - 1.0) * q;
    if virtual_index >= (n - 1) as f64 {
        return sorted[n - 1];
    }
    let previous = virtual_index.floor();
    let gamma = virtual_index - previous;
    let i = previous as usize;
    lerp(sorted[i], sorted[i + 1], gamma)
}

/// numpy's `_lerp`: from `a` below one half, back from `b` above.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// pandas `rank(method="first")`: 1..=n by value, ties in order of position.
pub(super) fn rank_first(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut ranks = vec![0.0; values.len()];
    for (rank, &i) in order.iter().enumerate() {
        ranks[i] = (rank + 1) as f64;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_match_pandas_linspace() {
        // np.linspace(0, 1, 6) = [0, .2, .4, .6000000000000001, .8, 1];
        // 5 * .6000000000000001 != 3, so pandas takes the next float up.
        assert_eq!(level(2), 0.4);
        assert_eq!(level(3), 0.6000000000000002);
        assert_eq!(level(5), 1.0);
    }

    #[test]
    fn edges_interpolate_linearly() {
        // n = 6: virtual indexes 0, 1, 2, 3.0000000000000009, 4, 5.
        // Sorted [1, 2, 3, 4, 10, 20]: edges 1, 2, 3, 4 + 9e-16 * 6 -> 4
        // (rounds to 4.000000000000005), 10, 20.
        let e = quintile_edges(&[20.0, 1.0, 3.0, 2.0, 10.0, 4.0]);
        assert_eq!(e[0..3], [1.0, 2.0, 3.0]);
        assert!((e[3] - 4.0).abs() < 1e-12 && e[3] >= 4.0);
        assert_eq!(e[4..], [10.0, 20.0]);
        // n = 3 [0, 10, 20]: virtual 0.4 -> 0 + 10 * 0.4 = 4; 0.8 -> 8;
        // 1.2000000000000004 -> 20 - 10 * (1 - 0.2000000000000004) = 12.
        let e = quintile_edges(&[0.0, 10.0, 20.0]);
        assert_eq!(e[1], 4.0);
        assert_eq!(e[2], 8.0);
        assert!((e[3] - 12.0).abs() < 1e-12);
    }

    #[test]
    fn bins_are_right_closed_with_the_lowest_included() {
        // Values 1..=10: edges 1, 2.8, 4.6, 6.4, 8.2, 10.
        // 1 -> bin 0 (lowest); 2, 3 -> (1, 2.8] and (2.8, 4.6].
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        let (bins, _) = qcut(&v).unwrap();
        assert_eq!(bins, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    }

    #[test]
    fn duplicate_edges_fall_back_to_first_ranks() {
        // Five 1s and one 9: edges 1, 1, ... -> qcut raises.
        let v = [1.0, 1.0, 9.0, 1.0, 1.0, 1.0];
        assert!(qcut(&v).is_none());
        assert_eq!(rank_first(&v), [1.0, 2.0, 6.0, 3.0, 4.0, 5.0]);
        let s = score(&v, &v, &v).unwrap();
        assert!(s.r_ranked_first && s.m_ranked_first);
        // Ranks 1..6 -> edges 1, 2, 3, 4, 5, 6 -> bins 0,0,1,2,3,4 by rank.
        assert_eq!(s.m, [1, 1, 5, 2, 3, 4]);
        assert_eq!(s.r, [5, 5, 1, 4, 3, 2]);
    }
}
