//! 2-D convolution.

use super::conv_impls::conv_impls;
use crate::kernels::conv::{self as k, ConvShape};

/// 2-D convolution as PyTorch's `Conv2d` (cross-correlation, dilation 1, one group):
///
/// `y[co][oy][ox] = b[co] + Σ_ci Σ_i Σ_j w[co][ci][i][j] · x[ci][oy·S + i − P][ox·S + j − P]`,
///
/// with `x` zero outside `0..H × 0..W` (zero padding `P`). Kernel `K × K`, stride `S`;
/// a stride of 2 is how a discriminator downsamples (no pooling).
///
/// Shapes: `x: [B][CIN][H][W]`, `y: [B][COUT][OH][OW]`, `w: [COUT][CIN][K][K]` (PyTorch's
/// layout), `b: [COUT]`. FLOPs per sample about `2·COUT·OH·OW·CIN·K²` forward, twice
/// that backward.
///
/// `OH` and `OW` must equal `(H + 2P − K)/S + 1` and `(W + 2P − K)/S + 1`; this is
/// checked at compile time wherever the layer is used (its [`Zero::ZERO`](crate::tensor::Zero::ZERO) or `forward`):
///
/// ```
/// use tinygan_core::layers::Conv2d;
/// use tinygan_core::{Layer, Zero};
/// // 8×8 -> 4×4: (8 + 2·1 − 4)/2 + 1 = 4.
/// let c = Conv2d::<1, 2, 8, 8, 4, 2, 1, 4, 4>::ZERO;
/// let mut y = [[[[0.0; 4]; 4]; 2]; 1];
/// c.forward(&[[[[1.0; 8]; 8]; 1]; 1], &mut y);
/// ```
///
/// A wrong output size does not build:
///
/// ```compile_fail,E0080
/// use tinygan_core::layers::Conv2d;
/// use tinygan_core::Zero;
/// let c = Conv2d::<1, 2, 8, 8, 4, 2, 1, 5, 4>::ZERO;
/// ```
///
/// ```compile_fail,E0080
/// use tinygan_core::layers::Conv2d;
/// use tinygan_core::Layer;
/// let c = Conv2d::<1, 2, 8, 8, 4, 2, 1, 4, 3> {
///     w: [[[[0.0; 4]; 4]; 1]; 2],
///     b: [0.0; 2],
/// };
/// let mut y = [[[[0.0; 3]; 4]; 2]; 1];
/// c.forward(&[[[[1.0; 8]; 8]; 1]; 1], &mut y);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Conv2d<
    const CIN: usize,
    const COUT: usize,
    const H: usize,
    const W: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OH: usize,
    const OW: usize,
> {
    /// Kernel, `[COUT][CIN][K][K]`.
    pub w: [[[[f32; K]; K]; CIN]; COUT],
    /// Bias, `[COUT]`.
    pub b: [f32; COUT],
}

impl<
    const CIN: usize,
    const COUT: usize,
    const H: usize,
    const W: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const OH: usize,
    const OW: usize,
> Conv2d<CIN, COUT, H, W, K, S, P, OH, OW>
{
    /// The kernel geometry. Evaluating it checks the output size at compile time.
    pub const SHAPE: ConvShape = {
        let s = ConvShape {
            cin: CIN,
            cout: COUT,
            h: H,
            w: W,
            oh: OH,
            ow: OW,
            kh: K,
            kw: K,
            sh: S,
            sw: S,
            ph: P,
            pw: P,
        };
        assert!(
            s.is_consistent(),
            "Conv2d needs S > 0, K > 0, OH == (H + 2P - K)/S + 1 and OW == (W + 2P - K)/S + 1"
        );
        s
    };
}

