//! Stochastic gradient descent with momentum and L2 weight decay.

use super::{Optimizer, each_tensor};
use crate::params::{self, Params};
use crate::tensor::Zero;

/// Hyperparameters of [`Sgd`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdConfig {
    /// Learning rate `lr`.
    pub lr: f32,
    /// Momentum `μ` (0: plain SGD).
    pub momentum: f32,
    /// L2 weight decay `λ`, added to the gradient as `λ·θ`.
    pub weight_decay: f32,
}

impl SgdConfig {
    /// Plain SGD with learning rate `lr`: no momentum, no weight decay. Other settings by
    /// struct update: `SgdConfig { momentum: 0.9, ..SgdConfig::new(0.01) }`.
    pub const fn new(lr: f32) -> Self {
        Self {
            lr,
            momentum: 0.0,
            weight_decay: 0.0,
        }
    }
}

/// SGD with momentum, in PyTorch's `torch.optim.SGD` form (no dampening, no Nesterov):
///
/// `g ← g + λ·θ`, `v ← μ·v + g`, `θ ← θ − lr·v`, with `v` starting at zero (so the
/// first step is `θ − lr·g`, as in PyTorch where the buffer starts as `g`).
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd<P> {
    /// Hyperparameters.
    pub config: SgdConfig,
    /// Velocity `v`, one value per parameter.
    pub velocity: P,
}

impl<P: Zero> Sgd<P> {
    /// An optimiser with zero velocity; `const`, so it can initialise a `static`.
    pub const fn new(config: SgdConfig) -> Self {
        Self {
            config,
            velocity: P::ZERO,
        }
    }
}

impl<P: Zero> Zero for Sgd<P> {
    /// Zero velocity, learning rate 0.001 (set `config` before use).
    const ZERO: Self = Self::new(SgdConfig::new(1e-3));
}

impl<P: Params> Optimizer<P> for Sgd<P> {
    fn step(&mut self, params: &mut P, grads: &P) {
        step(self.config, &mut self.velocity, params, grads);
    }

    fn reset(&mut self) {
        params::zero(&mut self.velocity);
    }

    fn set_lr(&mut self, lr: f32) {
        self.config.lr = lr;
    }
}

/// One step of `params` from `grads` with the velocity `state`: [`update`] on every tensor.
pub(super) fn step<P: Params>(c: SgdConfig, state: &mut P, params: &mut P, grads: &P) {
    each_tensor(params, grads, state, |p, g, v| update(p, g, v, c));
}

/// The SGD update on one tensor: `v ← μ·v + (g + λ·θ)`, `θ ← θ − lr·v`.
pub fn update(theta: &mut [f32], g: &[f32], v: &mut [f32], c: SgdConfig) {
    debug_assert!(theta.len() == g.len() && g.len() == v.len());
    for ((t, g), v) in theta.iter_mut().zip(g).zip(v) {
        *v = c.momentum * *v + (g + c.weight_decay * *t);
        *t -= c.lr * *v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::tests::{GRADS, THETA0, assert_params, dense};

    #[test]
    fn momentum_and_weight_decay_by_hand() {
        // lr 0.1, μ 0.9, λ 0.01 from θ = (0.5, −0.3, 0.1). Step 1, w₀₀: g = 0.2 + 0.01·0.5
        // = 0.205, v = 0.205, θ = 0.5 − 0.0205 = 0.4795. Step 2, w₀₀: g = −0.1 + 0.004795
        // = −0.095205, v = 0.9·0.205 − 0.095205 = 0.089295, θ = 0.4795 − 0.0089295
        // = 0.4705705. The other values were computed the same way in f64 with python3.
        let mut opt = Sgd::new(SgdConfig {
            momentum: 0.9,
            weight_decay: 0.01,
            ..SgdConfig::new(0.1)
        });
        let mut p = THETA0;
        opt.step(&mut p, &dense(GRADS[0]));
        assert_params(&p, [0.4795, -0.2597, -0.0001], 1e-6, "step 1");
        assert_params(
            &opt.velocity,
            [0.205, -0.403, 1.001],
            1e-6,
            "v after step 1",
        );
        opt.step(&mut p, &dense(GRADS[1]));
        assert_params(&p, [0.4705705, -0.1731703, -0.1401899], 1e-6, "step 2");
        opt.reset();
        assert_eq!(opt.velocity, Zero::ZERO);
    }

    #[test]
    fn without_momentum_is_plain_gradient_descent() {
        let mut opt = Sgd::new(SgdConfig::new(0.5));
        let mut p = THETA0;
        for g in GRADS {
            opt.step(&mut p, &dense(g));
        }
        // θ − 0.5·Σg: (0.5 − 0.2, −0.3 + 0.45, 0.1 + 0.25).
        assert_params(&p, [0.3, 0.15, 0.35], 1e-6, "3 steps");
    }
}
