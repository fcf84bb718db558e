//! Typed tensors seen as flat slices.
//!
//! A per-sample value is `f32` or a (nested) array of `f32`: `[f32; N]` for features,
//! `[[[f32; W]; H]; C]` for CHW images. Kernels work on flat `&[f32]`; [`Tensor::flat`]
//! gives that view of a batch without copying and without `unsafe`.

/// Types with an all-zero value usable in `const` and `static` initialisers, so that
/// parameters, gradients, optimiser state and activations can live in `.bss`.
pub trait Zero {
    /// The all-zero value.
    const ZERO: Self;
}

/// A fixed-size block of `f32`: `f32` itself or an array of tensors.
pub trait Tensor: Copy + Zero {
    /// Number of `f32` elements.
    const LEN: usize;
    /// A slice of tensors as one flat slice, row-major.
    fn flat(s: &[Self]) -> &[f32];
    /// A mutable slice of tensors as one flat slice, row-major.
    fn flat_mut(s: &mut [Self]) -> &mut [f32];
}

/// No state (an optimiser or history that keeps none).
impl Zero for () {
    const ZERO: Self = ();
}

impl Zero for f32 {
    const ZERO: Self = 0.0;
}

impl<T: Zero, const N: usize> Zero for [T; N] {
    const ZERO: Self = [T::ZERO; N];
}

impl Tensor for f32 {
    const LEN: usize = 1;
    #[inline]
    fn flat(s: &[Self]) -> &[f32] {
        s
    }
    #[inline]
    fn flat_mut(s: &mut [Self]) -> &mut [f32] {
        s
    }
}

impl<T: Tensor, const N: usize> Tensor for [T; N] {
    const LEN: usize = N * T::LEN;
    #[inline]
    fn flat(s: &[Self]) -> &[f32] {
        T::flat(s.as_flattened())
    }
    #[inline]
    fn flat_mut(s: &mut [Self]) -> &mut [f32] {
        T::flat_mut(s.as_flattened_mut())
    }
}

/// A batch (or any slice) of tensors as one flat slice.
#[inline]
pub fn flat<T: Tensor>(x: &[T]) -> &[f32] {
    T::flat(x)
}

/// A mutable batch (or any slice) of tensors as one flat slice.
#[inline]
pub fn flat_mut<T: Tensor>(x: &mut [T]) -> &mut [f32] {
    T::flat_mut(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_arrays_flatten_row_major() {
        let x: [[[f32; 2]; 2]; 2] = [[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]];
        assert_eq!(flat(&[x]), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        assert_eq!(<[[[f32; 2]; 2]; 2]>::LEN, 8);
        let mut b = [[0.0f32; 3]; 2];
        flat_mut(&mut b)[4] = 9.0;
        assert_eq!(b[1][1], 9.0);
    }
}
