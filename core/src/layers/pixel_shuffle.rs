//! Pixel shuffle and its inverse: sub-pixel upsampling and space-to-depth downsampling.

use super::{Layer, TrainLayer};
use crate::kernels::shuffle as k;
use crate::tensor::{flat, flat_mut};

/// Sub-pixel upsampling as PyTorch's `PixelShuffle(R)` (Shi et al. 2016, "Real-Time Single
/// Image and Video Super-Resolution Using an Efficient Sub-Pixel Convolutional Neural
/// Network", arXiv:1609.05158, §2.2): a convolution to `CO·R²` channels followed by this
/// layer upsamples by `R` without the checkerboard overlap of a transposed convolution.
///
/// `y[c][h·R + i][w·R + j] = x[c·R² + i·R + j][h][w]`.
///
/// Shapes: `x: [B][C][H][W]`, `y: [B][CO][OH][OW]` with `C = CO·R²`, `OH = H·R`,
/// `OW = W·R`, checked at compile time wherever the layer is used:
///
/// ```
/// use tinygan_core::layers::PixelShuffle;
/// use tinygan_core::{Layer, Zero};
/// let mut y = [[[[0.0; 8]; 8]; 2]; 1];
/// PixelShuffle::<8, 4, 4, 2, 2, 8, 8>::ZERO.forward(&[[[[1.0; 4]; 4]; 8]; 1], &mut y);
/// ```
///
/// ```compile_fail,E0080
/// use tinygan_core::layers::PixelShuffle;
/// use tinygan_core::Zero;
/// // 8 channels at R = 2 make 2 channels, not 4.
/// let s = PixelShuffle::<8, 4, 4, 2, 4, 8, 8>::ZERO;
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PixelShuffle<
    const C: usize,
    const H: usize,
    const W: usize,
    const R: usize,
    const CO: usize,
    const OH: usize,
    const OW: usize,
>;

/// Space-to-depth as PyTorch's `PixelUnshuffle(R)`, the inverse of [`PixelShuffle`]:
///
/// `y[c·R² + i·R + j][h][w] = x[c][h·R + i][w·R + j]`.
///
/// Shapes: `x: [B][C][H][W]`, `y: [B][CO][OH][OW]` with `CO = C·R²`, `H = OH·R`,
/// `W = OW·R`, checked at compile time wherever the layer is used.
///
/// ```compile_fail,E0080
/// use tinygan_core::layers::PixelUnshuffle;
/// use tinygan_core::Zero;
/// // 7 is not a multiple of R = 2.
/// let s = PixelUnshuffle::<1, 8, 7, 2, 4, 4, 3>::ZERO;
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PixelUnshuffle<
    const C: usize,
    const H: usize,
    const W: usize,
    const R: usize,
    const CO: usize,
    const OH: usize,
    const OW: usize,
>;

impl<
    const C: usize,
    const H: usize,
    const W: usize,
    const R: usize,
    const CO: usize,
    const OH: usize,
    const OW: usize,
> PixelShuffle<C, H, W, R, CO, OH, OW>
{
    /// Evaluating it checks the shapes at compile time.
    pub const CHECK: () = assert!(
        R > 0 && C == CO * R * R && OH == H * R && OW == W * R,
        "PixelShuffle needs R > 0, C == CO * R * R, OH == H * R and OW == W * R"
    );
}

impl<
    const C: usize,
    const H: usize,
    const W: usize,
    const R: usize,
    const CO: usize,
    const OH: usize,
    const OW: usize,
> PixelUnshuffle<C, H, W, R, CO, OH, OW>
{
    /// Evaluating it checks the shapes at compile time.
    pub const CHECK: () = assert!(
        R > 0 && CO == C * R * R && H == OH * R && W == OW * R,
        "PixelUnshuffle needs R > 0, CO == C * R * R, H == OH * R and W == OW * R"
    );
}

impl<
    const C: usize,
    const H: usize,
    const W: usize,
    const R: usize,
    const CO: usize,
    const OH: usize,
    const OW: usize,
> Layer for PixelShuffle<C, H, W, R, CO, OH, OW>
{
    type In = [[[f32; W]; H]; C];
    type Out = [[[f32; OW]; OH]; CO];

    fn forward<const B: usize>(&self, x: &[Self::In; B], y: &mut [Self::Out; B]) {
        let () = Self::CHECK;
        k::shuffle(flat(x), flat_mut(y), CO, H, W, R);
    }
}

impl<
    const C: usize,
    const H: usize,
    const W: usize,
    const R: usize,
    const CO: usize,
    const OH: usize,
    const OW: usize,
