//! Scaling and clustering: StandardScaler-style z-scores, linfa's seeded
//! k-means++ and scikit-learn's greedy k-means++ with restarts, the inertia
//! of the final assignment, and stable cluster numbering.

use super::lloyd;
use crate::error::{Error, Result};
use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_clustering::KMeans;
use ndarray::Array2;
use rand_xoshiro::Xoshiro256Plus;
use rand_xoshiro::rand_core::SeedableRng;

/// Column means and scales of a z-score transform.
#[derive(Clone, Debug, PartialEq)]
pub struct Scaler {
    pub mean: Vec<f64>,
    /// Population standard deviation; 1 for a constant feature, which
    /// therefore scales to 0 everywhere (as scikit-learn's StandardScaler).
    pub scale: Vec<f64>,
    /// Features whose values are all equal.
    pub constant: Vec<bool>,
}

/// Learn the z-score transform of `points` (population standard deviation).
pub fn fit_scaler(points: &[Vec<f64>], n_features: usize) -> Scaler {
    let n = points.len() as f64;
    let mut scaler = Scaler {
        mean: Vec::with_capacity(n_features),
        scale: Vec::with_capacity(n_features),
        constant: Vec::with_capacity(n_features),
    };
    for j in 0..n_features {
        let column = || points.iter().map(move |p| p[j]);
        let mean = column().sum::<f64>() / n;
        let var = column().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        let first = column().next().unwrap_or(0.0);
        let constant = column().all(|v| v == first);
        scaler.mean.push(mean);
        scaler.constant.push(constant);
        scaler.scale.push(if constant || var <= 0.0 {
            1.0
        } else {
            var.sqrt()
        });
    }
    scaler
}

/// The points as z-scores, one row per point.
pub fn scale_points(points: &[Vec<f64>], scaler: &Scaler) -> Array2<f64> {
    let d = scaler.mean.len();
    Array2::from_shape_fn((points.len(), d), |(i, j)| {
        if scaler.constant[j] {
            0.0
        } else {
            (points[i][j] - scaler.mean[j]) / scaler.scale[j]
        }
    })
}

/// A clustering of the scaled points.
#[derive(Clone, Debug, PartialEq)]
pub struct Clustering {
    /// Cluster index of every point.
    pub labels: Vec<usize>,
    /// Centroids in scaled space, one row per cluster.
    pub centroids: Array2<f64>,
    /// Sum of squared distances of the points to their centroid.
    pub inertia: f64,
}

impl Clustering {
    /// Number of points in each cluster.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.centroids.nrows()];
        for &l in &self.labels {
            sizes[l] += 1;
        }
        sizes
    }
}

/// The best of two searches, each with `restarts` runs from `seed`: linfa's
/// k-means++ (it keeps its lowest-inertia run) and scikit-learn's greedy
/// k-means++; both end with Lloyd iterations. The lowest inertia wins (ties:
/// linfa's).
pub fn cluster(data: &Array2<f64>, k: usize, seed: u64, restarts: usize) -> Result<Clustering> {
    let linfa = linfa_run(data, k, seed, restarts)?;
    let greedy = cluster_greedy(data, k, seed, restarts);
    Ok(if greedy.inertia < linfa.inertia {
        greedy
    } else {
        linfa
    })
}

/// The greedy k-means++ search alone (scikit-learn's initialisation).
fn cluster_greedy(data: &Array2<f64>, k: usize, seed: u64, restarts: usize) -> Clustering {
    let mut rng = Xoshiro256Plus::seed_from_u64(seed);
    let mut best: Option<Clustering> = None;
    for _ in 0..restarts.max(1) {
        let init = lloyd::greedy_plus_plus(data.view(), k, &mut rng);
        let run = finish(data, init);
        if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
            best = Some(run);
        }
    }
    best.expect("at least one restart")
}

fn linfa_run(data: &Array2<f64>, k: usize, seed: u64, restarts: usize) -> Result<Clustering> {
    let dataset = DatasetBase::from(data.clone());
    let model = KMeans::params_with_rng(k, Xoshiro256Plus::seed_from_u64(seed))
        .n_runs(restarts)
        .fit(&dataset)
        .map_err(|e| Error::new(format!("k-means with k = {k} failed")).caused_by(e))?;
    // linfa's m_k-means update leaves the centroids a tolerance away from
    // the means of their points; Lloyd iterations finish the job.
    Ok(finish(data, model.centroids().clone()))
}

/// Lloyd iterations from `init`, and the inertia of the final assignment.
fn finish(data: &Array2<f64>, init: Array2<f64>) -> Clustering {
    let (labels, centroids) = lloyd::refine(data.view(), init);
    let inertia = lloyd::inertia(data.view(), &labels, &centroids);
    Clustering {
        labels,
        centroids,
        inertia,
    }
}

/// Renumber clusters by ascending centroid of the first feature (then the
/// next features, then the old number), so numbering does not depend on the
/// random initialisation.
pub fn renumber(c: Clustering) -> Clustering {
    let k = c.centroids.nrows();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (c.centroids.row(a), c.centroids.row(b));
        ra.iter()
            .zip(rb.iter())
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| a.cmp(&b))
    });
    let mut new_of_old = vec![0; k];
    for (new, &old) in order.iter().enumerate() {
        new_of_old[old] = new;
    }
    let centroids =
        Array2::from_shape_fn(c.centroids.raw_dim(), |(i, j)| c.centroids[[order[i], j]]);
    Clustering {
        labels: c.labels.iter().map(|&l| new_of_old[l]).collect(),
        centroids,
        inertia: c.inertia,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn scaler_uses_population_std_and_zeroes_constant_features() {
        // x = 1, 2, 3: mean 2, population variance 2/3.
        let points = vec![vec![1.0, 5.0], vec![2.0, 5.0], vec![3.0, 5.0]];
        let s = fit_scaler(&points, 2);
        assert_eq!(s.mean, vec![2.0, 5.0]);
        assert!((s.scale[0] - (2.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(s.constant, vec![false, true]);
        let z = scale_points(&points, &s);
        assert!((z[[0, 0]] + 1.224744871391589).abs() < 1e-12);
        assert_eq!(z.column(1).to_vec(), vec![0.0, 0.0, 0.0]);
    }

    #[test]
    fn inertia_by_hand() {
        // Clusters {0, 2} (centroid 1) and {10} (centroid 10): 1 + 1 + 0 = 2.
        let data = array![[0.0], [2.0], [10.0]];
        let c = cluster(&data, 2, 42, 10).expect("fit");
        assert_eq!(c.labels[0], c.labels[1]);
        assert_ne!(c.labels[0], c.labels[2]);
        assert!((c.inertia - 2.0).abs() < 1e-12);
    }

    #[test]
    fn renumbering_orders_by_first_feature() {
        let c = Clustering {
            labels: vec![0, 1, 2, 0],
            centroids: array![[5.0, 0.0], [-1.0, 3.0], [5.0, -2.0]],
            inertia: 1.0,
        };
        let r = renumber(c);
        assert_eq!(r.centroids, array![[-1.0, 3.0], [5.0, -2.0], [5.0, 0.0]]);
        assert_eq!(r.labels, vec![2, 0, 1, 2]);
    }
}
