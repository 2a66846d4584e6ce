//! The generators' own pseudo-random numbers: xoshiro256** seeded by
//! SplitMix64, with sampling helpers built only from IEEE basic arithmetic
//! and `sqrt` (correctly rounded everywhere), so a seed gives the same
//! values — and the same bytes — on every machine. `f64::ln`/`exp` come from
//! the platform's libm and may differ in the last bit, so we bring our own.

/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng {
    state: [u64; 4],
}

impl Rng {
    /// A generator whose whole stream is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut sm = seed;
        let mut next_splitmix = || {
            sm = sm.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = sm;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng {
            state: [
                next_splitmix(),
                next_splitmix(),
                next_splitmix(),
                next_splitmix(),
            ],
        }
    }

    /// An independent generator seeded from this one (one per table or catalog).
    pub fn fork(&mut self) -> Rng {
        Rng::new(self.next_u64())
    }

    /// The next raw 64-bit output.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    pub fn uniform_in(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in [0, n); 0 when `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform integer in the inclusive range [lo, hi].
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u128 + 1;
        lo + ((self.next_u64() as u128 * span) >> 64) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// One element of a non-empty slice, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn with probability proportional to `weights` (few items;
    /// use [`Weighted`] for large or repeated draws).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut target = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if target < *w {
                return i;
            }
            target -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// Standard normal variate (Marsaglia's polar form of Box-Muller).
    pub fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * ln(s) / s).sqrt();
            }
        }
    }

    /// Log-normal variate with the given median and log-scale spread.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * exp(sigma * self.normal())
    }

    /// Shuffle a slice in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// A reusable weighted distribution over `0..n` (binary search on the
/// cumulative weights), for catalogs with many entries.
#[derive(Clone, Debug)]
pub struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    /// A distribution proportional to `weights` (at least one must be > 0).
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut total = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        Weighted { cumulative }
    }

    /// Zipf-like popularity: weight of rank r (from 0) is 1 / (r + 1)^s,
    /// with `s` a multiple of 1/2 computed with `sqrt` only.
    pub fn zipf(n: usize, half_steps: u32) -> Self {
        Weighted::new((0..n).map(|r| {
            let base = (r + 1) as f64;
            let mut w = 1.0;
            for _ in 0..half_steps {
                w /= base.sqrt();
            }
            w
        }))
    }

    /// Draw an index.
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let target = rng.uniform() * total;
        let i = self.cumulative.partition_point(|c| *c <= target);
        i.min(self.cumulative.len().saturating_sub(1))
    }
}

const LN_2: f64 = std::f64::consts::LN_2;

/// Natural logarithm of a positive finite `x`, from basic arithmetic only.
pub fn ln(x: f64) -> f64 {
    let bits = x.to_bits();
    let mut exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if mantissa > std::f64::consts::SQRT_2 {
        mantissa /= 2.0;
        exponent += 1;
    }
    // ln(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172
    let s = (mantissa - 1.0) / (mantissa + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    for k in 0..13 {
        sum += term / (2 * k + 1) as f64;
        term *= s2;
    }
    2.0 * sum + exponent as f64 * LN_2
}

/// `e^x` from basic arithmetic only (x clamped to ±700).
pub fn exp(x: f64) -> f64 {
    let x = x.clamp(-700.0, 700.0);
    let k = (x / LN_2).round();
    let r = x - k * LN_2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..=18 {
        term *= r / i as f64;
        sum += term;
    }
    sum * f64::from_bits(((k as i64 + 1023) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_zero_matches_an_independent_implementation() {
        // Python, straight from the published splitmix64.c and
        // xoshiro256starstar.c (M = 2**64 - 1, rotl(x, k) = ((x << k) | (x >> (64 - k))) & M):
        //   s = 0; state = []
        //   for _ in range(4):
        //       s = (s + 0x9e3779b97f4a7c15) & M; z = s
        //       z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
        //       z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
        //       state.append(z ^ (z >> 31))
        //   then per output: r = rotl(s1 * 5 & M, 7) * 9 & M; t = s1 << 17 & M;
        //   s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 45)
        let mut rng = Rng::new(0);
        assert_eq!(rng.state[0], 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.state[1], 0x6e78_9e6a_a1b9_65f4);
        let outputs = [rng.next_u64(), rng.next_u64(), rng.next_u64()];
        assert_eq!(
            outputs,
            [
                0x99ec_5f36_cb75_f2b4,
                0xbf6e_1f78_4956_452a,
                0x1a5f_849d_4933_e6e0
            ]
        );
    }

    fn first_outputs(seed: u64) -> Vec<u64> {
        let mut rng = Rng::new(seed);
        (0..5).map(|_| rng.next_u64()).collect()
    }

    #[test]
    fn same_seed_same_stream_different_seed_different_stream() {
        assert_eq!(first_outputs(7), first_outputs(7));
        assert_ne!(first_outputs(7), first_outputs(8));
    }

    #[test]
    fn own_ln_and_exp_agree_with_std_to_rounding() {
        for x in [1e-9, 0.001, 0.3, 0.999, 1.0, 1.5, 2.0, 10.0, 12345.678] {
            assert!(
                (ln(x) - x.ln()).abs() <= 1e-14 * x.ln().abs().max(1.0),
                "ln {x}"
            );
        }
        for x in [-30.0, -1.0, -0.2, 0.0, 0.5, 1.0, 3.3, 40.0] {
            assert!((exp(x) - x.exp()).abs() <= 1e-14 * x.exp(), "exp {x}");
        }
    }

    #[test]
    fn helpers_stay_in_range_and_normal_has_unit_spread() {
        let mut rng = Rng::new(1);
        let n = 20_000;
        let (mut sum, mut sum_sq) = (0.0, 0.0);
        for _ in 0..n {
            let r = rng.range(3, 5);
            assert!((3..=5).contains(&r));
            assert!(rng.below(4) < 4);
            let z = rng.normal();
            sum += z;
            sum_sq += z * z;
        }
        let mean = sum / n as f64;
        let var = sum_sq / n as f64 - mean * mean;
        // standard error of the mean is 1/sqrt(20000) = 0.007
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "var {var}");
    }

    #[test]
    fn weighted_draws_follow_weights() {
        let mut rng = Rng::new(3);
        let dist = Weighted::new([1.0, 0.0, 3.0]);
        let mut counts = [0usize; 3];
        for _ in 0..8_000 {
            counts[dist.sample(&mut rng)] += 1;
            counts[rng.weighted(&[1.0, 0.0, 3.0])] += 1;
        }
        // expected 4,000 for index 0 and 12,000 for index 2 of 16,000 draws
        assert_eq!(counts[1], 0);
        assert!((3_700..4_300).contains(&counts[0]), "{counts:?}");
    }
}
