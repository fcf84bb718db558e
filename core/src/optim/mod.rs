//! Optimisers whose state is a value of the model's own type, and gradient clipping.
//!
//! An optimiser for a model `P` (a layer or a whole [`network!`](crate::network)) holds a
//! small `Copy` config and state of type `P` (Adam's `m` and `v`, SGD's velocity), so the
//! state can be a `static` initialised from a `const`:
//!
//! ```
//! use tinygan_core::layers::Dense;
//! use tinygan_core::optim::{Adam, AdamConfig, Optimizer};
//! static OPT: Adam<Dense<4, 2>> = Adam::new(AdamConfig::DCGAN);
//! let mut opt = OPT.clone(); // on a device: hand the static out once at boot
//! let mut layer = Dense::<4, 2> { w: [[1.0; 4]; 2], b: [0.0; 2] };
//! let grads = Dense::<4, 2> { w: [[0.5; 4]; 2], b: [-1.0; 2] };
//! opt.step(&mut layer, &grads);
//! assert!((layer.w[0][0] - (1.0 - 2e-4)).abs() < 1e-6);
//! ```
//!
//! On the host, where a large model lives in a `Box`, build the state in place from
//! [`Zero::ZERO`](crate::Zero) (every optimiser implements it: zero state, PyTorch default
//! hyperparameters) and then set the public `config` field; [`Optimizer::reset`] zeroes
//! the state again without moving it.
//!
//! Each update rule is one loop over flat slices (`update` in each module), applied tensor
//! by tensor through [`Params`]; parameters, gradients and state share tensor indices.

mod adam;
mod any;
mod clip;
mod rmsprop;
mod sgd;

pub use adam::{Adam, AdamConfig};
pub use any::{AnyOptimizer, OptimizerConfig};
pub use clip::{clip_norm, clip_value, l2_norm};
pub use rmsprop::{RmsProp, RmsPropConfig};
pub use sgd::{Sgd, SgdConfig};

use crate::params::Params;

/// A first-order optimiser for the parameters of a `P`.
pub trait Optimizer<P: Params> {
    /// One update of `params` from `grads` (the gradient of the loss, same type).
    fn step(&mut self, params: &mut P, grads: &P);
    /// Zeroes the state in place (step count too); the config is kept.
    fn reset(&mut self);
    /// Sets the learning rate of the next updates (a schedule calls it before each
    /// iteration); the state and the other hyperparameters are kept.
    fn set_lr(&mut self, lr: f32);
}

/// Calls `f(param, grad, state)` on every trainable tensor, for optimisers with one state
/// tensor per parameter tensor.
fn each_tensor<P: Params>(
    params: &mut P,
    grads: &P,
    state: &mut P,
    mut f: impl FnMut(&mut [f32], &[f32], &mut [f32]),
) {
    for i in 0..P::TENSORS {
        f(params.tensor_mut(i), grads.tensor(i), state.tensor_mut(i));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::Optimizer;
    use crate::layers::Dense;
    use crate::params::Params;

    /// The layer all optimiser tests start from: `θ = (w₀₀, w₀₁, b₀) = (0.5, −0.3, 0.1)`.
    pub const THETA0: Dense<2, 1> = Dense {
        w: [[0.5, -0.3]],
        b: [0.1],
    };

    /// Gradients of the three test steps, in `(w₀₀, w₀₁, b₀)` order.
    pub const GRADS: [[f32; 3]; 3] = [[0.2, -0.4, 1.0], [-0.1, -0.5, 0.5], [0.3, 0.0, -2.0]];

    /// A `Dense<2, 1>` from `(w₀₀, w₀₁, b₀)`.
    pub fn dense(v: [f32; 3]) -> Dense<2, 1> {
        Dense {
            w: [[v[0], v[1]]],
            b: [v[2]],
        }
    }

    /// Asserts that every parameter of `p` is within `tol` of `want` (given in f64).
    pub fn assert_params(p: &Dense<2, 1>, want: [f64; 3], tol: f64, what: &str) {
        let got = [p.tensor(0)[0], p.tensor(0)[1], p.tensor(1)[0]];
        for (j, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                (*g as f64 - w).abs() <= tol,
                "{what}: θ[{j}] = {g}, expected {w}"
            );
        }
    }

    /// Steps `opt` from [`THETA0`] with the three [`GRADS`] and checks θ after each step
    /// against `want` (hand-computed in f64) to within 10⁻⁶.
    pub fn check_steps(opt: &mut impl Optimizer<Dense<2, 1>>, want: [[f64; 3]; 3]) {
        let mut p = THETA0;
        for (k, (g, w)) in GRADS.iter().zip(want).enumerate() {
            opt.step(&mut p, &dense(*g));
            assert_params(&p, w, 1e-6, &std::format!("step {}", k + 1));
        }
    }
}
