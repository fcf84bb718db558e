//! Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization", arXiv:1412.6980).

use super::Optimizer;
use crate::params::{self, Params};
use crate::tensor::Zero;

/// Hyperparameters of [`Adam`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamConfig {
    /// Step size `α` (PyTorch's `lr`).
    pub lr: f32,
    /// Decay rate `β₁` of the first-moment estimate.
    pub beta1: f32,
    /// Decay rate `β₂` of the second-moment estimate.
    pub beta2: f32,
    /// `ε`, added to `√v̂` in the denominator.
    pub eps: f32,
}

impl AdamConfig {
    /// Step size `lr` with the paper's (and PyTorch's) defaults `β₁ = 0.9`, `β₂ = 0.999`,
    /// `ε = 10⁻⁸`.
    pub const fn new(lr: f32) -> Self {
        Self {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }

    /// The DCGAN setting (Radford et al. 2015, arXiv:1511.06434, §4): `lr = 2·10⁻⁴`,
    /// `β₁ = 0.5` (0.9 "resulted in training oscillation and instability"), `β₂`, `ε` at
    /// their defaults. The usual choice for both G and D of a small GAN.
    pub const DCGAN: Self = Self {
        beta1: 0.5,
        ..Self::new(2e-4)
    };
}

/// Adam, exactly Algorithm 1 of Kingma & Ba (arXiv:1412.6980), which is also PyTorch's
/// `torch.optim.Adam` (no weight decay, no AMSGrad):
///
/// ```text
/// t ← t + 1
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// θ ← θ − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
/// ```
///
/// The bias corrections make the first step `lr·g/(|g| + ε)`, i.e. `lr·sign(g)` as
/// `ε → 0`. The division by `1 − β₁ᵗ` is folded into the step size and `√(1 − β₂ᵗ)` is
/// divided out of `√v` before `ε` is added, as PyTorch does (not the paper's "efficient"
/// variant with `ε̂`, which moves `ε` inside the correction).
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<P> {
    /// Hyperparameters.
    pub config: AdamConfig,
    /// First-moment estimate `m` (biased).
    pub m: P,
    /// Second raw-moment estimate `v` (biased).
    pub v: P,
    /// Number of steps taken.
    pub t: u32,
}

impl<P: Zero> Adam<P> {
    /// An optimiser with zero moments at step 0; `const`, so it can initialise a `static`.
    pub const fn new(config: AdamConfig) -> Self {
        Self {
            config,
            m: P::ZERO,
            v: P::ZERO,
            t: 0,
        }
    }
}

impl<P: Zero> Zero for Adam<P> {
    /// Zero moments at step 0, with [`AdamConfig::new`]`(1e-3)` (PyTorch's defaults).
    const ZERO: Self = Self::new(AdamConfig::new(1e-3));
}

impl<P: Params> Optimizer<P> for Adam<P> {
    fn step(&mut self, params: &mut P, grads: &P) {
        step(
            self.config,
            &mut self.t,
            &mut self.m,
            &mut self.v,
            params,
            grads,
        );
    }

    fn reset(&mut self) {
        params::zero(&mut self.m);
        params::zero(&mut self.v);
        self.t = 0;
    }

