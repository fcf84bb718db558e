//! 2-D transposed convolution.

use super::conv_impls::conv_impls;
use crate::kernels::conv::{self as k, ConvShape};

/// 2-D transposed convolution as PyTorch's `ConvTranspose2d` (dilation 1, one group,
/// `output_padding` 0): every input pixel stamps the kernel, scaled, into the output at
/// stride `S`, and `P` rows and columns are cropped from each border:
///
/// `y[co][iy·S + i − P][ix·S + j − P] += w[ci][co][i][j] · x[ci][iy][ix]`, plus `b[co]`.
///
/// It is the adjoint (transpose) of [`Conv2d`](super::Conv2d)`<COUT, CIN, OH, OW, K, S, P,
/// H, W>` with the same weight array, and the usual way a generator upsamples
/// (`K = 4, S = 2, P = 1` doubles the size).
///
/// Shapes: `x: [B][CIN][H][W]`, `y: [B][COUT][OH][OW]` with `OH = (H − 1)·S − 2P + K`
/// and `OW = (W − 1)·S − 2P + K`, `w: [CIN][COUT][K][K]` (PyTorch's layout), `b: [COUT]`.
/// The output size is checked at compile time wherever the layer is used:
///
/// ```
/// use tinygan_core::layers::ConvTranspose2d;
/// use tinygan_core::{Layer, Zero};
/// // 4×4 -> 8×8: (4 − 1)·2 − 2 + 4 = 8.
/// let c = ConvTranspose2d::<2, 1, 4, 4, 4, 2, 1, 8, 8>::ZERO;
/// let mut y = [[[[0.0; 8]; 8]; 1]; 1];
/// c.forward(&[[[[1.0; 4]; 4]; 2]; 1], &mut y);
/// ```
///
/// ```compile_fail,E0080
/// use tinygan_core::layers::ConvTranspose2d;
/// use tinygan_core::Zero;
/// // (4 − 1)·2 − 2 + 4 is 8, not 7.
/// let c = ConvTranspose2d::<2, 1, 4, 4, 4, 2, 1, 7, 8>::ZERO;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ConvTranspose2d<
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
    /// Kernel, `[CIN][COUT][K][K]`.
    pub w: [[[[f32; K]; K]; COUT]; CIN],
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
> ConvTranspose2d<CIN, COUT, H, W, K, S, P, OH, OW>
{
    /// The geometry of the convolution this layer is the transpose of (`OH × OW` to
    /// `H × W`, `COUT` to `CIN` channels). Evaluating it checks the output size at compile
    /// time.
    pub const SHAPE: ConvShape = {
        let s = ConvShape {
            cin: COUT,
            cout: CIN,
            h: OH,
            w: OW,
            oh: H,
            ow: W,
            kh: K,
            kw: K,
            sh: S,
            sw: S,
            ph: P,
            pw: P,
        };
        assert!(
            H > 0
                && W > 0
                && OH + 2 * P == (H - 1) * S + K
                && OW + 2 * P == (W - 1) * S + K
                && s.is_consistent(),
            "ConvTranspose2d needs S > 0, K > 0, OH == (H - 1)S - 2P + K and OW == (W - 1)S - 2P + K"
        );
        s
    };
}

