//! Instance noise on the discriminator's inputs.
//!
//! Sønderby et al. 2016, "Amortised MAP Inference for Image Super-resolution",
//! arXiv:1610.04490 (appendix on instance noise), and Arjovsky & Bottou 2017, "Towards
//! Principled Methods for Training Generative Adversarial Networks", arXiv:1701.04862, §4:
//! when the data and model distributions have (nearly) disjoint supports, a perfect D
//! exists and its gradients carry no information. Adding `N(0, σ²)` noise to *both* real
//! and fake inputs of D makes the two distributions overlap; `σ` is annealed to 0 so that
//! the noise-free objective is recovered at the end.
//!
//! The noise is additive, so D's gradient with respect to a noisy fake is also its gradient
//! with respect to the fake itself: G's backward pass needs no change.

use crate::rng::fill_gaussian;
use crate::tensor::{Tensor, flat_mut};
use rand_core::Rng;

/// How `σ` decays from `σ₀` over the annealing steps.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Decay {
    Linear,
    Exponential { half_life: f32 },
}

/// An annealing schedule for the instance noise standard deviation: `σ(t)` decays from
/// `σ₀` at step 0 and is exactly 0 from step `N` on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Anneal {
    sigma0: f32,
    steps: u32,
    decay: Decay,
}

impl Anneal {
    /// `σ = 0` throughout, every byte zero (unlike `None` in an `Option<Anneal>`).
    pub(crate) const ZERO_BYTES: Self = Self {
        sigma0: 0.0,
        steps: 0,
        decay: Decay::Linear,
    };

    /// `σ(t) = σ₀ · (1 − t/N)` for `t < N`, then 0 (the variant both papers use).
    /// Panics if `sigma0 < 0`.
    pub const fn linear(sigma0: f32, steps: u32) -> Self {
        assert!(sigma0 >= 0.0, "σ₀ must be non-negative");
        Self {
            sigma0,
            steps,
            decay: Decay::Linear,
        }
    }

    /// `σ(t) = σ₀ · 2^(−t/h)` for `t < N`, then 0: halves every `half_life` steps.
    /// Panics if `sigma0 < 0` or `half_life == 0`.
    pub const fn exponential(sigma0: f32, steps: u32, half_life: u32) -> Self {
        assert!(sigma0 >= 0.0, "σ₀ must be non-negative");
        assert!(half_life > 0, "half-life must be at least one step");
        Self {
            sigma0,
            steps,
            decay: Decay::Exponential {
                half_life: half_life as f32,
            },
        }
    }

    /// `σ` at training step `step` (counted from 0).
    pub fn sigma_at(&self, step: u32) -> f32 {
        if step >= self.steps {
            return 0.0;
        }
        let t = step as f32;
        match self.decay {
            Decay::Linear => self.sigma0 * (1.0 - t / self.steps as f32),
            Decay::Exponential { half_life } => self.sigma0 * libm::exp2f(-t / half_life),
        }
    }
}

/// Adds independent `N(0, σ²)` noise to every element of `batch` (Gaussian draws as in
/// [`fill_gaussian`], in element order). With `sigma == 0` the batch is left bit-identical
/// and no random numbers are drawn.
pub fn add_noise<R: Rng + ?Sized, T: Tensor>(rng: &mut R, batch: &mut [T], sigma: f32) {
    if sigma == 0.0 {
        return;
    }
    let mut z = [0.0f32; 32];
    for chunk in flat_mut(batch).chunks_mut(z.len()) {
        let z = &mut z[..chunk.len()];
        fill_gaussian(rng, z);
        for (x, &n) in chunk.iter_mut().zip(z.iter()) {
            *x += sigma * n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Prng;

    #[test]
    fn linear_schedule() {
        let a = Anneal::linear(1.0, 10);
        let s: [f32; 5] = [0, 5, 9, 10, 50].map(|t| a.sigma_at(t));
        assert_eq!(s, [1.0, 0.5, 1.0 - 0.9, 0.0, 0.0]);
        assert_eq!(Anneal::linear(1.0, 0).sigma_at(0), 0.0);
    }

    #[test]
    fn exponential_schedule() {
        let a = Anneal::exponential(2.0, 100, 10);
        let s: [f32; 5] = [0, 10, 20, 99, 100].map(|t| a.sigma_at(t));
        assert_eq!(s[..3], [2.0, 1.0, 0.5]);
        assert!((s[3] - 2.0 * 0.5f32.powf(9.9)).abs() < 1e-6);
        assert_eq!(s[4], 0.0);
    }

    #[test]
    fn zero_sigma_is_bit_identical() {
        let x = [[1.5, -0.0], [f32::MIN_POSITIVE, 3.0e38]];
        let mut y = x;
        let mut rng = Prng::new(1);
        add_noise(&mut rng, &mut y, 0.0);
        let bits = |v: &[[f32; 2]; 2]| v.map(|r| r.map(f32::to_bits));
        assert_eq!(bits(&y), bits(&x));
        assert_eq!(rng, Prng::new(1), "no draws at σ = 0");
    }

    #[test]
    fn noise_has_the_requested_spread() {
        let mut x = [[0.0f32; 7]; 1001];
        add_noise(&mut Prng::new(2), &mut x, 0.5);
        let v = flat_mut(&mut x);
        let n = v.len() as f64;
        let mean = v.iter().map(|&a| a as f64).sum::<f64>() / n;
        let sd = (v.iter().map(|&a| (a as f64 - mean).powi(2)).sum::<f64>() / n).sqrt();
        assert!(
            mean.abs() < 0.02 && (sd - 0.5).abs() < 0.02,
            "mean {mean}, sd {sd}"
        );
        let mut again = [[0.0f32; 7]; 1001];
        add_noise(&mut Prng::new(2), &mut again, 0.5);
        assert_eq!(flat_mut(&mut again), v, "same seed, same noise");
    }
}
