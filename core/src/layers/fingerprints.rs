//! Architecture fingerprints of the layers: a four-letter kind tag and every shape
//! parameter, hashed at compile time (see [`crate::model::Fingerprint`]).

use super::{BatchNorm, Dense, LeakyRelu, Relu, Sigmoid, Tanh};
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
        ];
        for (i, a) in fps.iter().enumerate() {
            for b in &fps[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
