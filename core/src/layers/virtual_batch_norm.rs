//! Virtual batch normalisation (Salimans et al. 2016, arXiv:1606.03498, §3.5).

use super::batch_norm::{backward_against_reference, forward_against_reference, gain_bias_params};
use super::{BN_EPS, BatchNorm, Layer, TrainLayer};
use crate::kernels::batch_norm as k;
use crate::tensor::{Tensor, Zero, flat, flat_mut};
use core::marker::PhantomData;

/// Virtual batch normalisation (Salimans et al. 2016, "Improved Techniques for Training
/// GANs", arXiv:1606.03498, §3.5): every sample is normalised with the statistics of a
/// fixed reference batch plus itself, so a sample's output does not depend on the other
/// samples of its minibatch.
///
/// The layer takes an *augmented batch* whose first `R` samples are the reference batch
/// (made from a fixed z and re-run through the network every step). Per channel (a
/// feature for [`VirtualBatchNorm1d`]; a channel's pixels for [`VirtualBatchNorm2d`],
/// where `x_i` below is the sample's mean over those pixels):
/// - reference samples use the reference batch's own statistics, `μ_ref = E_ref[x]` and
///   `σ_ref² = E_ref[x²] − μ_ref²`;
/// - every other sample `i` uses `μ_i = x_i/(R+1) + R·μ_ref/(R+1)`, likewise
///   `E_i[x²] = E[x_i²]/(R+1) + R·E_ref[x²]/(R+1)`, and `σ_i² = E_i[x²] − μ_i²`
///   (computed around `μ_ref` so nothing cancels), i.e. batch norm over the reference
///   batch and `x_i` alone;
/// - `y = γ (x − μ)/√(σ² + eps) + β`, `eps` = [`BN_EPS`](crate::layers::BN_EPS) = 1e-5.
///
/// Because the reference samples are inputs of the same call, `backward` gives them a
/// gradient through `μ_ref` and `E_ref[x²]` (from every sample) like any other input: the
/// gradient flows through the reference statistics with no extra API.
///
/// Training (`forward_train`) takes the augmented batch above and records the reference
/// statistics `(μ_ref, σ_ref²)` in the buffers `ref_mean`, `ref_var`. Inference
/// (`forward`) takes a batch of ordinary samples and normalises each against the recorded
/// statistics plus itself, exactly as a non-reference sample in training, so a deployed
/// generator needs neither the reference `z` nor a reference pass.
///
/// Shapes: `x, y: [B]X` with `B ≥ R ≥ 1` (checked at compile time); `gamma`, `beta`:
/// `[C]`. Trainable tensors: `gamma` (gain), `beta` (bias). [`VirtualBatchNorm::new`]
/// sets γ = 1, β = 0; [`Zero::ZERO`] is all zeros (for gradients).
#[derive(Clone, Debug, PartialEq)]
pub struct VirtualBatchNorm<X, const C: usize, const R: usize> {
    /// Per-channel gain γ.
    pub gamma: [f32; C],
    /// Per-channel shift β.
    pub beta: [f32; C],
    /// Mean of the reference batch at the last training forward (buffer).
    pub ref_mean: [f32; C],
    /// Biased variance of the reference batch at the last training forward (buffer).
    pub ref_var: [f32; C],
    shape: PhantomData<X>,
}

/// Virtual batch norm over `N` features with a reference batch of `R`.
pub type VirtualBatchNorm1d<const N: usize, const R: usize> = VirtualBatchNorm<[f32; N], N, R>;
/// Virtual batch norm over the `C` channels of `H`×`W` images, reference batch of `R`.
pub type VirtualBatchNorm2d<const C: usize, const H: usize, const W: usize, const R: usize> =
    VirtualBatchNorm<[[[f32; W]; H]; C], C, R>;

impl<X: Tensor, const C: usize, const R: usize> VirtualBatchNorm<X, C, R> {
    /// γ = 1, β = 0.
    pub const fn new() -> Self {
        Self {
            gamma: [1.0; C],
            beta: [0.0; C],
            ref_mean: [0.0; C],
            ref_var: [1.0; C],
            shape: PhantomData,
        }
    }
}

