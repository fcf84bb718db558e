//! Weight initialisers over every tensor of a [`Params`] value.
//!
//! Each initialiser sets every trainable tensor according to its [`TensorKind`]:
//! weights are drawn from a distribution that depends on their `fan_in`/`fan_out`, biases
//! are set to zero and gains (batch norm's γ) to one (DCGAN: N(1, 0.02)). Buffers are
//! reset to their initial values (running mean 0, running variance 1). Draws come from any [`Rng`] (e.g. [`Prng`](crate::rng::Prng)) through
//! [`crate::rng`], tensor by tensor in index order, so a seed gives the same model on the
//! host and on a device.

use crate::params::{Params, TensorKind};
use crate::rng::{fill_gaussian, uniform};
use rand_core::Rng;

/// Gain `√(2 / (1 + a²))` of a leaky ReLU with negative slope `a` (`√2` for ReLU, `a = 0`),
/// as in He et al. 2015 (arXiv:1502.01852, §2.2) and PyTorch's `calculate_gain`.
pub fn leaky_relu_gain(negative_slope: f32) -> f32 {
    libm::sqrtf(2.0 / (1.0 + negative_slope * negative_slope))
}

/// He (Kaiming) normal initialisation (He et al. 2015, arXiv:1502.01852, §2.2): weights
/// `~ N(0, σ²)` with `σ = gain / √fan_in` and `gain =` [`leaky_relu_gain`]`(negative_slope)`
/// (use 0 for ReLU, the slope for the leaky ReLU that follows the layer). PyTorch's
/// `kaiming_normal_(w, a=negative_slope)` (mode `fan_in`). Biases 0, gains 1.
pub fn kaiming_normal<P: Params, R: Rng + ?Sized>(p: &mut P, rng: &mut R, negative_slope: f32) {
    let gain = leaky_relu_gain(negative_slope);
    init(p, rng, Dist::Constant(1.0), |fan_in, _| Dist::Normal {
        mean: 0.0,
        std: gain / libm::sqrtf(fan_in as f32),
    });
}

/// Xavier (Glorot) uniform initialisation (Glorot & Bengio 2010, "Understanding the
/// difficulty of training deep feedforward neural networks", eq. 16): weights
/// `~ U(−a, a)` with `a = gain · √(6 / (fan_in + fan_out))`; `gain` 1 for linear or
/// sigmoid-like layers (PyTorch uses 5/3 for tanh). PyTorch's `xavier_uniform_`.
/// Biases 0, gains 1.
pub fn xavier_uniform<P: Params, R: Rng + ?Sized>(p: &mut P, rng: &mut R, gain: f32) {
    init(p, rng, Dist::Constant(1.0), |fan_in, fan_out| {
        Dist::Uniform {
            bound: gain * libm::sqrtf(6.0 / (fan_in + fan_out) as f32),
        }
    });
}

/// DCGAN initialisation (Radford et al. 2015, arXiv:1511.06434, §4: "all weights were
/// initialized from a zero-centered Normal distribution with standard deviation 0.02"):
/// weights `~ N(0, 0.02²)`, gains `~ N(1, 0.02²)` (as in the authors' and PyTorch's
/// reference code), biases 0.
pub fn dcgan_normal<P: Params, R: Rng + ?Sized>(p: &mut P, rng: &mut R) {
    const STD: f32 = 0.02;
    let gain = Dist::Normal {
        mean: 1.0,
        std: STD,
    };
    init(p, rng, gain, |_, _| Dist::Normal {
        mean: 0.0,
        std: STD,
    });
}

/// What to fill one tensor with.
#[derive(Clone, Copy)]
enum Dist {
    Constant(f32),
    Normal { mean: f32, std: f32 },
    Uniform { bound: f32 },
}

/// Fills every tensor of `p`: weights from `weight(fan_in, fan_out)`, gains from `gain`,
/// biases with zero; resets every buffer.
fn init<P: Params, R: Rng + ?Sized>(
    p: &mut P,
    rng: &mut R,
    gain: Dist,
    weight: impl Fn(usize, usize) -> Dist,
) {
    for i in 0..P::TENSORS {
        let dist = match p.tensor_kind(i) {
            TensorKind::Weight { fan_in, fan_out } => weight(fan_in, fan_out),
            TensorKind::Bias => Dist::Constant(0.0),
            TensorKind::Gain => gain,
        };
        fill(p.tensor_mut(i), rng, dist);
    }
    crate::params::reset_buffers(p);
}