// Fans as PyTorch computes them from the weight's shape (`fan_in = COUT·K²`), so that
// initialisation matches PyTorch's defaults.
conv_impls!(
    ConvTranspose2d,
    "ConvTranspose2d",
    forward: k::transpose_forward,
    backward_input: k::transpose_backward_input,
    params_grad: k::transpose_params_grad,
    fan_in: COUT * K * K,
    fan_out: CIN * K * K,
    macs: CIN * H * W * COUT * K * K,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{check_layer, random_batch, randomize};
    use crate::layers::Conv2d;
    use crate::layers::Layer;
    use crate::params::Params;
    use crate::tensor::{Zero, flat};

    #[test]
    fn stride_equal_to_kernel_stamps_blocks_by_hand() {
        let c = ConvTranspose2d::<1, 1, 2, 2, 2, 2, 0, 4, 4> {
            w: [[[[1.0, 10.0], [100.0, 1000.0]]]],
            b: [0.5],
        };
        let mut y = [[[[0.0; 4]; 4]]];
        c.forward(&[[[[1.0, 2.0], [3.0, 4.0]]]], &mut y);
        let expected = [
            [1.0, 10.0, 2.0, 20.0],
            [100.0, 1000.0, 200.0, 2000.0],
            [3.0, 30.0, 4.0, 40.0],
            [300.0, 3000.0, 400.0, 4000.0],
        ];
        assert_eq!(y[0][0], expected.map(|r| r.map(|v| v + 0.5)));
    }

    #[test]
    fn overlapping_stamps_with_cropping_by_hand() {
        // One input row [1, 2], K = 3, S = 2, P = 1: OH = 1, OW = 3. Only kernel row 1
        // lands in the output row; input column ix writes to columns 2·ix − 1 + j.
        let c = ConvTranspose2d::<1, 1, 1, 2, 3, 2, 1, 1, 3> {
            w: [[[[7.0; 3], [1.0, 10.0, 100.0], [7.0; 3]]]],
            b: [0.0],
        };
        let mut y = [[[[0.0; 3]; 1]]];
        c.forward(&[[[[1.0, 2.0]]]], &mut y);
        assert_eq!(y[0][0][0], [10.0, 100.0 + 2.0, 20.0]);
    }

    #[test]
    fn weight_layout_is_cin_cout_k_k() {
        let c = ConvTranspose2d::<2, 3, 1, 1, 1, 1, 0, 1, 1> {
            w: [[[[1.0]], [[2.0]], [[3.0]]], [[[10.0]], [[20.0]], [[30.0]]]],
            b: [0.0, 0.0, 1.0],
        };
        let mut y = [[[[0.0]]; 3]];
        c.forward(&[[[[1.0]], [[-1.0]]]], &mut y);
        assert_eq!(y, [[[[-9.0]], [[-18.0]], [[-26.0]]]]);
    }

    #[test]
    fn is_the_adjoint_of_conv2d() {
        // <conv(u), v> == <u, convT(v)> with the same weights and no bias.
        let mut t = ConvTranspose2d::<2, 3, 3, 2, 3, 2, 1, 5, 3>::ZERO;
        randomize(&mut t, 7);
        t.b = [0.0; 3];
        let conv = Conv2d::<3, 2, 5, 3, 3, 2, 1, 3, 2> {
            w: t.w,
            b: [0.0; 2],
        };
        let u = random_batch::<[[[f32; 3]; 5]; 3], 2>(8);
        let v = random_batch::<[[[f32; 2]; 3]; 2], 2>(9);
        let (mut cu, mut tv) = ([[[[0.0; 2]; 3]; 2]; 2], [[[[0.0; 3]; 5]; 3]; 2]);
        conv.forward(&u, &mut cu);
        t.forward(&v, &mut tv);
        let dot = |a: &[f32], b: &[f32]| -> f64 {
            a.iter().zip(b).map(|(p, q)| *p as f64 * *q as f64).sum()
        };
        let lhs = dot(flat(&cu), flat(&v[..]));
        let rhs = dot(flat(&u[..]), flat(&tv));
        assert!(
            (lhs - rhs).abs() < 1e-4 * lhs.abs().max(1.0),
            "{lhs} vs {rhs}"
        );
    }

    #[test]
    fn gradients_match_finite_differences() {
        // Non-square, stride 2 with cropping.
        let mut c = ConvTranspose2d::<2, 3, 3, 2, 3, 2, 1, 5, 3>::ZERO;
        randomize(&mut c, 1);
        check_layer::<_, 2>(&mut c, 2);
        // The DCGAN doubling block.
        let mut c = ConvTranspose2d::<3, 2, 2, 3, 4, 2, 1, 4, 6>::ZERO;
        randomize(&mut c, 3);
        check_layer::<_, 2>(&mut c, 4);
    }

    #[test]
    fn tensor_kinds_follow_pytorch_fans() {
        let c = ConvTranspose2d::<3, 4, 2, 2, 4, 2, 1, 4, 4>::ZERO;
        assert_eq!(
            c.tensor_kind(0),
            crate::params::TensorKind::Weight {
                fan_in: 64,
                fan_out: 48
            }
        );
        assert_eq!(c.tensor(0).len(), 3 * 4 * 16);
        assert_eq!(c.tensor(1).len(), 4);
    }
}
