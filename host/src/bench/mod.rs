//! Benchmarks (`tinygan bench ...`): measured on the host, each against a baseline timed
//! in the same run, because the machines are shared and noisy.
//!
//! - [`step`]: a GAN training step of three reference models against PyTorch;
//! - [`kernels`]: the layers of those models one at a time, in GFLOP/s.

pub mod kernels;
pub mod models;
pub mod step;

use std::time::Instant;

/// Calls per second of `f` over `reps` repetitions of `calls` calls each.
pub fn rates(reps: usize, calls: usize, mut f: impl FnMut()) -> Vec<f64> {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..calls {
                f();
            }
            calls as f64 / t.elapsed().as_secs_f64()
        })
        .collect()
}

/// The median of `v` (the mean of the middle two for an even length); NaN if empty.
pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_lengths() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn rates_counts_repetitions() {
        let mut n = 0;
        let r = rates(3, 4, || n += 1);
        assert_eq!((r.len(), n), (3, 12));
        assert!(r.iter().all(|x| *x > 0.0));
    }
}
