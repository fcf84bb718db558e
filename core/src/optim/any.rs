//! An optimiser chosen at run time (from a training config) rather than by type.

use super::{Adam, AdamConfig, Optimizer, RmsProp, RmsPropConfig, Sgd, SgdConfig};
use crate::params::Params;
use crate::tensor::Zero;

/// One of the optimisers, chosen at run time. Its size is that of the largest (Adam: two
/// copies of `P`), whichever is chosen.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyOptimizer<P> {
    /// SGD with momentum.
    Sgd(Sgd<P>),
    /// Adam.
    Adam(Adam<P>),
    /// RMSProp.
    RmsProp(RmsProp<P>),
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

impl<P: Zero> AnyOptimizer<P> {
    /// Fresh state (zero) for the optimiser `config` names.
    pub const fn new(config: OptimizerConfig) -> Self {
        match config {
            OptimizerConfig::Sgd(c) => Self::Sgd(Sgd::new(c)),
            OptimizerConfig::Adam(c) => Self::Adam(Adam::new(c)),
            OptimizerConfig::RmsProp(c) => Self::RmsProp(RmsProp::new(c)),
        }
    }
}

impl<P: Zero> Zero for AnyOptimizer<P> {
    /// Adam with PyTorch's defaults.
    const ZERO: Self = Self::new(OptimizerConfig::Adam(AdamConfig::new(1e-3)));
}

impl<P: Params> Optimizer<P> for AnyOptimizer<P> {
    fn step(&mut self, params: &mut P, grads: &P) {
        match self {
            Self::Sgd(o) => o.step(params, grads),
            Self::Adam(o) => o.step(params, grads),
            Self::RmsProp(o) => o.step(params, grads),
        }
    }

    fn reset(&mut self) {
        match self {
            Self::Sgd(o) => o.reset(),
            Self::Adam(o) => o.reset(),
            Self::RmsProp(o) => o.reset(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Dense;

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
}
