//! Layers: typed shells over the slice kernels in [`crate::kernels`].
//!
//! Every layer implements [`Layer`] (inference, infallible, writes into a caller buffer)
//! and [`TrainLayer`] (training forward and backward). Conventions:
//! - batch-first: a batch of `B` samples is `[Self::In; B]`;
//! - gradients accumulate (`grads.w += ...`), `dx` is overwritten;
//! - the gradient of a layer has the layer's own type.

/// Implements [`Zero`] and an empty [`Params`] for a parameterless unit struct whose shape
/// rule is the associated `const CHECK: ()`: evaluating `ZERO` evaluates the check, so a
/// wrong shape fails the build.
macro_rules! shape_only_layer {
    ($t:ty, $($g:tt)*) => {
        impl<$($g)*> $crate::tensor::Zero for $t {
            const ZERO: Self = {
                let () = Self::CHECK;
                Self
            };
        }
        $crate::no_params!($t, $($g)*);
    };
}

mod activation;
mod batch_norm;
mod conv1d;
mod conv2d;
mod conv_impls;
mod conv_transpose2d;
mod dense;
mod fingerprints;
mod flatten;
mod minibatch_discrimination;
mod pack;
mod pixel_shuffle;
mod view;
mod virtual_batch_norm;
mod weight_bias;

pub use activation::{LeakyRelu, Relu, Sigmoid, Tanh};
pub use batch_norm::{BN_EPS, BN_MOMENTUM, BatchNorm, BatchNorm1d, BatchNorm2d};
pub use conv_transpose2d::ConvTranspose2d;
pub use conv1d::Conv1d;
pub use conv2d::Conv2d;
pub use dense::Dense;
pub use flatten::{Flatten, Unflatten};
pub use minibatch_discrimination::MinibatchDiscrimination;
pub use pack::Pack;
pub use pixel_shuffle::{PixelShuffle, PixelUnshuffle};
pub use view::{LayerView, View};
pub use virtual_batch_norm::{VirtualBatchNorm, VirtualBatchNorm1d, VirtualBatchNorm2d};

use crate::params::Params;
use crate::tensor::{Tensor, Zero};

/// Inference: a pure function of the input batch and the layer's parameters.
pub trait Layer {
    /// One input sample.
    type In: Tensor;
    /// One output sample.
    type Out: Tensor;
    /// Multiply-accumulates of one sample's forward pass, nominal: every weight use of a
    /// dense or convolution layer (padded positions of a convolution included); 0 for
    /// element-wise and reshaping layers.
    const MACS: usize = 0;
    /// `y = f(x)` for a batch, in inference mode (running statistics, no updates).
    fn forward<const B: usize>(&self, x: &[Self::In; B], y: &mut [Self::Out; B]);
}

/// Training: forward in training mode and backward.
///
/// [`Zero::ZERO`] is the all-zero layer: gradients and optimiser state start there.
pub trait TrainLayer: Layer + Params + Zero + Sized {
    /// `y = f(x)` in training mode: batch statistics are used and running statistics
    /// updated. Defaults to [`Layer::forward`] for layers without such state.
    fn forward_train<const B: usize>(&mut self, x: &[Self::In; B], y: &mut [Self::Out; B]) {
        self.forward(x, y);
    }

    /// Backward pass of the training forward that produced `y` from `x`.
    ///
    /// Writes `dx = (∂y/∂x)ᵀ dy` (overwritten) and adds `(∂y/∂θ)ᵀ dy` to `grads`.
    fn backward<const B: usize>(
        &self,
        x: &[Self::In; B],
        y: &[Self::Out; B],
        dy: &[Self::Out; B],
        dx: &mut [Self::In; B],
        grads: &mut Self,
    );

    /// Backward for the parameters only: adds the same gradients to `grads` as
    /// [`TrainLayer::backward`] when the input gradient is not wanted (the first layer of
    /// D in a D update, whose input is data). Layers that can skip their input gradient
    /// do; the default computes it into a scratch batch on the stack.
    fn backward_params<const B: usize>(
        &self,
        x: &[Self::In; B],
        y: &[Self::Out; B],
        dy: &[Self::Out; B],
        grads: &mut Self,
    ) {
        let mut dx = [<Self::In as Zero>::ZERO; B];
        self.backward(x, y, dy, &mut dx, grads);
    }

    /// Backward for the input only: writes the same `dx` as [`TrainLayer::backward`] when
    /// the parameter gradients are not wanted (D's layers in a G update). Layers that can
    /// skip their parameter gradients do; the others add them to `scratch`, whose contents
    /// are unspecified afterwards.
    fn backward_input<const B: usize>(
        &self,
        x: &[Self::In; B],
        y: &[Self::Out; B],
        dy: &[Self::Out; B],
        dx: &mut [Self::In; B],
        scratch: &mut Self,
    ) {
        self.backward(x, y, dy, dx, scratch);
    }
}
