//! An optimiser chosen at run time (from a training config) rather than by type.

use super::{AdamConfig, Optimizer, RmsPropConfig, SgdConfig, adam, rmsprop, sgd};
use crate::params::{self, Params};
use crate::tensor::Zero;

/// One of the optimisers, chosen at run time by its [`OptimizerConfig`]. The state is two
/// values of `P` whatever the choice (Adam's `m` and `v`; SGD's velocity and RMSProp's
/// mean square use the first), so switching optimiser happens in place
/// ([`AnyOptimizer::configure`]) and the whole value can be built in place from
/// [`Zero::ZERO`].
#[derive(Clone, Debug, PartialEq)]
pub struct AnyOptimizer<P> {
    config: OptimizerConfig,
    /// Adam's `m`, SGD's velocity, RMSProp's mean square.
    first: P,
    /// Adam's `v` (unused by SGD and RMSProp).
    second: P,
    /// Adam's step count.
    t: u32,
}

/// Hyperparameters of an [`AnyOptimizer`], which also say which one it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OptimizerConfig {
    /// SGD with momentum.
    Sgd(SgdConfig),
    /// Adam.
    Adam(AdamConfig),
    /// RMSProp.
    RmsProp(RmsPropConfig),
}

impl OptimizerConfig {
    /// The same optimiser with learning rate `lr`.
    pub fn with_lr(self, lr: f32) -> Self {
        match self {
            Self::Sgd(c) => Self::Sgd(SgdConfig { lr, ..c }),
            Self::Adam(c) => Self::Adam(AdamConfig { lr, ..c }),
            Self::RmsProp(c) => Self::RmsProp(RmsPropConfig { lr, ..c }),
        }
    }
}

impl<P: Zero> AnyOptimizer<P> {
    /// Fresh state (zero) for the optimiser `config` names.
    pub const fn new(config: OptimizerConfig) -> Self {
        Self {
            config,
            first: P::ZERO,
            second: P::ZERO,
            t: 0,
        }
    }
}

impl<P: Params> AnyOptimizer<P> {
    /// Switches to the optimiser `config` names, in place, with zero state.
    pub fn configure(&mut self, config: OptimizerConfig) {
        self.config = config;
        self.reset();
    }

    /// The current hyperparameters.
    pub fn config(&self) -> OptimizerConfig {
        self.config
    }
}

impl<P: Zero> Zero for AnyOptimizer<P> {
    /// SGD at rate 0 with zero state: every byte is zero (a `static` of it needs no
    /// initialiser data); [`AnyOptimizer::configure`] chooses the real optimiser.
    const ZERO: Self = Self::new(OptimizerConfig::Sgd(SgdConfig {
        lr: 0.0,
        momentum: 0.0,
        weight_decay: 0.0,
    }));
}

impl<P: Params> Optimizer<P> for AnyOptimizer<P> {
    fn step(&mut self, params: &mut P, grads: &P) {
        let (first, second) = (&mut self.first, &mut self.second);
        match self.config {
            OptimizerConfig::Sgd(c) => sgd::step(c, first, params, grads),
            OptimizerConfig::Adam(c) => adam::step(c, &mut self.t, first, second, params, grads),
            OptimizerConfig::RmsProp(c) => rmsprop::step(c, first, params, grads),
        }
    }

    fn reset(&mut self) {
        params::zero(&mut self.first);
        params::zero(&mut self.second);
        self.t = 0;
    }

    fn set_lr(&mut self, lr: f32) {
        self.config = self.config.with_lr(lr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Dense;
    use crate::optim::{Adam, RmsProp, Sgd};

    #[test]
    fn dispatches_to_the_chosen_optimiser() {
        let grads = Dense::<1, 1> {
            w: [[0.5]],
            b: [-2.0],
        };
        let configs = [
            OptimizerConfig::Sgd(SgdConfig::new(0.1)),
            OptimizerConfig::Adam(AdamConfig::DCGAN),
            OptimizerConfig::RmsProp(RmsPropConfig::new(0.01)),
        ];
        for config in configs {
            let mut any = AnyOptimizer::<Dense<1, 1>>::new(config);
            let (mut a, mut b) = (Dense::<1, 1>::ZERO, Dense::<1, 1>::ZERO);
            any.step(&mut a, &grads);
            match config {
                OptimizerConfig::Sgd(c) => Sgd::new(c).step(&mut b, &grads),
                OptimizerConfig::Adam(c) => Adam::new(c).step(&mut b, &grads),
                OptimizerConfig::RmsProp(c) => RmsProp::new(c).step(&mut b, &grads),
            }
            assert_eq!(a, b);
            assert_ne!(a, Dense::ZERO);
        }
    }

    /// `configure` switches optimiser in place and zeroes the state: Adam's second step
    /// differs from its first (bias correction with `t = 2`), but after switching to SGD
    /// and back to Adam the next step is a first step again; `set_lr` changes the rate
    /// only (SGD at 0.1 then 0.2: θ moves by 0.1·g, then 0.2·g).
    #[test]
    fn configure_and_set_lr_act_in_place() {
        let grads = Dense::<1, 1> {
            w: [[0.5]],
            b: [-2.0],
        };
        let mut any = AnyOptimizer::<Dense<1, 1>>::ZERO;
        any.configure(OptimizerConfig::Adam(AdamConfig::DCGAN));
        let mut p = Dense::<1, 1>::ZERO;
        any.step(&mut p, &grads);
        let first = p.w[0][0];
        any.configure(OptimizerConfig::Sgd(SgdConfig::new(0.1)));
        any.configure(OptimizerConfig::Adam(AdamConfig::DCGAN));
        let mut q = Dense::<1, 1>::ZERO;
        any.step(&mut q, &grads);
        assert_eq!(q.w[0][0], first, "a fresh first step after configure");

        any.configure(OptimizerConfig::Sgd(SgdConfig::new(0.1)));
        let mut r = Dense::<1, 1>::ZERO;
        any.step(&mut r, &grads);
        assert_eq!(r.w[0][0], -0.05);
        any.set_lr(0.2);
        any.step(&mut r, &grads);
        assert!((r.w[0][0] - (-0.05 - 0.1)).abs() < 1e-7, "{}", r.w[0][0]);
        assert_eq!(any.config(), OptimizerConfig::Sgd(SgdConfig::new(0.2)));
    }
}
