//! Architecture fingerprints of the layers: a four-letter kind tag and every shape
//! parameter, hashed at compile time (see [`crate::model::Fingerprint`]).

use super::{
    BatchNorm, Conv1d, Conv2d, ConvTranspose2d, Dense, Flatten, LeakyRelu, MinibatchDiscrimination,
    Pack, PixelShuffle, PixelUnshuffle, Relu, Sigmoid, Tanh, Unflatten, VirtualBatchNorm,
};
use crate::model::{Fingerprint, layer};
use crate::tensor::Tensor;

impl<const IN: usize, const OUT: usize> Fingerprint for Dense<IN, OUT> {
    const FINGERPRINT: u32 = layer(*b"DENS", &[IN as u32, OUT as u32]);
}

impl<T: Tensor> Fingerprint for Relu<T> {
    const FINGERPRINT: u32 = layer(*b"RELU", &[T::LEN as u32]);
}

impl<T: Tensor, const SLOPE_PERMILLE: u32> Fingerprint for LeakyRelu<T, SLOPE_PERMILLE> {
    const FINGERPRINT: u32 = layer(*b"LRLU", &[T::LEN as u32, SLOPE_PERMILLE]);
}

impl<T: Tensor> Fingerprint for Tanh<T> {
    const FINGERPRINT: u32 = layer(*b"TANH", &[T::LEN as u32]);
}

impl<T: Tensor> Fingerprint for Sigmoid<T> {
    const FINGERPRINT: u32 = layer(*b"SIGM", &[T::LEN as u32]);
}

impl<X: Tensor, const C: usize> Fingerprint for BatchNorm<X, C> {
    const FINGERPRINT: u32 = layer(*b"BNRM", &[X::LEN as u32, C as u32]);
}

impl<X: Tensor, const C: usize, const R: usize> Fingerprint for VirtualBatchNorm<X, C, R> {
    const FINGERPRINT: u32 = layer(*b"VBNR", &[X::LEN as u32, C as u32, R as u32]);
}

/// Implements [`Fingerprint`] for a layer type from its kind tag and const parameters.
macro_rules! fingerprint {
    ($kind:literal, $ty:ident < $($p:ident),+ >) => {
        impl<$(const $p: usize),+> Fingerprint for $ty<$($p),+> {
            const FINGERPRINT: u32 = layer(*$kind, &[$($p as u32),+]);
        }
    };
}

fingerprint!(b"CV2D", Conv2d<CIN, COUT, H, W, K, S, P, OH, OW>);
fingerprint!(b"CT2D", ConvTranspose2d<CIN, COUT, H, W, K, S, P, OH, OW>);
fingerprint!(b"CV1D", Conv1d<CIN, COUT, L, K, S, P, OL>);
fingerprint!(b"PSHF", PixelShuffle<C, H, W, R, CO, OH, OW>);
fingerprint!(b"PUSH", PixelUnshuffle<C, H, W, R, CO, OH, OW>);
fingerprint!(b"FLAT", Flatten<C, H, W, N>);
fingerprint!(b"MBDS", MinibatchDiscrimination<IN, K, D, OUT>);
fingerprint!(b"UFLT", Unflatten<C, H, W, N>);
fingerprint!(b"PACK", Pack<IN, M, OUT>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_shapes_are_told_apart() {
        let fps = [
            Relu::<[f32; 4]>::FINGERPRINT,
            Tanh::<[f32; 4]>::FINGERPRINT,
            Relu::<[f32; 5]>::FINGERPRINT,
            LeakyRelu::<[f32; 4]>::FINGERPRINT,
            LeakyRelu::<[f32; 4], 10>::FINGERPRINT,
            BatchNorm::<[f32; 4], 4>::FINGERPRINT,
            BatchNorm::<[[[f32; 2]; 1]; 2], 2>::FINGERPRINT,
            Dense::<4, 4>::FINGERPRINT,
            Conv2d::<1, 2, 4, 4, 3, 1, 1, 4, 4>::FINGERPRINT,
            Conv2d::<1, 2, 4, 4, 3, 2, 1, 2, 2>::FINGERPRINT,
            ConvTranspose2d::<1, 2, 4, 4, 3, 1, 1, 4, 4>::FINGERPRINT,
            Flatten::<1, 2, 2, 4>::FINGERPRINT,
            Unflatten::<1, 2, 2, 4>::FINGERPRINT,
        ];
        for (i, a) in fps.iter().enumerate() {
            for b in &fps[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