> Layer for PixelUnshuffle<C, H, W, R, CO, OH, OW>
{
    type In = [[[f32; W]; H]; C];
    type Out = [[[f32; OW]; OH]; CO];

    fn forward<const B: usize>(&self, x: &[Self::In; B], y: &mut [Self::Out; B]) {
        let () = Self::CHECK;
        k::unshuffle(flat(x), flat_mut(y), C, OH, OW, R);
    }
}

/// The gradient of a permutation is the inverse permutation: `dx = unshuffle(dy)`.
impl<
    const C: usize,
    const H: usize,
    const W: usize,
    const R: usize,
    const CO: usize,
    const OH: usize,
    const OW: usize,
> TrainLayer for PixelShuffle<C, H, W, R, CO, OH, OW>
{
    fn backward<const B: usize>(
        &self,
        _x: &[Self::In; B],
        _y: &[Self::Out; B],
        dy: &[Self::Out; B],
        dx: &mut [Self::In; B],
        _grads: &mut Self,
    ) {
        k::unshuffle(flat(dy), flat_mut(dx), CO, H, W, R);
    }
}

/// The gradient of a permutation is the inverse permutation: `dx = shuffle(dy)`.
impl<
    const C: usize,
    const H: usize,
    const W: usize,
    const R: usize,
    const CO: usize,
    const OH: usize,
    const OW: usize,
> TrainLayer for PixelUnshuffle<C, H, W, R, CO, OH, OW>
{
    fn backward<const B: usize>(
        &self,
        _x: &[Self::In; B],
        _y: &[Self::Out; B],
        dy: &[Self::Out; B],
        dx: &mut [Self::In; B],
        _grads: &mut Self,
    ) {
        k::shuffle(flat(dy), flat_mut(dx), C, OH, OW, R);
    }
}

shape_only_layer!(PixelShuffle<C, H, W, R, CO, OH, OW>,
    const C: usize, const H: usize, const W: usize, const R: usize,
    const CO: usize, const OH: usize, const OW: usize);
shape_only_layer!(PixelUnshuffle<C, H, W, R, CO, OH, OW>,
    const C: usize, const H: usize, const W: usize, const R: usize,
    const CO: usize, const OH: usize, const OW: usize);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{check_layer, random_batch};
    use crate::tensor::Zero;

    type Up = PixelShuffle<8, 1, 2, 2, 2, 2, 4>;
    type Down = PixelUnshuffle<2, 2, 4, 2, 8, 1, 2>;

    #[test]
    fn four_channels_become_one_two_by_two_block() {
        let mut y = [[[[0.0; 2]; 2]; 1]];
        PixelShuffle::<4, 1, 1, 2, 1, 2, 2>
            .forward(&[[[[1.0]], [[2.0]], [[3.0]], [[4.0]]]], &mut y);
        assert_eq!(y, [[[[1.0, 2.0], [3.0, 4.0]]]]);
    }

    #[test]
    fn matches_pytorch_index_formula_by_hand() {
        // x[c][0][w] = 10·c + w; y[co][h][w] = x[4·co + 2·(h % 2) + w % 2][h / 2][w / 2].
        let x: [[[f32; 2]; 1]; 8] =
            core::array::from_fn(|c| [[10.0 * c as f32, 10.0 * c as f32 + 1.0]]);
        let mut y = [[[[0.0; 4]; 2]; 2]];
        Up::ZERO.forward(&[x], &mut y);
        let expected = [
            [[0.0, 10.0, 1.0, 11.0], [20.0, 30.0, 21.0, 31.0]],
            [[40.0, 50.0, 41.0, 51.0], [60.0, 70.0, 61.0, 71.0]],
        ];
        assert_eq!(y, [expected]);
        let mut back = [[[[0.0; 2]; 1]; 8]];
        Down::ZERO.forward(&y, &mut back);
        assert_eq!(back, [x]);
    }

    #[test]
    fn shuffle_and_unshuffle_are_inverses() {
        let x = random_batch::<[[[f32; 2]; 1]; 8], 3>(1);
        let mut y = [[[[0.0; 4]; 2]; 2]; 3];
        let mut back = [[[[0.0; 2]; 1]; 8]; 3];
        Up::ZERO.forward(&x, &mut y);
        Down::ZERO.forward(&y, &mut back);
        assert_eq!(&back, &*x);
        let z = random_batch::<[[[f32; 4]; 2]; 2], 3>(2);
        Down::ZERO.forward(&z, &mut back);
        Up::ZERO.forward(&back, &mut y);
        assert_eq!(&y, &*z);
    }

    #[test]
    fn gradients_match_finite_differences() {
        let (mut up, mut down) = (Up::ZERO, Down::ZERO);
        check_layer::<_, 2>(&mut up, 3);
        check_layer::<_, 2>(&mut down, 4);
        check_layer::<_, 1>(&mut PixelShuffle::<9, 2, 1, 3, 1, 6, 3>, 5);
    }
}
