//! Seeded samples of point indices, for restarts and silhouettes on large
//! data.

use rand_xoshiro::Xoshiro256Plus;
use rand_xoshiro::rand_core::{RngCore, SeedableRng};

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

#[cfg(test)]
mod tests {
    use super::*;

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
