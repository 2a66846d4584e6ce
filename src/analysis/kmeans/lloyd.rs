//! Lloyd's k-means on flat row-major points: scikit-learn's greedy
//! k-means++ seeding (each new centre is the best, by potential, of
//! `2 + ln k` candidates drawn with probability proportional to the squared
//! distance to the chosen centres) and Lloyd iterations that skip most
//! distance computations with Hamerly's bounds. The result is the same as
//! plain Lloyd's; the bounds only prove which centres cannot be nearest.
//! Parallel work is split in fixed chunks and summed in chunk order, so the
//! numbers do not depend on thread scheduling.

use ndarray::Array2;
use rand_xoshiro::Xoshiro256Plus;
use rand_xoshiro::rand_core::RngCore;
use rayon::prelude::*;
use std::borrow::Cow;

/// Most Lloyd iterations of one run.
const MAX_ITERATIONS: usize = 300;
/// Points per parallel work item.
const CHUNK: usize = 4096;

/// Row-major points: `values.len() == n * dim`.
#[derive(Clone, Copy)]
struct Points<'a> {
    values: &'a [f64],
    dim: usize,
}

impl<'a> Points<'a> {
    fn len(&self) -> usize {
        self.values.len() / self.dim.max(1)
    }

    fn row(&self, i: usize) -> &'a [f64] {
        &self.values[i * self.dim..(i + 1) * self.dim]
    }
}

/// Points prepared once for any number of runs: flat row-major values and
/// the stopping tolerance of Lloyd iterations on them.
pub struct PointSet<'a> {
    data: &'a Array2<f64>,
    values: Cow<'a, [f64]>,
    dim: usize,
    tolerance: f64,
}

impl<'a> PointSet<'a> {
    pub fn new(data: &'a Array2<f64>) -> Self {
        let values = match data.as_slice() {
            Some(values) => Cow::Borrowed(values),
            None => Cow::Owned(data.iter().copied().collect()),
        };
        let dim = data.ncols();
        let points = Points {
            values: &values,
            dim,
        };
        // scikit-learn's `tol=1e-4`, relative to the mean feature variance.
        let tolerance = 1e-4 * mean_variance(points);
        PointSet {
            data,
            values,
            dim,
            tolerance,
        }
    }

    /// The points as given.
    pub fn array(&self) -> &'a Array2<f64> {
        self.data
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.points().len()
    }

    fn points(&self) -> Points<'_> {
        Points {
            values: &self.values,
            dim: self.dim,
        }
    }
}

fn flat_centroids(centroids: &Array2<f64>) -> Vec<f64> {
    centroids.iter().copied().collect()
}

fn to_array(values: Vec<f64>, k: usize, dim: usize) -> Array2<f64> {
    Array2::from_shape_vec((k, dim), values).expect("k × dim values")
}

