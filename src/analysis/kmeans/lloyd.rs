//! Lloyd's k-means from scikit-learn's greedy k-means++ seeding: each new
//! centre is the best (lowest potential) of `2 + ln k` candidates drawn with
//! probability proportional to the squared distance to the chosen centres.
//! This is the initialisation scikit-learn's `KMeans` uses; plain k-means++
//! (linfa's) reaches a worse local optimum more often.

use ndarray::{Array2, ArrayView1, ArrayView2};
use rand_xoshiro::Xoshiro256Plus;
use rand_xoshiro::rand_core::RngCore;
use rayon::prelude::*;

/// Most Lloyd iterations of one run.
const MAX_ITERATIONS: usize = 300;

/// A uniform draw in [0, 1).
fn uniform(rng: &mut Xoshiro256Plus) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

pub fn squared_distance(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.iter().zip(b.iter()).map(|(x, y)| (x - y).powi(2)).sum()
}

/// Greedy k-means++ initial centroids (rows of `data`).
pub fn greedy_plus_plus(data: ArrayView2<f64>, k: usize, rng: &mut Xoshiro256Plus) -> Array2<f64> {
    let n = data.nrows();
    let trials = 2 + (k as f64).ln() as usize;
    let mut chosen = vec![((uniform(rng) * n as f64) as usize).min(n - 1)];
    let mut closest = distances_to(data, chosen[0]);
    while chosen.len() < k {
        let potential: f64 = closest.iter().sum();
        let candidates: Vec<usize> = (0..trials)
            .map(|_| pick_weighted(&closest, uniform(rng) * potential))
            .collect();
        let best = candidates
            .iter()
            .map(|&c| {
                let d = distances_to(data, c);
                let merged: Vec<f64> = closest.iter().zip(&d).map(|(a, b)| a.min(*b)).collect();
                (merged.iter().sum::<f64>(), merged, c)
            })
            .reduce(|best, next| if next.0 < best.0 { next } else { best });
        let Some((_, merged, c)) = best else { break };
        closest = merged;
        chosen.push(c);
    }
    Array2::from_shape_fn((k, data.ncols()), |(i, j)| data[[chosen[i], j]])
}

fn distances_to(data: ArrayView2<f64>, i: usize) -> Vec<f64> {
    let p = data.row(i);
    (0..data.nrows())
        .into_par_iter()
        .map(|j| squared_distance(data.row(j), p))
        .collect()
}

/// The first index whose cumulative weight reaches `target` (clipped to the
/// last index), as numpy's `searchsorted` on the cumulative sums.
fn pick_weighted(weights: &[f64], target: f64) -> usize {
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if acc >= target && *w > 0.0 {
            return i;
        }
    }
    weights.len() - 1
}

/// Lloyd iterations from `centroids` until no point changes cluster, or
/// (as scikit-learn's `tol=1e-4`) until the centroids move less than 1e-4 ×
/// the mean feature variance in total squared distance; the final labels are
/// always the nearest centroids. An empty cluster keeps its centroid.
pub fn refine(data: ArrayView2<f64>, mut centroids: Array2<f64>) -> (Vec<usize>, Array2<f64>) {
    let tolerance = 1e-4 * mean_variance(data);
    let mut labels = assign(data, &centroids);
    for _ in 0..MAX_ITERATIONS {
        let moved = means(data, &labels, &centroids);
        let shift: f64 = moved
            .rows()
            .into_iter()
            .zip(centroids.rows())
            .map(|(a, b)| squared_distance(a, b))
            .sum();
        centroids = moved;
        let next = assign(data, &centroids);
        let stable = next == labels;
        labels = next;
        if stable || shift <= tolerance {
            break;
        }
    }
    (labels, centroids)
}

/// Mean over features of the population variance.
fn mean_variance(data: ArrayView2<f64>) -> f64 {
    if data.nrows() == 0 || data.ncols() == 0 {
        return 0.0;
    }
    let var_sum: f64 = data.columns().into_iter().map(|c| c.var(0.0)).sum();
    var_sum / data.ncols() as f64
}

/// The nearest centroid of every point (ties go to the lower index).
pub fn assign(data: ArrayView2<f64>, centroids: &Array2<f64>) -> Vec<usize> {
    (0..data.nrows())
        .into_par_iter()
        .map(|i| {
            let p = data.row(i);
            let mut best = (0, f64::INFINITY);
            for (c, centroid) in centroids.rows().into_iter().enumerate() {
                let d = squared_distance(p, centroid);
                if d < best.1 {
                    best = (c, d);
                }
            }
            best.0
        })
        .collect()
}

fn means(data: ArrayView2<f64>, labels: &[usize], old: &Array2<f64>) -> Array2<f64> {
    let mut sums = Array2::<f64>::zeros(old.raw_dim());
    let mut counts = vec![0usize; old.nrows()];
    for (p, &l) in data.rows().into_iter().zip(labels) {
        let mut row = sums.row_mut(l);
        row += &p;
        counts[l] += 1;
    }
    for (c, &count) in counts.iter().enumerate() {
        if count == 0 {
            sums.row_mut(c).assign(&old.row(c));
        } else {
            sums.row_mut(c).mapv_inplace(|v| v / count as f64);
        }
    }
    sums
}

/// Sum of squared Euclidean distances from each point to its own centroid.
pub fn inertia(data: ArrayView2<f64>, labels: &[usize], centroids: &Array2<f64>) -> f64 {
    data.rows()
        .into_iter()
        .zip(labels)
        .map(|(p, &l)| squared_distance(p, centroids.row(l)))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rand_xoshiro::rand_core::SeedableRng;

    #[test]
    fn refine_reaches_the_means_of_the_assignment() {
        let data = array![[0.0], [1.0], [9.0], [11.0]];
        let (labels, centroids) = refine(data.view(), array![[0.2], [9.5]]);
        assert_eq!(labels, vec![0, 0, 1, 1]);
        assert_eq!(centroids, array![[0.5], [10.0]]);
    }

    #[test]
    fn weighted_pick_follows_cumulative_weights() {
        let w = [0.0, 1.0, 0.0, 3.0];
        assert_eq!(pick_weighted(&w, 0.0), 1);
        assert_eq!(pick_weighted(&w, 1.0), 1);
        assert_eq!(pick_weighted(&w, 1.5), 3);
        assert_eq!(pick_weighted(&w, 9.0), 3);
    }

    #[test]
    fn greedy_init_picks_distinct_far_points() {
        // Two tight pairs far apart: the second centre lands in the other pair.
        let data = array![[0.0], [0.1], [100.0], [100.1]];
        let mut rng = Xoshiro256Plus::seed_from_u64(1);
        let c = greedy_plus_plus(data.view(), 2, &mut rng);
        assert!((c[[0, 0]] - c[[1, 0]]).abs() > 50.0, "{c}");
    }

    #[test]
    fn inertia_by_hand() {
        // Clusters {0, 2} (centroid 1) and {10}: 1 + 1 + 0 = 2.
        let data = array![[0.0], [2.0], [10.0]];
        assert_eq!(
            inertia(data.view(), &[0, 0, 1], &array![[1.0], [10.0]]),
            2.0
        );
    }
}
