//! Mean silhouette coefficient (Euclidean, as scikit-learn's
//! `silhouette_score`), exact or on a fixed-seed sample of the points.

use ndarray::ArrayView2;
use rayon::prelude::*;

/// Largest number of points the silhouette is computed on exactly.
pub const MAX_EXACT_POINTS: usize = 10_000;

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
    // The points grouped by cluster, one array per coordinate, so that
    // each cluster's distances are tight loops over contiguous values.
    let mut order = idx.to_vec();
    order.sort_by_key(|&i| labels[i]);
    let dim = data.ncols();
    let coordinates: Vec<Vec<f64>> = (0..dim)
        .map(|d| order.iter().map(|&i| data[[i, d]]).collect())
        .collect();
    let mut starts = vec![0; k + 1];
    for c in 0..k {
        starts[c + 1] = starts[c] + counts[c];
    }
    let block = Blocks {
        coordinates: &coordinates,
        starts: &starts,
    };
    // Collected first so that the sum's order does not depend on threads.
    let scores: Vec<f64> = order
        .par_iter()
        .enumerate()
        .map(|(p, &i)| block.silhouette(p, labels[i]))
        .collect();
    let total: f64 = scores.iter().sum();
    Some(total / idx.len() as f64)
}

/// Points sorted by cluster: cluster `c` is points `starts[c]..starts[c + 1]`
/// of every coordinate array.
struct Blocks<'a> {
    coordinates: &'a [Vec<f64>],
    starts: &'a [usize],
}

/// Points whose distances are summed side by side (independent square
/// roots, which the compiler computes several at a time).
const LANES: usize = 4;

impl Blocks<'_> {
    fn size(&self, c: usize) -> usize {
        self.starts[c + 1] - self.starts[c]
    }

    /// Sum of distances from point `p` to every point of cluster `c`.
    fn distance_sum(&self, p: usize, c: usize) -> f64 {
        let (start, end) = (self.starts[c], self.starts[c + 1]);
        let mut sums = [0.0f64; LANES];
        let mut j = start;
        while j + LANES <= end {
            let mut squares = [0.0f64; LANES];
            for axis in self.coordinates {
                let x = axis[p];
                for (lane, square) in squares.iter_mut().enumerate() {
                    let t = x - axis[j + lane];
                    *square += t * t;
                }
            }
            for (sum, square) in sums.iter_mut().zip(squares) {
                *sum += square.sqrt();
            }
            j += LANES;
        }
        let mut rest = 0.0;
        for q in j..end {
            let square: f64 = self
                .coordinates
                .iter()
                .map(|axis| (axis[p] - axis[q]) * (axis[p] - axis[q]))
                .sum();
            rest += square.sqrt();
        }
        sums.iter().sum::<f64>() + rest
    }

    /// Silhouette of point `p` in cluster `own`; 0 when alone in it.
    fn silhouette(&self, p: usize, own: usize) -> f64 {
        if self.size(own) < 2 {
            return 0.0;
        }
        // The point's distance to itself is 0, so the own sum needs no skip.
        let a = self.distance_sum(p, own) / (self.size(own) - 1) as f64;
        let b = (0..self.starts.len() - 1)
            .filter(|&c| c != own && self.size(c) > 0)
            .map(|c| self.distance_sum(p, c) / self.size(c) as f64)
            .fold(f64::INFINITY, f64::min);
        let denom = a.max(b);
        if denom > 0.0 { (b - a) / denom } else { 0.0 }
    }
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
}