impl<X: Tensor, const C: usize, const R: usize> Default for VirtualBatchNorm<X, C, R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<X: Tensor, const C: usize, const R: usize> Zero for VirtualBatchNorm<X, C, R> {
    const ZERO: Self = Self {
        gamma: [0.0; C],
        beta: [0.0; C],
        ref_mean: [0.0; C],
        ref_var: [0.0; C],
        shape: PhantomData,
    };
}

impl<X: Tensor, const C: usize, const R: usize> Layer for VirtualBatchNorm<X, C, R> {
    type In = X;
    type Out = X;

    fn forward<const B: usize>(&self, x: &[X; B], y: &mut [X; B]) {
        let stats = (&self.ref_mean[..], &self.ref_var[..]);
        let affine = (&self.gamma[..], &self.beta[..]);
        let spatial = BatchNorm::<X, C>::SPATIAL;
        k::forward_stored_reference(flat(x), flat_mut(y), stats, affine, BN_EPS, spatial, R);
    }
}

impl<X: Tensor, const C: usize, const R: usize> TrainLayer for VirtualBatchNorm<X, C, R> {
    fn forward_train<const B: usize>(&mut self, x: &[X; B], y: &mut [X; B]) {
        const {
            assert!(
                B >= R && R >= 1,
                "the batch must start with R >= 1 reference samples"
            )
        };
        let record = (&mut self.ref_mean[..], &mut self.ref_var[..]);
        forward_against_reference::<X, C, B>(&self.gamma, &self.beta, x, y, R, record);
    }

    fn backward<const B: usize>(
        &self,
        x: &[X; B],
        _y: &[X; B],
        dy: &[X; B],
        dx: &mut [X; B],
        grads: &mut Self,
    ) {
        let dparams = (&mut grads.gamma, &mut grads.beta);
        backward_against_reference(&self.gamma, x, dy, dx, dparams, R);
    }
}

