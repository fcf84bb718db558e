//! RMSProp (Tieleman & Hinton 2012, Coursera lecture 6.5), in PyTorch's form.

use super::{Optimizer, each_tensor};
use crate::params::{self, Params};
use crate::tensor::Zero;

/// Hyperparameters of [`RmsProp`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RmsPropConfig {
    /// Learning rate `lr`.
    pub lr: f32,
    /// Smoothing constant `α` of the mean square.
    pub alpha: f32,
    /// `ε`, added to `√v` in the denominator.
    pub eps: f32,
}

impl RmsPropConfig {
    /// Learning rate `lr` with PyTorch's defaults `α = 0.99`, `ε = 10⁻⁸`.
    pub const fn new(lr: f32) -> Self {
        Self {
            lr,
            alpha: 0.99,
            eps: 1e-8,
        }
    }

    /// The WGAN setting (Arjovsky et al. 2017, arXiv:1701.07875, Algorithm 1):
    /// `lr = 5·10⁻⁵`, used with weight clipping at `c = 0.01`
    /// ([`clip_value`](super::clip_value)) after every critic step.
    pub const WGAN: Self = Self::new(5e-5);
}

/// RMSProp as PyTorch's `torch.optim.RMSprop` (not centred, no momentum):
///
/// `v ← α·v + (1 − α)·g²`, `θ ← θ − lr·g / (√v + ε)`, with `v` starting at zero.
///
/// The LSGAN paper (Mao et al. 2017, arXiv:1611.04076) pairs the least-squares loss with
/// RMSProp in its stability comparison against the regular GAN (§4), besides Adam; RMSProp
/// is also WGAN's optimiser ([`RmsPropConfig::WGAN`]), chosen there because momentum-based
/// methods made the critic's training unstable.
#[derive(Clone, Debug, PartialEq)]
pub struct RmsProp<P> {
    /// Hyperparameters.
    pub config: RmsPropConfig,
    /// Running mean square `v` of the gradient.
    pub square_avg: P,
}

impl<P: Zero> RmsProp<P> {
    /// An optimiser with a zero mean square; `const`, so it can initialise a `static`.
    pub const fn new(config: RmsPropConfig) -> Self {
        Self {
            config,
            square_avg: P::ZERO,
        }
    }
}

impl<P: Zero> Zero for RmsProp<P> {
    /// Zero mean square, with [`RmsPropConfig::new`]`(0.01)` (PyTorch's defaults).
    const ZERO: Self = Self::new(RmsPropConfig::new(0.01));
}

impl<P: Params> Optimizer<P> for RmsProp<P> {
    fn step(&mut self, params: &mut P, grads: &P) {
        step(self.config, &mut self.square_avg, params, grads);
    }

    fn reset(&mut self) {
        params::zero(&mut self.square_avg);
    }

    fn set_lr(&mut self, lr: f32) {
        self.config.lr = lr;
    }
}

/// One step of `params` from `grads` with the mean square `state`: [`update`] on every tensor.
pub(super) fn step<P: Params>(c: RmsPropConfig, state: &mut P, params: &mut P, grads: &P) {
    each_tensor(params, grads, state, |p, g, v| update(p, g, v, c));
}

/// The RMSProp update on one tensor: `v ← α·v + (1 − α)·g²`, `θ ← θ − lr·g/(√v + ε)`.
pub fn update(theta: &mut [f32], g: &[f32], v: &mut [f32], c: RmsPropConfig) {
    debug_assert!(theta.len() == g.len() && g.len() == v.len());
    for ((t, g), v) in theta.iter_mut().zip(g).zip(v) {
        *v = c.alpha * *v + (1.0 - c.alpha) * (g * g);
        *t -= c.lr * g / (crate::math::sqrt(*v) + c.eps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::tests::check_steps;

    #[test]
    fn three_steps_by_hand() {
        // lr 0.01, α 0.99, ε 1e-8 from θ = (0.5, −0.3, 0.1) with the gradients GRADS.
        // Step 1 is lr·g/(√(0.01·g²) + ε) = 0.1·sign(g): (0.4, −0.2, ~0). Step 2, w₀₀:
        // v = 0.99·4e-4 + 0.01·0.01 = 4.96e-4, θ = 0.4 + 0.01·0.1/0.0222711 = 0.4449013.
        // A zero gradient (w₀₁ at step 3) leaves θ unchanged. All values were recomputed
        // independently in f64 with python3.
        let mut opt = RmsProp::new(RmsPropConfig::new(0.01));
        let want = [
            [0.40000005, -0.200000025, 0.00000001],
            [0.4449013553, -0.1217603443, -0.0449013115],
            [0.3644651954, -0.1217603443, 0.0425726514],
        ];
        check_steps(&mut opt, want);
        opt.reset();
        assert_eq!(opt.square_avg, Zero::ZERO);
    }
}
