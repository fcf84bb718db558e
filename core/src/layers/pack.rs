//! Packing: a discriminator judges `M` samples at once (PacGAN).

use super::{Layer, TrainLayer};

/// Packs every sample with the `M − 1` samples after it in the batch, cyclically:
/// `y[i] = (x[i], x[(i+1) mod B], …, x[(i+M−1) mod B])`, a `[M·IN]` row, so that D rates
/// sets of `M` samples and a generator that repeats itself is easy to tell apart (Lin et
/// al. 2018, "PacGAN: The power of two samples in generative adversarial networks",
/// arXiv:1712.04086 §3).
///
/// PacGAN splits a batch into `B/M` disjoint packs; this layer forms `B` overlapping ones,
/// each still `M` independent samples of one side (D sees the real and the fake batch
/// separately), so D's batch keeps its size and every sample is in `M` packs. Placed first
/// in a discriminator, it turns a per-sample D into a pack D with the same hidden layers.
///
/// Backward: `dx[j] = Σ_k dy[(j−k) mod B][k·IN .. (k+1)·IN]`.
/// Shapes: `[IN]` in, `[OUT]` out, `OUT == M·IN` checked at compile time:
///
/// ```compile_fail,E0080
/// use tinygan_core::layers::Pack;
/// use tinygan_core::Zero;
/// let p = Pack::<2, 4, 6>::ZERO;
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pack<const IN: usize, const M: usize, const OUT: usize>;

impl<const IN: usize, const M: usize, const OUT: usize> Pack<IN, M, OUT> {
    /// Evaluating it checks `OUT == M·IN` and `M ≥ 1` at compile time.
    pub const CHECK: () = assert!(OUT == M * IN && M >= 1, "Pack needs OUT == M * IN");
}

impl<const IN: usize, const M: usize, const OUT: usize> Layer for Pack<IN, M, OUT> {
    type In = [f32; IN];
    type Out = [f32; OUT];

    fn forward<const B: usize>(&self, x: &[Self::In; B], y: &mut [Self::Out; B]) {
        let () = Self::CHECK;
        for (i, row) in y.iter_mut().enumerate() {
            for (k, part) in row.chunks_exact_mut(IN).enumerate() {
                part.copy_from_slice(&x[(i + k) % B]);
            }
        }
    }
}

impl<const IN: usize, const M: usize, const OUT: usize> TrainLayer for Pack<IN, M, OUT> {
    fn backward<const B: usize>(
        &self,
        _x: &[Self::In; B],
        _y: &[Self::Out; B],
        dy: &[Self::Out; B],
        dx: &mut [Self::In; B],
        _grads: &mut Self,
    ) {
        *dx = [[0.0; IN]; B];
        for (i, row) in dy.iter().enumerate() {
            for (k, part) in row.chunks_exact(IN).enumerate() {
                for (d, g) in dx[(i + k) % B].iter_mut().zip(part) {
                    *d += g;
                }
            }
        }
    }

    /// No parameters: nothing to do.
    fn backward_params<const B: usize>(
        &self,
        _x: &[Self::In; B],
        _y: &[Self::Out; B],
        _dy: &[Self::Out; B],
        _grads: &mut Self,
    ) {
    }
}

shape_only_layer!(Pack<IN, M, OUT>, const IN: usize, const M: usize, const OUT: usize);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::check_layer;

    #[test]
    fn packs_each_sample_with_the_next_ones_cyclically() {
        let x = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let mut y = [[0.0; 6]; 3];
        Pack::<2, 3, 6>.forward(&x, &mut y);
        assert_eq!(
            y,
            [
                [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                [3.0, 4.0, 5.0, 6.0, 1.0, 2.0],
                [5.0, 6.0, 1.0, 2.0, 3.0, 4.0],
            ]
        );
        let mut one = [[0.0; 2]; 3];
        Pack::<2, 1, 2>.forward(&x, &mut one);
        assert_eq!(one, x);
    }

    #[test]
    fn each_sample_collects_the_gradient_of_its_packs() {
        // Pack of 2 over 3 samples: sample 0 is the first half of pack 0 and the second
        // half of pack 2.
        let dy = [
            [1.0, 10.0, 100.0, 1000.0],
            [2.0, 20.0, 200.0, 2000.0],
            [3.0, 30.0, 300.0, 3000.0],
        ];
        let mut dx = [[9.0; 2]; 3];
        let x = [[0.0; 2]; 3];
        Pack::<2, 2, 4>.backward(&x, &[[0.0; 4]; 3], &dy, &mut dx, &mut Pack);
        assert_eq!(dx, [[301.0, 3010.0], [102.0, 1020.0], [203.0, 2030.0]]);
    }

    #[test]
    fn gradients_match_finite_differences() {
        check_layer::<_, 5>(&mut Pack::<2, 4, 8>, 3);
        check_layer::<_, 2>(&mut Pack::<3, 3, 9>, 4);
    }
}