conv_impls!(
    Conv2d,
    "Conv2d",
    forward: k::forward,
    backward_input: k::backward_input,
    params_grad: k::params_grad,
    fan_in: CIN * K * K,
    fan_out: COUT * K * K,
    macs: COUT * OH * OW * CIN * K * K,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{check_layer, randomize};
    use crate::layers::{Layer, TrainLayer};
    use crate::params::Params;
    use crate::tensor::Zero;

    /// `x[0] = 1..=9` as a 3×3 image.
    const NINE: [[[f32; 3]; 3]; 1] = [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]];

    #[test]
    fn box_filter_with_padding_by_hand() {
        let c = Conv2d::<1, 1, 3, 3, 3, 1, 1, 3, 3> {
            w: [[[[1.0; 3]; 3]]],
            b: [0.5],
        };
        let mut y = [[[[0.0; 3]; 3]]];
        c.forward(&[NINE], &mut y);
        // Each output is the sum of the 3×3 neighbourhood inside the image, plus 0.5.
        let sums = [[12.0, 21.0, 16.0], [27.0, 45.0, 33.0], [24.0, 39.0, 28.0]];
        assert_eq!(y[0][0], sums.map(|r| r.map(|v| v + 0.5)));
    }

    #[test]
    fn stride_two_keeps_every_other_output() {
        let c = Conv2d::<1, 1, 3, 3, 3, 2, 1, 2, 2> {
            w: [[[[1.0; 3]; 3]]],
            b: [0.0],
        };
        let mut y = [[[[0.0; 2]; 2]]];
        c.forward(&[NINE], &mut y);
        assert_eq!(y[0][0], [[12.0, 16.0], [24.0, 28.0]]);
    }

    #[test]
    fn weight_layout_is_cout_cin_k_k() {
        // A 2×2 kernel without padding on a 2×2 image: y[co] = Σ w[co][ci] ⊙ x[ci].
        let c = Conv2d::<2, 1, 2, 2, 2, 1, 0, 1, 1> {
            w: [[[[1.0, 2.0], [3.0, 4.0]], [[10.0, 0.0], [0.0, -1.0]]]],
            b: [0.0],
        };
        let x = [[[1.0, 1.0], [1.0, 1.0]], [[1.0, 2.0], [3.0, 4.0]]];
        let mut y = [[[[0.0]]]];
        c.forward(&[x], &mut y);
        assert_eq!(y[0][0][0][0], 10.0 + 10.0 - 4.0);
    }

    #[test]
    fn backward_by_hand() {
        // 1×1 kernel, two in and two out channels: per pixel a 2×2 matrix.
        let c = Conv2d::<2, 2, 1, 2, 1, 1, 0, 1, 2> {
            w: [[[[1.0]], [[2.0]]], [[[3.0]], [[-1.0]]]],
            b: [0.0, 0.0],
        };
        let x = [[[[1.0, 2.0]], [[3.0, 4.0]]]];
        let dy = [[[[1.0, 0.0]], [[0.0, 2.0]]]];
        let mut y = [[[[0.0; 2]]; 2]];
        c.forward(&x, &mut y);
        assert_eq!(y, [[[[7.0, 10.0]], [[0.0, 2.0]]]]);
        let mut dx = [[[[9.0; 2]]; 2]];
        let mut g = Conv2d::ZERO;
        g.b = [1.0, 1.0];
        c.backward(&x, &y, &dy, &mut dx, &mut g);
        // dx[ci][p] = Σ_co w[co][ci] dy[co][p]
        assert_eq!(dx, [[[[1.0, 6.0]], [[2.0, -2.0]]]]);
        // dw[co][ci] = Σ_p dy[co][p] x[ci][p]
        assert_eq!(g.w, [[[[1.0]], [[3.0]]], [[[4.0]], [[8.0]]]]);
        assert_eq!(g.b, [2.0, 3.0], "bias gradient accumulates");
    }

    #[test]
    fn gradients_match_finite_differences() {
        // Non-square input, stride 2, padding 1.
        let mut c = Conv2d::<2, 3, 5, 4, 3, 2, 1, 3, 2>::ZERO;
        randomize(&mut c, 1);
        check_layer::<_, 2>(&mut c, 2);
        // Stride 1, no padding, even kernel.
        let mut c = Conv2d::<3, 2, 4, 5, 2, 1, 0, 3, 4>::ZERO;
        randomize(&mut c, 3);
        check_layer::<_, 2>(&mut c, 4);
        // Padding larger than the kernel overlap: taps that only see padding.
        let mut c = Conv2d::<1, 2, 2, 3, 3, 1, 2, 4, 5>::ZERO;
        randomize(&mut c, 5);
        check_layer::<_, 3>(&mut c, 6);
    }

    #[test]
    fn tensor_kinds_follow_pytorch_fans() {
        let c = Conv2d::<3, 4, 8, 8, 3, 1, 1, 8, 8>::ZERO;
        assert_eq!(
            c.tensor_kind(0),
            crate::params::TensorKind::Weight {
                fan_in: 27,
                fan_out: 36
            }
        );
        assert_eq!(c.tensor(0).len(), 4 * 3 * 9);
        assert_eq!(c.tensor(1).len(), 4);
    }
}