gain_bias_params!([X: Tensor, const C: usize, const R: usize] VirtualBatchNorm<X, C, R>; buffers [ref_mean = 0.0, ref_var = 1.0]);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{check_layer, random_batch, randomize};
    use crate::layers::{BN_EPS, BatchNorm1d, BatchNorm2d};
    use crate::params::{Params, TensorKind};
    use crate::tensor::flat;

    fn assert_close(a: &[f32], b: &[f32]) {
        for (p, q) in a.iter().zip(b) {
            assert!((p - q).abs() <= 2e-5 * (1.0 + q.abs()), "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn forward_by_hand() {
        // Reference {0, 2}: μ 1, σ² 1. Sample 4: statistics of {0, 2, 4}: μ 2, σ² 8/3.
        let mut vbn = VirtualBatchNorm1d::<1, 2>::new();
        let mut y = [[0.0]; 3];
        vbn.forward_train(&[[0.0], [2.0], [4.0]], &mut y);
        let r = 1.0 / (1.0f32 + BN_EPS).sqrt();
        let s = 2.0 / (8.0f32 / 3.0 + BN_EPS).sqrt();
        assert_close(flat(&y), &[-r, r, s]);
    }

    /// VBN of `x_i` with the other samples as reference batch equals batch norm (biased
    /// variance, same eps) of the whole batch at `x_i`; the reference samples get batch
    /// norm of the reference batch alone. Shown for features and for images.
    #[test]
    fn equals_batch_norm_of_reference_plus_sample() {
        const R: usize = 3;
        let x = *random_batch::<[f32; 4], { R + 1 }>(1);
        let mut vbn = VirtualBatchNorm1d::<4, R>::new();
        randomize(&mut vbn, 2);
        let mut bn = BatchNorm1d::<4>::new();
        (bn.gamma, bn.beta) = (vbn.gamma, vbn.beta);
        let (mut y, mut whole, mut refs) = ([[0.0; 4]; R + 1], [[0.0; 4]; R + 1], [[0.0; 4]; R]);
        vbn.forward_train(&x, &mut y);
        bn.clone().forward_train(&x, &mut whole);
        bn.forward_train(x[..R].try_into().unwrap(), &mut refs);
        assert_close(&y[R], &whole[R]);
        assert_close(flat(&y[..R]), flat(&refs));

        let x = *random_batch::<[[[f32; 3]; 2]; 2], { R + 1 }>(3);
        let mut vbn = VirtualBatchNorm2d::<2, 2, 3, R>::new();
        randomize(&mut vbn, 4);
        let mut bn = BatchNorm2d::<2, 2, 3>::new();
        (bn.gamma, bn.beta) = (vbn.gamma, vbn.beta);
        let (mut y, mut whole) = (x, x);
        vbn.forward_train(&x, &mut y);
        bn.forward_train(&x, &mut whole);
        assert_close(flat(&y[R..]), flat(&whole[R..]));
    }

    #[test]
    fn samples_outside_the_reference_do_not_interact() {
        let mut vbn = VirtualBatchNorm1d::<3, 2>::new();
        let mut x = *random_batch::<[f32; 3], 4>(5);
        let mut y = [[0.0; 3]; 4];
        vbn.forward_train(&x, &mut y);
        let mut alone = [[0.0; 3]; 3];
        vbn.forward_train(&[x[0], x[1], x[2]], &mut alone);
        assert_eq!(alone[2], y[2]);
        x[3] = [10.0, -10.0, 0.0];
        let mut moved = [[0.0; 3]; 4];
        vbn.forward_train(&x, &mut moved);
        assert_eq!(&moved[..3], &y[..3]);
    }

    /// Inference against the recorded statistics gives each sample what training gave it
    /// as a non-reference sample, whatever else is in the batch.
    #[test]
    fn inference_uses_the_recorded_reference() {
        let mut vbn = VirtualBatchNorm2d::<2, 2, 2, 3>::new();
        randomize(&mut vbn, 8);
        let x = *random_batch::<[[[f32; 2]; 2]; 2], 5>(9);
        let mut train = x;
        vbn.forward_train(&x, &mut train);
        let mut alone = [x[4]; 1];
        vbn.forward(&[x[4]], &mut alone);
        assert_close(flat(&alone), flat(&train[4..]));
        let mut pair = [x[3], x[4]];
        vbn.forward(&[x[3], x[4]], &mut pair);
        assert_close(flat(&pair), flat(&train[3..]));
    }

    #[test]
    fn params() {
        let v = VirtualBatchNorm2d::<3, 2, 2, 4>::new();
        assert_eq!(
            (
                VirtualBatchNorm1d::<3, 1>::TENSORS,
                VirtualBatchNorm1d::<3, 1>::BUFFERS
            ),
            (2, 2)
        );
        assert_eq!(
            (v.tensor_kind(0), v.tensor_kind(1)),
            (TensorKind::Gain, TensorKind::Bias)
        );
        assert_eq!((v.tensor(0), v.tensor(1)), (&[1.0; 3][..], &[0.0; 3][..]));
    }

    #[test]
    fn gradients_match_finite_differences() {
        // Through the reference rows too: every input, γ and β.
        let mut v = VirtualBatchNorm1d::<3, 2>::new();
        randomize(&mut v, 6);
        check_layer::<_, 4>(&mut v, 7);
        let mut v = VirtualBatchNorm2d::<2, 2, 2, 2>::new();
        randomize(&mut v, 8);
        check_layer::<_, 3>(&mut v, 9);
        let mut v = VirtualBatchNorm1d::<2, 3>::new();
        randomize(&mut v, 10);
        check_layer::<_, 3>(&mut v, 11);
        let mut v = VirtualBatchNorm2d::<1, 1, 3, 1>::new();
        randomize(&mut v, 12);
        check_layer::<_, 3>(&mut v, 13);
    }
}
