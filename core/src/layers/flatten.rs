//! Reshapes between CHW images and feature vectors, to chain conv and dense layers.

use super::{Layer, TrainLayer};
use crate::tensor::{Tensor, flat, flat_mut};

/// `[C][H][W]` image to `[N]` features, row-major (PyTorch's `Flatten` after a conv):
/// `y[(c·H + h)·W + w] = x[c][h][w]`. `N == C·H·W` is checked at compile time wherever
/// the layer is used.
///
/// A discriminator's conv stack feeds its dense head through `Flatten`:
///
/// ```
/// use tinygan_core::layers::{Conv2d, Dense, Flatten};
/// use tinygan_core::{Network, Zero};
/// tinygan_core::network! {
///     /// 8×8 image to one logit.
///     pub struct Disc, acts DiscActs {
///         conv: Conv2d<1, 4, 8, 8, 4, 2, 1, 4, 4>,
///         flat: Flatten<4, 4, 4, 64>,
///         fc: Dense<64, 1>,
///     }
/// }
/// let mut acts = DiscActs::<2>::ZERO;
/// Disc::ZERO.forward(&[[[[0.5; 8]; 8]; 1]; 2], &mut acts);
/// assert_eq!(Disc::output(&acts), &[[0.0]; 2]);
/// ```
///
/// Without it the layers do not chain and the network does not build:
///
/// ```compile_fail,E0308
/// use tinygan_core::layers::{Conv2d, Dense};
/// tinygan_core::network! {
///     /// 8×8 image to one logit, missing its Flatten.
///     pub struct Disc, acts DiscActs {
///         conv: Conv2d<1, 4, 8, 8, 4, 2, 1, 4, 4>,
///         fc: Dense<64, 1>,
///     }
/// }
/// ```
///
/// Nor does a `Flatten` whose `N` is not `C·H·W`:
///
/// ```compile_fail,E0080
/// use tinygan_core::layers::Flatten;
/// use tinygan_core::Zero;
/// let f = Flatten::<4, 4, 4, 60>::ZERO;
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flatten<const C: usize, const H: usize, const W: usize, const N: usize>;

/// `[N]` features to a `[C][H][W]` image, row-major (PyTorch's `Unflatten`): the inverse
/// of [`Flatten`] with the same parameters, for a generator's dense stem feeding its conv
/// stack. `N == C·H·W` is checked at compile time wherever the layer is used.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unflatten<const C: usize, const H: usize, const W: usize, const N: usize>;

impl<const C: usize, const H: usize, const W: usize, const N: usize> Flatten<C, H, W, N> {
    /// Evaluating it checks `N == C·H·W` at compile time.
    pub const CHECK: () = assert!(N == C * H * W, "Flatten needs N == C * H * W");
}

impl<const C: usize, const H: usize, const W: usize, const N: usize> Unflatten<C, H, W, N> {
    /// Evaluating it checks `N == C·H·W` at compile time.
    pub const CHECK: () = assert!(N == C * H * W, "Unflatten needs N == C * H * W");
}

/// Copies a batch into a batch of another shape with the same number of elements.
fn reshape<A: Tensor, B: Tensor>(x: &[A], y: &mut [B]) {
    flat_mut(y).copy_from_slice(flat(x));
}

impl<const C: usize, const H: usize, const W: usize, const N: usize> Layer for Flatten<C, H, W, N> {
    type In = [[[f32; W]; H]; C];
    type Out = [f32; N];

    fn forward<const B: usize>(&self, x: &[Self::In; B], y: &mut [Self::Out; B]) {
        let () = Self::CHECK;
        reshape(x, y);
    }
}

impl<const C: usize, const H: usize, const W: usize, const N: usize> Layer
    for Unflatten<C, H, W, N>
{
    type In = [f32; N];
    type Out = [[[f32; W]; H]; C];

    fn forward<const B: usize>(&self, x: &[Self::In; B], y: &mut [Self::Out; B]) {
        let () = Self::CHECK;
        reshape(x, y);
    }
}

impl<const C: usize, const H: usize, const W: usize, const N: usize> TrainLayer
    for Flatten<C, H, W, N>
{
    fn backward<const B: usize>(
        &self,
        _x: &[Self::In; B],
        _y: &[Self::Out; B],
        dy: &[Self::Out; B],
        dx: &mut [Self::In; B],
        _grads: &mut Self,
    ) {
        reshape(dy, dx);
    }
}

impl<const C: usize, const H: usize, const W: usize, const N: usize> TrainLayer
    for Unflatten<C, H, W, N>
{
    fn backward<const B: usize>(
        &self,
        _x: &[Self::In; B],
        _y: &[Self::Out; B],
        dy: &[Self::Out; B],
        dx: &mut [Self::In; B],
        _grads: &mut Self,
    ) {
        reshape(dy, dx);
    }
}

shape_only_layer!(Flatten<C, H, W, N>, const C: usize, const H: usize, const W: usize, const N: usize);
shape_only_layer!(Unflatten<C, H, W, N>, const C: usize, const H: usize, const W: usize, const N: usize);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::check_layer;

    #[test]
    fn row_major_by_hand_and_back() {
        let x = [
            [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
            [[7.0, 8.0, 9.0], [10.0, 11.0, 12.0]],
        ];
        let mut y = [[0.0; 12]];
        Flatten::<2, 2, 3, 12>.forward(&[x], &mut y);
        assert_eq!(y[0], core::array::from_fn(|i| (i + 1) as f32));
        let mut back = [[[[0.0; 3]; 2]; 2]];
        Unflatten::<2, 2, 3, 12>.forward(&y, &mut back);
        assert_eq!(back, [x]);
    }

    #[test]
    fn gradients_match_finite_differences() {
        check_layer::<_, 2>(&mut Flatten::<2, 1, 3, 6>, 1);
        check_layer::<_, 2>(&mut Unflatten::<3, 2, 1, 6>, 2);
    }
}