    fn set_lr(&mut self, lr: f32) {
        self.config.lr = lr;
    }
}

/// One Adam step of `params` from `grads` with moments `m`, `v` after `t` steps (counts
/// this one): the bias corrections of step `t + 1`, then [`update`] on every tensor.
pub(super) fn step<P: Params>(
    c: AdamConfig,
    t: &mut u32,
    m: &mut P,
    v: &mut P,
    params: &mut P,
    grads: &P,
) {
    *t = t.saturating_add(1);
    let tf = *t as f32;
    let step_size = c.lr / (1.0 - libm::powf(c.beta1, tf));
    let sqrt_bc2 = crate::math::sqrt(1.0 - libm::powf(c.beta2, tf));
    for i in 0..P::TENSORS {
        update(
            params.tensor_mut(i),
            grads.tensor(i),
            m.tensor_mut(i),
            v.tensor_mut(i),
            c,
            step_size,
            sqrt_bc2,
        );
    }
}

/// The Adam update on one tensor, given this step's `step_size = lr / (1 − β₁ᵗ)` and
/// `sqrt_bc2 = √(1 − β₂ᵗ)`: moments updated, then `θ ← θ − step_size·m/(√v/sqrt_bc2 + ε)`.
pub fn update(
    theta: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    c: AdamConfig,
    step_size: f32,
    sqrt_bc2: f32,
) {
    debug_assert!(theta.len() == g.len() && g.len() == m.len() && m.len() == v.len());
    for (((t, g), m), v) in theta.iter_mut().zip(g).zip(m).zip(v) {
        *m = c.beta1 * *m + (1.0 - c.beta1) * g;
        *v = c.beta2 * *v + (1.0 - c.beta2) * (g * g);
        *t -= step_size * *m / (crate::math::sqrt(*v) / sqrt_bc2 + c.eps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Dense;
    use crate::optim::tests::check_steps;

    #[test]
    fn three_steps_by_hand() {
        // lr 0.1, β₁ 0.9, β₂ 0.999, ε 1e-8 from θ = (0.5, −0.3, 0.1) with the gradients
        // GRADS. Step 1 is lr·g/(|g| + ε): (0.4, −0.2, ~0). Step 2, w₀₀: m = 0.9·0.02 −
        // 0.01 = 0.008, v = 0.999·4e-5 + 0.001·0.01 = 4.996e-5, m̂ = 0.008/0.19 =
        // 0.0421053, v̂ = 4.996e-5/0.001999 = 0.0249925, θ = 0.4 − 0.1·0.0421053/0.158090
        // = 0.3733663. All values were recomputed independently in f64 with python3
        // (Algorithm 1 of the paper written out directly).
        let mut opt = Adam::new(AdamConfig::new(0.1));
        let want = [
            [0.400000005, -0.2000000025, 0.000000001],
            [0.3733663027, -0.1000359011, -0.0932179617],
            [0.3098342873, -0.0227633614, -0.0725822591],
        ];
        check_steps(&mut opt, want);
        assert_eq!(opt.t, 3);
        opt.reset();
        assert_eq!((opt.t, &opt.m, &opt.v), (0, &Zero::ZERO, &Zero::ZERO));
    }

    crate::network! {
        /// Two layers, to step a whole network at once.
        struct Net, acts NetActs {
            a: Dense<3, 4>,
            b: Dense<4, 2>,
        }
    }

    #[test]
    fn first_step_is_lr_times_sign_of_the_gradient() {
        // At t = 1, m̂ = g and v̂ = g², so with ε = 0 every parameter moves by exactly
        // lr·sign(g), whatever the magnitude of g (up to rounding of the corrections).
        let mut opt = Adam::<Net>::new(AdamConfig {
            eps: 0.0,
            ..AdamConfig::DCGAN
        });
        let mut net = Net::ZERO;
        let mut grads = Net::ZERO;
        crate::gradcheck::randomize(&mut grads, 4);
        grads.a.w[0][0] = 1e-6;
        grads.b.b[1] = -3e4;
        opt.step(&mut net, &grads);
        for i in 0..Net::TENSORS {
            for (p, g) in net.tensor(i).iter().zip(grads.tensor(i)) {
                let want = -2e-4 * g.signum();
                assert!((p - want).abs() <= 2e-4 * 1e-6, "{p} vs {want} for g = {g}");
            }
        }
    }

    #[test]
    fn state_can_be_a_static() {
        static OPT: Adam<Dense<2, 1>> = Adam::new(AdamConfig::DCGAN);
        assert_eq!(OPT.config.lr, 2e-4);
        assert_eq!(OPT.config.beta1, 0.5);
        assert_eq!(OPT.m, Dense::ZERO);
    }
}