/// Fills `t` from `dist`: N(0, 1) draws scaled and shifted, or `(2u − 1)·bound` for
/// `u ~ U[0, 1)`.
fn fill<R: Rng + ?Sized>(t: &mut [f32], rng: &mut R, dist: Dist) {
    match dist {
        Dist::Constant(c) => t.fill(c),
        Dist::Normal { mean, std } => {
            fill_gaussian(rng, t);
            t.iter_mut().for_each(|x| *x = mean + std * *x);
        }
        Dist::Uniform { bound } => t
            .iter_mut()
            .for_each(|x| *x = (2.0 * uniform(rng) - 1.0) * bound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Prng;
    use crate::tensor::{Zero, flat, flat_mut};
    use std::boxed::Box;

    #[test]
    fn batch_norm_buffers_start_at_mean_0_variance_1() {
        let mut bn = crate::layers::BatchNorm1d::<3>::ZERO;
        kaiming_normal(&mut bn, &mut Prng::new(1), 0.0);
        assert_eq!((bn.running_mean, bn.running_var), ([0.0; 3], [1.0; 3]));
        assert_eq!(bn.gamma, [1.0; 3]);
    }

    /// A stand-in for a layer with a weight `[256][128]` (fan_in 128, fan_out 256), a
    /// bias and a gain, so every [`TensorKind`] is covered.
    #[derive(Clone, PartialEq, Debug)]
    struct Big {
        w: [[f32; 128]; 256],
        b: [f32; 256],
        g: [f32; 4096],
    }

    impl Zero for Big {
        const ZERO: Self = Self {
            w: [[0.0; 128]; 256],
            b: [0.0; 256],
            g: [0.0; 4096],
        };
    }

    impl Params for Big {
        const TENSORS: usize = 3;
        fn tensor(&self, i: usize) -> &[f32] {
            [flat(&self.w), &self.b, &self.g][i]
        }
        fn tensor_mut(&mut self, i: usize) -> &mut [f32] {
            match i {
                0 => flat_mut(&mut self.w),
                1 => &mut self.b,
                _ => &mut self.g,
            }
        }
        fn tensor_kind(&self, i: usize) -> TensorKind {
            [
                TensorKind::Weight {
                    fan_in: 128,
                    fan_out: 256,
                },
                TensorKind::Bias,
                TensorKind::Gain,
            ][i]
        }
    }

    /// Sample mean and standard deviation, in f64.
    fn moments(x: &[f32]) -> (f64, f64) {
        let n = x.len() as f64;
        let mean = x.iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
        (mean, var.sqrt())
    }

    /// Initialises a fresh [`Big`] (boxed: 150 KB) with `f` and seed `seed`.
    fn big(seed: u64, f: impl Fn(&mut Big, &mut Prng)) -> Box<Big> {
        let mut p = Box::new(Big::ZERO);
        p.b = [7.0; 256];
        f(&mut p, &mut Prng::new(seed));
        p
    }

    // 32768 weights: the standard error of the sample std is σ/√(2n) ≈ 0.4 % of σ, of the
    // mean σ/√n ≈ 0.55 % of σ; the tolerances below are about 5 standard errors.

    #[test]
    fn kaiming_normal_has_he_std() {
        for slope in [0.0, 0.2] {
            let p = big(1, |p, r| kaiming_normal(p, r, slope));
            let (mean, std) = moments(flat(&p.w));
            let want = (2.0 / (1.0 + slope * slope) as f64 / 128.0).sqrt(); // 0.125 for ReLU
            assert!(mean.abs() < 0.03 * want, "mean {mean}");
            assert!((std / want - 1.0).abs() < 0.02, "std {std}, want {want}");
            assert_eq!(p.b, [0.0; 256]);
            assert!(p.g.iter().all(|&g| g == 1.0));
        }
    }

    #[test]
    fn xavier_uniform_has_glorot_bound() {
        let p = big(2, |p, r| xavier_uniform(p, r, 1.0));
        let bound = (6.0f64 / (128.0 + 256.0)).sqrt(); // 0.125
        let w = flat(&p.w);
        let (mean, std) = moments(w);
        assert!(w.iter().all(|&x| (x as f64).abs() <= bound));
        assert!(w.iter().any(|&x| (x as f64).abs() > 0.99 * bound));
        assert!(mean.abs() < 0.03 * bound, "mean {mean}");
        let want = bound / 3f64.sqrt();
        assert!((std / want - 1.0).abs() < 0.02, "std {std}, want {want}");
        assert_eq!(p.b, [0.0; 256]);
        assert!(p.g.iter().all(|&g| g == 1.0));
    }

    #[test]
    fn dcgan_normal_weights_and_gains() {
        let p = big(3, dcgan_normal);
        let (mean, std) = moments(flat(&p.w));
        assert!(mean.abs() < 0.03 * 0.02, "mean {mean}");
        assert!((std / 0.02 - 1.0).abs() < 0.02, "std {std}");
        // 4096 gains: tolerances ≈ 5 standard errors again.
        let (mean, std) = moments(&p.g);
        assert!((mean - 1.0).abs() < 0.0016, "gain mean {mean}");
        assert!((std / 0.02 - 1.0).abs() < 0.06, "gain std {std}");
        assert_eq!(p.b, [0.0; 256]);
    }

    #[test]
    fn same_seed_same_model() {
        let a = big(9, |p, r| kaiming_normal(p, r, 0.2));
        assert_eq!(a, big(9, |p, r| kaiming_normal(p, r, 0.2)));
        assert_ne!(a.w, big(10, |p, r| kaiming_normal(p, r, 0.2)).w);
    }

    #[test]
    fn relu_gain() {
        assert_eq!(leaky_relu_gain(0.0), core::f32::consts::SQRT_2);
        assert!((leaky_relu_gain(1.0) - 1.0).abs() < 1e-7);
    }
}
