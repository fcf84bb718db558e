//! 1-D convolution, for sensor time series.

use super::weight_bias::weight_bias_params;
use super::{Layer, TrainLayer};
use crate::kernels::conv::{self as k, ConvShape};
use crate::params::Params;
use crate::tensor::{Zero, flat, flat_mut};

/// 1-D convolution as PyTorch's `Conv1d` (cross-correlation, dilation 1, one group):
///
/// `y[co][o] = b[co] + Σ_ci Σ_j w[co][ci][j] · x[ci][o·S + j − P]`,
///
/// with `x` zero outside `0..L` (zero padding `P`), kernel size `K`, stride `S`. It runs
/// on the 2-D kernel with one row.
///
/// Shapes: `x: [B][CIN][L]`, `y: [B][COUT][OL]` with `OL = (L + 2P − K)/S + 1` (checked at
/// compile time wherever the layer is used), `w: [COUT][CIN][K]` (PyTorch's layout),
/// `b: [COUT]`.
///
/// ```
/// use tinygan_core::layers::Conv1d;
/// use tinygan_core::{Layer, Zero};
/// // 3 sensor channels, 32 steps, kernel 5, stride 2, padding 2: (32 + 4 − 5)/2 + 1 = 16.
/// let c = Conv1d::<3, 8, 32, 5, 2, 2, 16>::ZERO;
/// let mut y = [[[0.0; 16]; 8]; 1];
/// c.forward(&[[[1.0; 32]; 3]; 1], &mut y);
/// ```
///
/// ```compile_fail,E0080
/// use tinygan_core::layers::Conv1d;
/// use tinygan_core::Zero;
/// let c = Conv1d::<3, 8, 32, 5, 2, 2, 15>::ZERO;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Conv1d<
    const CIN: usize,
    const COUT: usize,
    const L: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> {
    /// Kernel, `[COUT][CIN][K]`.
    pub w: [[[f32; K]; CIN]; COUT],
    /// Bias, `[COUT]`.
    pub b: [f32; COUT],
}

impl<
    const CIN: usize,
    const COUT: usize,
    const L: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> Conv1d<CIN, COUT, L, K, S, P, OL>
{
    /// The kernel geometry (one row). Evaluating it checks the output size at compile time.
    pub const SHAPE: ConvShape = {
        let s = ConvShape {
            cin: CIN,
            cout: COUT,
            h: 1,
            w: L,
            oh: 1,
            ow: OL,
            kh: 1,
            kw: K,
            sh: 1,
            sw: S,
            ph: 0,
            pw: P,
        };
        assert!(
            s.is_consistent(),
            "Conv1d needs S > 0, K > 0 and OL == (L + 2P - K)/S + 1"
        );
        s
    };
}

impl<
    const CIN: usize,
    const COUT: usize,
    const L: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> Layer for Conv1d<CIN, COUT, L, K, S, P, OL>
{
    type In = [[f32; L]; CIN];
    type Out = [[f32; OL]; COUT];
    const MACS: usize = COUT * OL * CIN * K;

    fn forward<const B: usize>(&self, x: &[Self::In; B], y: &mut [Self::Out; B]) {
        k::forward(&Self::SHAPE, flat(&self.w), &self.b, flat(x), flat_mut(y));
    }
}

impl<
    const CIN: usize,
    const COUT: usize,
    const L: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> Zero for Conv1d<CIN, COUT, L, K, S, P, OL>
{
    const ZERO: Self = {
        let _: ConvShape = Self::SHAPE;
        Self {
            w: Zero::ZERO,
            b: [0.0; COUT],
        }
    };
}

impl<
    const CIN: usize,
    const COUT: usize,
    const L: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> Conv1d<CIN, COUT, L, K, S, P, OL>
{
    /// The layer with its kernel the model's tensor `tensor` and its bias tensor
    /// `tensor + 1`, decoded at compile time (see [`Embedded`](crate::model::Embedded)).
    pub const fn from_model(m: &crate::model::Embedded<'_>, tensor: usize, _buffer: usize) -> Self {
        let mut s = <Self as Zero>::ZERO;
        m.fill(
            crate::model::Role::Param,
            tensor,
            s.w.as_flattened_mut().as_flattened_mut(),
        );
        m.fill(crate::model::Role::Param, tensor + 1, &mut s.b);
        s
    }
}

