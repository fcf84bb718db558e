//! What a layer is, as data: its kind, shapes and parameter slices ([`LayerView`]).
//!
//! Code that transforms a whole network without knowing its type (the int8 quantiser, an
//! inspector) walks `Network::view(i)` for `i` in `0..LAYERS`: one `match` over the
//! kinds instead of one function per network.

use super::{
    BatchNorm, Conv1d, Conv2d, ConvTranspose2d, Dense, Flatten, LeakyRelu, MinibatchDiscrimination,
    Pack, PixelShuffle, PixelUnshuffle, Relu, Sigmoid, Tanh, Unflatten, VirtualBatchNorm,
};
use crate::kernels::conv::ConvShape;
use crate::tensor::{Tensor, flat};

/// A layer's kind, shapes and parameters, borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LayerView<'a> {
    /// `y = W x + b`, `w: [out][inp]`.
    Dense {
        /// Weights.
        w: &'a [f32],
        /// Bias.
        b: &'a [f32],
        /// Inputs.
        inp: usize,
        /// Outputs.
        out: usize,
    },
    /// 2-D (or, with `h = oh = kh = 1`, 1-D) convolution of geometry `shape`,
    /// `w: [cout][cin][kh][kw]`, `b: [cout]`; or, `transposed`, its adjoint, the
    /// transposed convolution from `[shape.cout][shape.oh][shape.ow]` to
    /// `[shape.cin][shape.h][shape.w]` with the same `w` and `b: [shape.cin]`.
    Conv {
        /// Geometry (of the convolution a transposed one is the adjoint of).
        shape: ConvShape,
        /// Whether this is the transposed convolution.
        transposed: bool,
        /// Weights.
        w: &'a [f32],
        /// Bias.
        b: &'a [f32],
    },
    /// Batch norm in inference mode, `y = γ (x − mean)/√(var + eps) + β` per channel, with
    /// the running statistics; or, with a `reference` batch size `R`, virtual batch norm
    /// against its recorded reference statistics (`mean`, biased `var`) plus the sample.
    BatchNorm {
        /// γ.
        gamma: &'a [f32],
        /// β.
        beta: &'a [f32],
        /// Running or reference mean.
        mean: &'a [f32],
        /// Running or reference variance.
        var: &'a [f32],
        /// Values per channel and sample.
        spatial: usize,
        /// `R` for virtual batch norm.
        reference: Option<usize>,
    },
    /// `max(x, 0)`.
    Relu,
    /// `x` above 0, `slope · x` below.
    LeakyRelu {
        /// Negative-side slope.
        slope: f32,
    },
    /// tanh.
    Tanh,
    /// Logistic sigmoid.
    Sigmoid,
    /// The same values in another shape (flatten, unflatten).
    Reshape,
    /// Depth to space, `[co·r²][h][w]` to `[co][h·r][w·r]`; or, `inverse`, space to depth
    /// back.
    PixelShuffle {
        /// Channels of the high-resolution side.
        co: usize,
        /// Height of the low-resolution side.
        h: usize,
        /// Width of the low-resolution side.
        w: usize,
        /// Factor.
        r: usize,
        /// Whether this is space to depth.
        inverse: bool,
    },
    /// A layer of another kind (named), for which no transform is defined.
    Other(&'static str),
}

/// A layer described as data.
pub trait View {
    /// This layer's [`LayerView`].
    fn view(&self) -> LayerView<'_>;
}

impl<const IN: usize, const OUT: usize> View for Dense<IN, OUT> {
    fn view(&self) -> LayerView<'_> {
        LayerView::Dense {
            w: flat(&self.w),
            b: &self.b,
            inp: IN,
            out: OUT,
        }
    }
}

/// Implements [`View`] for a convolution type from its `SHAPE`.
macro_rules! conv_view {
    ($transposed:literal, $ty:ident < $($p:ident),+ >) => {
        impl<$(const $p: usize),+> View for $ty<$($p),+> {
            fn view(&self) -> LayerView<'_> {
                let (w, b) = (flat(&self.w), &self.b[..]);
                LayerView::Conv { shape: Self::SHAPE, transposed: $transposed, w, b }
            }
        }
    };
}

conv_view!(false, Conv2d<CIN, COUT, H, W, K, S, P, OH, OW>);
conv_view!(false, Conv1d<CIN, COUT, L, K, S, P, OL>);
conv_view!(true, ConvTranspose2d<CIN, COUT, H, W, K, S, P, OH, OW>);

impl<X: Tensor, const C: usize> View for BatchNorm<X, C> {
    fn view(&self) -> LayerView<'_> {
        LayerView::BatchNorm {
            gamma: &self.gamma,
            beta: &self.beta,
            mean: &self.running_mean,
            var: &self.running_var,
            spatial: Self::SPATIAL,
            reference: None,
        }
    }
}

impl<X: Tensor, const C: usize, const R: usize> View for VirtualBatchNorm<X, C, R> {
    fn view(&self) -> LayerView<'_> {
        LayerView::BatchNorm {
            gamma: &self.gamma,
            beta: &self.beta,
            mean: &self.ref_mean,
            var: &self.ref_var,
            spatial: BatchNorm::<X, C>::SPATIAL,
            reference: Some(R),
        }
    }
}

/// Implements [`View`] for a layer whose view is a constant of its type.
macro_rules! fixed_view {
    ($view:expr, [$($g:tt)*] $ty:ty) => {
        impl<$($g)*> View for $ty {
            fn view(&self) -> LayerView<'_> {
                $view
            }
        }
    };
}

fixed_view!(LayerView::Relu, [T: Tensor] Relu<T>);
fixed_view!(LayerView::Tanh, [T: Tensor] Tanh<T>);
fixed_view!(LayerView::Sigmoid, [T: Tensor] Sigmoid<T>);
fixed_view!(
    LayerView::LeakyRelu { slope: Self::SLOPE },
    [T: Tensor, const SLOPE_PERMILLE: u32] LeakyRelu<T, SLOPE_PERMILLE>
);
fixed_view!(LayerView::Reshape, [const C: usize, const H: usize, const W: usize, const N: usize] Flatten<C, H, W, N>);
fixed_view!(LayerView::Reshape, [const C: usize, const H: usize, const W: usize, const N: usize] Unflatten<C, H, W, N>);
fixed_view!(
    LayerView::PixelShuffle { co: CO, h: H, w: W, r: R, inverse: false },
    [const C: usize, const H: usize, const W: usize, const R: usize, const CO: usize, const OH: usize, const OW: usize]
    PixelShuffle<C, H, W, R, CO, OH, OW>
);
fixed_view!(
    LayerView::PixelShuffle { co: C, h: OH, w: OW, r: R, inverse: true },
    [const C: usize, const H: usize, const W: usize, const R: usize, const CO: usize, const OH: usize, const OW: usize]
    PixelUnshuffle<C, H, W, R, CO, OH, OW>
);
fixed_view!(LayerView::Other("Pack"), [const IN: usize, const M: usize, const OUT: usize] Pack<IN, M, OUT>);
fixed_view!(
    LayerView::Other("MinibatchDiscrimination"),
    [const IN: usize, const K: usize, const D: usize, const OUT: usize] MinibatchDiscrimination<IN, K, D, OUT>
);
