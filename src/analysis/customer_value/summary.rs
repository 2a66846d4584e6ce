//! Value segments, the Pareto curve, top-customer revenue shares and the
//! order-count distribution, from customers in value order.

use super::customers::Customer;

/// Most points of the Pareto curve table.
pub const MAX_PARETO_POINTS: usize = 200;

/// `ceil(share · n)` with a 1e-9 tolerance, so that binary rounding does not
/// push an exact product up (0.1 × 30 is 3, not 4), clamped to `0..=n`.
pub fn ceil_share(share: f64, n: usize) -> usize {
    let m = (share * n as f64 - 1e-9).ceil();
    if m <= 0.0 { 0 } else { (m as usize).min(n) }
}

/// The value segments, best first.
pub const SEGMENTS: [&str; 3] = ["High", "Medium", "Low"];

/// One value segment's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub name: &'static str,
    pub customers: usize,
    pub orders: usize,
    pub revenue: f64,
}

impl Segment {
    /// Segment revenue / segment orders; `None` without orders.
    pub fn aov(&self) -> Option<f64> {
        (self.orders > 0).then(|| self.revenue / self.orders as f64)
    }
}

/// The segment index (into `SEGMENTS`) of each rank `0..n`: High for the
/// first `ceil(high·n)`, Medium up to the first `ceil(medium·n)`, Low after.
pub fn segment_of_ranks(n: usize, high: f64, medium: f64) -> Vec<usize> {
    let (h, m) = (ceil_share(high, n), ceil_share(medium, n));
    (0..n)
        .map(|i| {
            if i < h {
                0
            } else if i < m {
                1
            } else {
                2
            }
        })
        .collect()
}

/// Customers, orders and revenue per segment.
pub fn segments(list: &[Customer], ranks: &[usize]) -> Vec<Segment> {
    let mut out: Vec<Segment> = SEGMENTS
        .iter()
        .map(|&name| Segment {
            name,
            customers: 0,
            orders: 0,
            revenue: 0.0,
        })
        .collect();
    for (c, &s) in list.iter().zip(ranks) {
        out[s].customers += 1;
        out[s].orders += c.orders;
        out[s].revenue += c.revenue;
    }
    out
}

/// Cumulative revenue after the first `i` customers, for `i = 0..=n`.
pub fn cumulative_revenue(list: &[Customer]) -> Vec<f64> {
    let mut acc = Vec::with_capacity(list.len() + 1);
    let mut sum = 0.0;
    acc.push(sum);
    for c in list {
        sum += c.revenue;
        acc.push(sum);
    }
    acc
}

/// The customer counts `i` plotted on the Pareto curve: every `0..=n`, or
/// `MAX_PARETO_POINTS` of them evenly spread, always both ends.
pub fn pareto_points(n: usize) -> Vec<usize> {
    if n < MAX_PARETO_POINTS {
        return (0..=n).collect();
    }
    let steps = MAX_PARETO_POINTS - 1;
    (0..=steps)
        .map(|j| (2 * j * n + steps) / (2 * steps))
        .collect()
}

/// Share of revenue from the first `ceil(share·n)` customers; `None` when
/// the total revenue is 0.
pub fn top_share(cum: &[f64], share: f64) -> Option<f64> {
    let n = cum.len() - 1;
    let total = cum[n];
    (total != 0.0).then(|| cum[ceil_share(share, n)] / total)
}

/// Customers with 1, 2, 3, 4 and 5 or more orders.
pub fn order_count_distribution(list: &[Customer]) -> [usize; 5] {
    let mut buckets = [0; 5];
    for c in list {
        if c.orders > 0 {
            buckets[c.orders.min(5) - 1] += 1;
        }
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_rules() {
        // 0.2 · 7 = 1.4 -> 2; 0.5 · 7 = 3.5 -> 4; 0.2 · 10 = 2 exactly;
        // 0.1 · 30 = 3 (3.0000000000000004 in binary); 0.01 · 7 -> 1.
        assert_eq!(ceil_share(0.2, 7), 2);
        assert_eq!(ceil_share(0.5, 7), 4);
        assert_eq!(ceil_share(0.2, 10), 2);
        assert_eq!(ceil_share(0.1, 30), 3);
        assert_eq!(ceil_share(0.01, 7), 1);
        assert_eq!(ceil_share(0.0, 7), 0);
        assert_eq!(ceil_share(1.0, 7), 7);
    }

    #[test]
    fn segment_ranks() {
        // n = 7: High ranks 0-1, Medium 2-3, Low 4-6.
        assert_eq!(segment_of_ranks(7, 0.2, 0.5), vec![0, 0, 1, 1, 2, 2, 2]);
        // n = 1: High takes the only customer.
        assert_eq!(segment_of_ranks(1, 0.2, 0.5), vec![0]);
    }

    #[test]
    fn pareto_points_keep_both_ends() {
        assert_eq!(pareto_points(3), vec![0, 1, 2, 3]);
        assert_eq!(pareto_points(199).len(), 200);
        let p = pareto_points(1000);
        assert_eq!(p.len(), MAX_PARETO_POINTS);
        assert_eq!((p[0], p[199]), (0, 1000));
        assert!(p.windows(2).all(|w| w[0] < w[1]));
    }
}