impl<
    const CIN: usize,
    const COUT: usize,
    const L: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> TrainLayer for Conv1d<CIN, COUT, L, K, S, P, OL>
{
    fn backward<const B: usize>(
        &self,
        x: &[Self::In; B],
        _y: &[Self::Out; B],
        dy: &[Self::Out; B],
        dx: &mut [Self::In; B],
        grads: &mut Self,
    ) {
        let (w, dw) = (flat(&self.w), flat_mut(&mut grads.w));
        let (x, dy, dx) = (flat(x), flat(dy), flat_mut(dx));
        k::backward(&Self::SHAPE, w, x, dy, dx, dw, &mut grads.b);
    }

    fn backward_params<const B: usize>(
        &self,
        x: &[Self::In; B],
        _y: &[Self::Out; B],
        dy: &[Self::Out; B],
        grads: &mut Self,
    ) {
        let dw = flat_mut(&mut grads.w);
        k::params_grad(&Self::SHAPE, flat(x), flat(dy), dw, &mut grads.b);
    }
}

impl<
    const CIN: usize,
    const COUT: usize,
    const L: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> Params for Conv1d<CIN, COUT, L, K, S, P, OL>
{
    weight_bias_params!("Conv1d", fan_in: CIN * K, fan_out: COUT * K);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{check_layer, randomize};
    use crate::roundtrip::decodes_like_load_into;

    /// `COUT·OL·CIN·K` multiply-adds per sample: 8 outputs × 16 positions × 3 × 5 taps.
    #[test]
    fn macs_by_hand() {
        assert_eq!(Conv1d::<3, 8, 32, 5, 2, 2, 16>::MACS, 1920);
    }

    /// Kernel from tensor 0 and bias from tensor 1 of the layer's own file.
    #[test]
    fn decodes_like_load_into_by_from_model() {
        decodes_like_load_into(|m| Conv1d::<2, 3, 7, 3, 2, 1, 4>::from_model(m, 0, 0));
    }

    #[test]
    fn strided_difference_filter_by_hand() {
        // y[o] = x[2o − 1] − x[2o + 1], zero outside 0..5.
        let c = Conv1d::<1, 1, 5, 3, 2, 1, 3> {
            w: [[[1.0, 0.0, -1.0]]],
            b: [0.25],
        };
        let mut y = [[[0.0; 3]]];
        c.forward(&[[[1.0, 2.0, 3.0, 4.0, 5.0]]], &mut y);
        assert_eq!(y, [[[-2.0 + 0.25, -2.0 + 0.25, 4.0 + 0.25]]]);
    }

    #[test]
    fn weight_layout_is_cout_cin_k() {
        let c = Conv1d::<2, 2, 2, 2, 1, 0, 1> {
            w: [[[1.0, 2.0], [3.0, 4.0]], [[0.0, 1.0], [-1.0, 0.0]]],
            b: [0.0, 0.0],
        };
        let mut y = [[[0.0]; 2]];
        c.forward(&[[[1.0, 10.0], [100.0, 1000.0]]], &mut y);
        assert_eq!(y, [[[21.0 + 4300.0], [10.0 - 100.0]]]);
    }

    #[test]
    fn gradients_match_finite_differences() {
        let mut c = Conv1d::<2, 3, 7, 3, 2, 1, 4>::ZERO;
        randomize(&mut c, 1);
        check_layer::<_, 2>(&mut c, 2);
        let mut c = Conv1d::<3, 2, 6, 4, 1, 2, 7>::ZERO;
        randomize(&mut c, 3);
        check_layer::<_, 2>(&mut c, 4);
    }
}
