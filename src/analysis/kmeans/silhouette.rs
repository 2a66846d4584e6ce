//! Mean silhouette coefficient (Euclidean, as scikit-learn's
//! `silhouette_score`), exact or on a fixed-seed sample of the points.

use ndarray::ArrayView2;
use rand_xoshiro::Xoshiro256Plus;
use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rayon::prelude::*;

/// Largest number of points the silhouette is computed on exactly.
pub const MAX_EXACT_POINTS: usize = 10_000;

/// `max` distinct indices out of `0..n`, chosen with a seeded RNG and sorted;
/// `None` when `n <= max` (use every point).
pub fn sample_indices(n: usize, max: usize, seed: u64) -> Option<Vec<usize>> {
    if n <= max {
        return None;
    }
    let mut rng = Xoshiro256Plus::seed_from_u64(seed);
    let mut all: Vec<usize> = (0..n).collect();
    // Partial Fisher-Yates: the first `max` slots become the sample.
    for i in 0..max {
        let span = (n - i) as u64;
        let j = i + ((rng.next_u64() as u128 * span as u128) >> 64) as usize;
        all.swap(i, j);
    }
    let mut picked = all[..max].to_vec();
    picked.sort_unstable();
    Some(picked)
}

/// Mean silhouette of the points `idx` (distances among those points only).
/// `None` when it is undefined: fewer than 2 or more than `len - 1`
/// distinct clusters among them. A point alone in its cluster scores 0.
pub fn mean_silhouette(data: ArrayView2<f64>, labels: &[usize], idx: &[usize]) -> Option<f64> {
    let k = labels.iter().copied().max().map_or(0, |m| m + 1);
    let mut counts = vec![0usize; k];
    for &i in idx {
        counts[labels[i]] += 1;
    }
    let present = counts.iter().filter(|&&c| c > 0).count();
    if present < 2 || present >= idx.len() {
        return None;
    }
    let total: f64 = idx
        .par_iter()
        .map(|&i| point_silhouette(data, labels, idx, &counts, i))
        .sum();
    Some(total / idx.len() as f64)
}

fn point_silhouette(
    data: ArrayView2<f64>,
    labels: &[usize],
    idx: &[usize],
    counts: &[usize],
    i: usize,
) -> f64 {
    let own = labels[i];
    if counts[own] < 2 {
        return 0.0;
    }
    let mut sums = vec![0.0; counts.len()];
    let p = data.row(i);
    for &j in idx {
        if j != i {
            let q = data.row(j);
            let d2: f64 = p.iter().zip(q.iter()).map(|(x, y)| (x - y).powi(2)).sum();
            sums[labels[j]] += d2.sqrt();
        }
    }
    let a = sums[own] / (counts[own] - 1) as f64;
    let b = (0..counts.len())
        .filter(|&c| c != own && counts[c] > 0)
        .map(|c| sums[c] / counts[c] as f64)
        .fold(f64::INFINITY, f64::min);
    let denom = a.max(b);
    if denom > 0.0 { (b - a) / denom } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn silhouette_by_hand() {
        // Points 0, 1 | 4, 5 on a line.
        // x=0: a = 1, b = (4 + 5) / 2 = 4.5, s = 3.5 / 4.5 = 7/9
        // x=1: a = 1, b = (3 + 4) / 2 = 3.5, s = 2.5 / 3.5 = 5/7
        // x=4 and x=5 mirror them. Mean = (7/9 + 5/7) / 2 = 47/63.
        let data = array![[0.0], [1.0], [4.0], [5.0]];
        let s = mean_silhouette(data.view(), &[0, 0, 1, 1], &[0, 1, 2, 3]).expect("defined");
        assert!((s - 47.0 / 63.0).abs() < 1e-12, "{s}");
    }

    #[test]
    fn singleton_scores_zero_and_nearest_other_cluster_counts() {
        // Points 0, 2 | 3 | 10 (clusters 0, 1, 2).
        // x=0: a = 2, b = min(3, 10) = 3 -> 1/3
        // x=2: a = 2, b = min(1, 8) = 1 -> (1 - 2) / 2 = -1/2
        // x=3 and x=10 are alone: 0. Mean = (1/3 - 1/2) / 4 = -1/24.
        let data = array![[0.0], [2.0], [3.0], [10.0]];
        let s = mean_silhouette(data.view(), &[0, 0, 1, 2], &[0, 1, 2, 3]).expect("defined");
        assert!((s + 1.0 / 24.0).abs() < 1e-12, "{s}");
    }

    #[test]
    fn undefined_with_one_cluster_or_all_singletons() {
        let data = array![[0.0], [1.0], [2.0]];
        assert_eq!(mean_silhouette(data.view(), &[0, 0, 0], &[0, 1, 2]), None);
        assert_eq!(mean_silhouette(data.view(), &[0, 1, 2], &[0, 1, 2]), None);
    }

    #[test]
    fn sample_is_seeded_sorted_and_distinct() {
        assert_eq!(sample_indices(10, 10, 1), None);
        let a = sample_indices(1000, 100, 7).expect("sample");
        assert_eq!(a, sample_indices(1000, 100, 7).expect("sample"));
        assert_ne!(a, sample_indices(1000, 100, 8).expect("sample"));
        assert_eq!(a.len(), 100);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert!(a.iter().all(|&i| i < 1000));
    }
}