fn squared(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// A uniform draw in [0, 1).
fn uniform(rng: &mut Xoshiro256Plus) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Greedy k-means++ initial centroids (rows of `data`).
pub fn greedy_plus_plus(set: &PointSet, k: usize, rng: &mut Xoshiro256Plus) -> Array2<f64> {
    let points = set.points();
    let n = points.len();
    let trials = 2 + (k as f64).ln() as usize;
    let mut chosen = vec![((uniform(rng) * n as f64) as usize).min(n - 1)];
    let mut closest = distances_to(points, points.row(chosen[0]));
    while chosen.len() < k {
        let potential: f64 = closest.iter().sum();
        let candidates: Vec<usize> = (0..trials)
            .map(|_| pick_weighted(&closest, uniform(rng) * potential))
            .collect();
        let best = candidates
            .iter()
            .map(|&c| {
                let d = distances_to(points, points.row(c));
                let merged: Vec<f64> = closest.iter().zip(&d).map(|(a, b)| a.min(*b)).collect();
                (merged.iter().sum::<f64>(), merged, c)
            })
            .reduce(|best, next| if next.0 < best.0 { next } else { best });
        let Some((_, merged, c)) = best else { break };
        closest = merged;
        chosen.push(c);
    }
    let values = chosen
        .iter()
        .flat_map(|&c| points.row(c))
        .copied()
        .collect();
    to_array(values, k, points.dim)
}

fn distances_to(points: Points, centre: &[f64]) -> Vec<f64> {
    points
        .values
        .par_chunks(points.dim.max(1))
        .map(|p| squared(p, centre))
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
pub fn refine(set: &PointSet, centroids: Array2<f64>) -> (Vec<usize>, Array2<f64>) {
    let k = centroids.nrows();
    let points = set.points();
    let mut centres = flat_centroids(&centroids);
    let mut bounds = Bounds::nearest(points, &centres, k);
    for _ in 0..MAX_ITERATIONS {
        let moved = means(points, &bounds.labels, &centres, k);
        let shifts: Vec<f64> = (0..k)
            .map(|c| {
                squared(
                    centre(&moved, c, points.dim),
                    centre(&centres, c, points.dim),
                )
            })
            .collect();
        centres = moved;
        let changed = bounds.update(points, &centres, k, &shifts);
        if changed == 0 || shifts.iter().sum::<f64>() <= set.tolerance {
            break;
        }
    }
    let labels = bounds.labels.iter().map(|&l| l as usize).collect();
    (labels, to_array(centres, k, points.dim))
}

fn centre(centres: &[f64], c: usize, dim: usize) -> &[f64] {
    &centres[c * dim..(c + 1) * dim]
}

/// Every point's centre with Hamerly's bounds: `upper` is at least the
/// distance to the own centre, `lower` at most the distance to any other.
struct Bounds {
    labels: Vec<u32>,
    upper: Vec<f64>,
    lower: Vec<f64>,
}

impl Bounds {
    /// Exact nearest centres (and bounds) of every point.
    fn nearest(points: Points, centres: &[f64], k: usize) -> Self {
        let n = points.len();
        let mut b = Bounds {
            labels: vec![0; n],
            upper: vec![0.0; n],
            lower: vec![0.0; n],
        };
        b.chunks(points, |xs, labels, upper, lower| {
            for (i, p) in xs.chunks(points.dim.max(1)).enumerate() {
                let (best, d1, d2) = two_nearest(p, centres, k, points.dim);
                labels[i] = best;
                upper[i] = d1;
                lower[i] = d2;
            }
            0
        });
        b
    }

    /// Move the bounds by the centres' `shifts` (squared) and reassign the
    /// points whose bounds no longer prove their centre nearest; returns how
    /// many points changed centre.
    fn update(&mut self, points: Points, centres: &[f64], k: usize, shifts: &[f64]) -> usize {
        let moves: Vec<f64> = shifts.iter().map(|s| s.sqrt()).collect();
        let (far, far_move, second_move) = two_largest(&moves);
        let half_gap = half_gaps(centres, k, points.dim);
        let dim = points.dim;
        self.chunks(points, |xs, labels, upper, lower| {
            let mut changed = 0;
            for (i, p) in xs.chunks(dim.max(1)).enumerate() {
                let own = labels[i] as usize;
                upper[i] += moves[own];
                lower[i] -= if own == far { second_move } else { far_move };
                let bound = half_gap[own].max(lower[i]);
                if upper[i] <= bound {
                    continue;
                }
                upper[i] = squared(p, centre(centres, own, dim)).sqrt();
                if upper[i] <= bound {
                    continue;
                }
                let (best, d1, d2) = two_nearest(p, centres, k, dim);
                if best as usize != own {
                    changed += 1;
                }
                labels[i] = best;
                upper[i] = d1;
                lower[i] = d2;
            }
            changed
        })
    }

    /// Run `f` over fixed chunks of points in parallel; sums its counts.
    fn chunks(
        &mut self,
        points: Points,
        f: impl Fn(&[f64], &mut [u32], &mut [f64], &mut [f64]) -> usize + Sync,
    ) -> usize {
        let dim = points.dim.max(1);
        points
            .values
            .par_chunks(CHUNK * dim)
            .zip(self.labels.par_chunks_mut(CHUNK))
            .zip(self.upper.par_chunks_mut(CHUNK))
            .zip(self.lower.par_chunks_mut(CHUNK))
            .map(|(((xs, labels), upper), lower)| f(xs, labels, upper, lower))
            .sum()
    }
}

/// The nearest centre (lowest index on ties), its distance and the
/// distance to the second nearest (infinite when k = 1).
fn two_nearest(p: &[f64], centres: &[f64], k: usize, dim: usize) -> (u32, f64, f64) {
    let (mut best, mut d1, mut d2) = (0, f64::INFINITY, f64::INFINITY);
    for c in 0..k {
        let d = squared(p, centre(centres, c, dim));
        if d < d1 {
            d2 = d1;
            d1 = d;
            best = c;
        } else if d < d2 {
            d2 = d;
        }
    }
    (best as u32, d1.sqrt(), d2.sqrt())
}

/// The index of the largest value, that value, and the largest of the others.
fn two_largest(values: &[f64]) -> (usize, f64, f64) {
    let (mut at, mut first, mut second) = (0, 0.0f64, 0.0f64);
    for (i, &v) in values.iter().enumerate() {
        if v > first {
            second = first;
            first = v;
            at = i;
        } else if v > second {
            second = v;
        }
    }
    (at, first, second)
}

/// Half the distance from each centre to its nearest other centre: a point
/// closer than that to its own centre cannot be nearer to another.
fn half_gaps(centres: &[f64], k: usize, dim: usize) -> Vec<f64> {
    (0..k)
        .map(|a| {
            (0..k)
                .filter(|&b| b != a)
                .map(|b| squared(centre(centres, a, dim), centre(centres, b, dim)))
                .fold(f64::INFINITY, f64::min)
                .sqrt()
                / 2.0
        })
        .collect()
}

/// Mean over features of the population variance.
fn mean_variance(points: Points) -> f64 {
    let (n, dim) = (points.len(), points.dim);
    if n == 0 || dim == 0 {
        return 0.0;
    }
    let mut total = 0.0;
    for j in 0..dim {
        let column = || points.values.iter().skip(j).step_by(dim);
        let mean = column().sum::<f64>() / n as f64;
        total += column().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
    }
    total / dim as f64
}

/// The mean of each cluster's points; an empty cluster keeps its centre.
/// Chunks are summed in parallel, then added up in chunk order.
fn means(points: Points, labels: &[u32], old: &[f64], k: usize) -> Vec<f64> {
    let dim = points.dim.max(1);
    let partial: Vec<(Vec<f64>, Vec<usize>)> = points
        .values
        .par_chunks(CHUNK * dim)
        .zip(labels.par_chunks(CHUNK))
        .map(|(xs, ls)| {
            let mut sums = vec![0.0; k * dim];
            let mut counts = vec![0usize; k];
            for (p, &l) in xs.chunks(dim).zip(ls) {
                let l = l as usize;
                for (s, v) in sums[l * dim..(l + 1) * dim].iter_mut().zip(p) {
                    *s += v;
                }
                counts[l] += 1;
            }
            (sums, counts)
        })
        .collect();
    let mut sums = vec![0.0; k * dim];
    let mut counts = vec![0usize; k];
    for (s, c) in partial {
        sums.iter_mut().zip(&s).for_each(|(a, b)| *a += b);
        counts.iter_mut().zip(&c).for_each(|(a, b)| *a += b);
    }
    for ((centre, previous), &count) in sums.chunks_mut(dim).zip(old.chunks(dim)).zip(&counts) {
        if count == 0 {
            centre.copy_from_slice(previous);
        } else {
            centre.iter_mut().for_each(|v| *v /= count as f64);
        }
    }
    sums
}

/// Sum of squared Euclidean distances from each point to its nearest
/// centroid (chunks in parallel, added up in chunk order).
pub fn nearest_inertia(set: &PointSet, centroids: &Array2<f64>) -> f64 {
    let centres = flat_centroids(centroids);
    let (k, dim) = (centroids.nrows(), set.dim.max(1));
    let partial: Vec<f64> = set
        .values
        .par_chunks(CHUNK * dim)
        .map(|xs| {
            xs.chunks(dim)
                .map(|p| {
                    (0..k)
                        .map(|c| squared(p, centre(&centres, c, set.dim)))
                        .fold(f64::INFINITY, f64::min)
                })
                .sum::<f64>()
        })
        .collect();
    partial.iter().sum()
}

/// Sum of squared Euclidean distances from each point to its own centroid
/// (chunks in parallel, added up in chunk order).
pub fn inertia(set: &PointSet, labels: &[usize], centroids: &Array2<f64>) -> f64 {
    let centres = flat_centroids(centroids);
    let dim = set.dim.max(1);
    let partial: Vec<f64> = set
        .values
        .par_chunks(CHUNK * dim)
        .zip(labels.par_chunks(CHUNK))
        .map(|(xs, ls)| {
            xs.chunks(dim)
                .zip(ls)
                .map(|(p, &l)| squared(p, centre(&centres, l, set.dim)))
                .sum::<f64>()
        })
        .collect();
    partial.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rand_xoshiro::rand_core::SeedableRng;

    #[test]
    fn refine_reaches_the_means_of_the_assignment() {
        let data = array![[0.0], [1.0], [9.0], [11.0]];
        let (labels, centroids) = refine(&PointSet::new(&data), array![[0.2], [9.5]]);
        assert_eq!(labels, vec![0, 0, 1, 1]);
        assert_eq!(centroids, array![[0.5], [10.0]]);
    }

    #[test]
    fn refine_moves_points_across_as_centres_travel() {
        // From centres 0 and 1 every point but 0 starts in cluster 1;
        // Lloyd ends at {0, 1, 2} and {10, 11, 12}, means 1 and 11.
        let data = array![[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]];
        let (labels, centroids) = refine(&PointSet::new(&data), array![[0.0], [1.0]]);
        assert_eq!(labels, vec![0, 0, 0, 1, 1, 1]);
        assert_eq!(centroids, array![[1.0], [11.0]]);
    }

    /// Nearest centre of every point by trying them all.
    fn brute_assign(data: &Array2<f64>, centres: &Array2<f64>) -> Vec<usize> {
        data.rows()
            .into_iter()
            .map(|p| {
                let d: Vec<f64> = centres
                    .rows()
                    .into_iter()
                    .map(|c| p.iter().zip(c.iter()).map(|(x, y)| (x - y).powi(2)).sum())
                    .collect();
                (0..d.len()).fold(0, |b, c| if d[c] < d[b] { c } else { b })
            })
            .collect()
    }

    #[test]
    fn bounded_lloyd_equals_brute_force_lloyd() {
        // Plain Lloyd with the same stopping rule: full assignment and
        // means every iteration; the bounds must not change the outcome.
        let mut rng = Xoshiro256Plus::seed_from_u64(3);
        let data = Array2::from_shape_fn((3000, 3), |_| uniform(&mut rng) * 10.0);
        let init = greedy_plus_plus(&PointSet::new(&data), 7, &mut rng);
        let tolerance = 1e-4 * data.columns().into_iter().map(|c| c.var(0.0)).sum::<f64>() / 3.0;
        let mut centres = init.clone();
        let mut labels = brute_assign(&data, &centres);
        let mut iterations = 0;
        loop {
            iterations += 1;
            let mut sums = Array2::<f64>::zeros(centres.raw_dim());
            let mut counts = vec![0.0; centres.nrows()];
            for (p, &l) in data.rows().into_iter().zip(&labels) {
                let mut row = sums.row_mut(l);
                row += &p;
                counts[l] += 1.0;
            }
            for (c, n) in counts.iter().enumerate() {
                sums.row_mut(c).mapv_inplace(|v| v / n);
            }
            let shift: f64 = (&sums - &centres).mapv(|v| v * v).sum();
            centres = sums;
            let next = brute_assign(&data, &centres);
            let stable = next == labels;
            labels = next;
            if stable || shift <= tolerance {
                break;
            }
        }
        assert!(iterations > 5, "a real run: {iterations} iterations");
        let (ours, ours_centres) = refine(&PointSet::new(&data), init);
        assert_eq!(ours, labels);
        let (a, b) = (
            inertia(&PointSet::new(&data), &ours, &ours_centres),
            inertia(&PointSet::new(&data), &labels, &centres),
        );
        assert!((a / b - 1.0).abs() < 1e-12, "{a} vs {b}");
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
        let c = greedy_plus_plus(&PointSet::new(&data), 2, &mut rng);
        assert!((c[[0, 0]] - c[[1, 0]]).abs() > 50.0, "{c}");
    }

    #[test]
    fn inertia_by_hand() {
        // Clusters {0, 2} (centroid 1) and {10}: 1 + 1 + 0 = 2.
        let data = array![[0.0], [2.0], [10.0]];
        assert_eq!(
            inertia(&PointSet::new(&data), &[0, 0, 1], &array![[1.0], [10.0]]),
            2.0
        );
    }

    #[test]
    fn nearest_inertia_by_hand() {
        // Centres 1 and 10: 0 and 2 are 1 away from 1, 10 is at 10.
        let data = array![[0.0], [2.0], [10.0]];
        let set = PointSet::new(&data);
        assert_eq!(nearest_inertia(&set, &array![[10.0], [1.0]]), 2.0);
    }

    #[test]
    fn largest_two_and_half_gaps() {
        assert_eq!(two_largest(&[1.0, 5.0, 3.0]), (1, 5.0, 3.0));
        // Centres 0, 4 and 10 on a line: nearest others 4, 4, 6.
        assert_eq!(half_gaps(&[0.0, 4.0, 10.0], 3, 1), vec![2.0, 2.0, 3.0]);
    }
}
