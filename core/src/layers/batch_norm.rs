//! Batch normalisation with running statistics.

use super::{Layer, TrainLayer};
use crate::kernels::batch_norm as k;
use crate::tensor::{Tensor, Zero, flat, flat_mut};
use core::marker::PhantomData;

/// Added to the variance before the square root (PyTorch's default).
pub const BN_EPS: f32 = 1e-5;
/// Weight of the batch statistics in the running-statistics update (PyTorch's default).
pub const BN_MOMENTUM: f32 = 0.1;

/// Implements [`Params`](crate::params::Params) for a normalisation layer with fields
/// `gamma` (tensor 0, [`Gain`](crate::params::TensorKind::Gain)) and `beta` (tensor 1,
/// [`Bias`](crate::params::TensorKind::Bias)), and the listed buffer fields in order.
macro_rules! gain_bias_params {
    ([$($g:tt)*] $t:ty $(; buffers [$($buf:ident = $init:literal),+])?) => {
        impl<$($g)*> $crate::params::Params for $t {
            const TENSORS: usize = 2;
            const BUFFERS: usize = {
                let names: &[&str] = &[$($(stringify!($buf)),+)?];
                names.len()
            };
            fn tensor(&self, i: usize) -> &[f32] {
                [&self.gamma[..], &self.beta[..]][i]
            }
            fn tensor_mut(&mut self, i: usize) -> &mut [f32] {
                match i {
                    0 => &mut self.gamma,
                    1 => &mut self.beta,
                    _ => panic!("a normalisation layer has 2 tensors"),
                }
            }
            fn tensor_kind(&self, i: usize) -> $crate::params::TensorKind {
                use $crate::params::TensorKind;
                [TensorKind::Gain, TensorKind::Bias][i]
            }
            $(
                fn buffer(&self, i: usize) -> &[f32] {
                    [$(&self.$buf[..]),+][i]
                }
                fn buffer_mut(&mut self, i: usize) -> &mut [f32] {
                    let mut all = [$(&mut self.$buf[..]),+];
                    core::mem::take(&mut all[i])
                }
                fn buffer_init(&self, i: usize) -> f32 {
                    [$($init),+][i]
                }
            )?
        }

        impl<$($g)*> $t {
            /// The layer with γ the model's tensor `tensor`, β tensor `tensor + 1`
            /// and the buffers from buffer `buffer` on, decoded at compile time (see
            /// [`Embedded`](crate::model::Embedded)).
            pub const fn from_model(
                m: &$crate::model::Embedded<'_>,
                tensor: usize,
                buffer: usize,
            ) -> Self {
                use $crate::model::Role;
                let mut s = <Self as $crate::tensor::Zero>::ZERO;
                m.fill(Role::Param, tensor, &mut s.gamma);
                m.fill(Role::Param, tensor + 1, &mut s.beta);
                let mut _b = buffer;
                $($(
                    m.fill(Role::Buffer, _b, &mut s.$buf);
                    _b += 1;
                )+)?
                s
            }
        }
    };
}
pub(super) use gain_bias_params;

/// Batch normalisation (Ioffe & Szegedy 2015, arXiv:1502.03167, §3) of the `C` channels
/// of a sample type `X`: features (`X = [f32; C]`, [`BatchNorm1d`]) or CHW images
/// (`X = [[[f32; W]; H]; C]`, [`BatchNorm2d`], statistics over a channel's pixels).
///
/// Training (`forward_train`): per channel, `μ`, `σ²` are the mean and biased variance
/// over the batch (and pixels), `y = γ (x − μ)/√(σ² + eps) + β`, and the running
/// statistics move by `running ← (1 − m)·running + m·batch` with the unbiased variance,
/// `m` = [`BN_MOMENTUM`] = 0.1, `eps` = [`BN_EPS`] = 1e-5, as in PyTorch. Inference
/// (`forward`) uses the running statistics instead. `backward` is the full batch-norm
/// gradient, through `μ` and `σ²`, recomputed from `x`.
///
/// Shapes: `x, y: [B]X`; `gamma`, `beta`, `running_mean`, `running_var`: `[C]`.
/// Trainable tensors: `gamma` (gain), `beta` (bias); buffers: `running_mean`,
/// `running_var` (persisted, not trained). [`BatchNorm::new`] gives PyTorch's initial
/// values (γ = 1, β = 0, mean 0, variance 1); [`Zero::ZERO`] is all zeros (for gradients).
#[derive(Clone, Debug, PartialEq)]
pub struct BatchNorm<X, const C: usize> {
    /// Per-channel gain γ.
    pub gamma: [f32; C],
    /// Per-channel shift β.
    pub beta: [f32; C],
    /// Running mean (buffer).
    pub running_mean: [f32; C],
    /// Running unbiased variance (buffer).
    pub running_var: [f32; C],
    shape: PhantomData<X>,
}

/// Batch norm over `N` features.
pub type BatchNorm1d<const N: usize> = BatchNorm<[f32; N], N>;
/// Batch norm over the `C` channels of `H`×`W` images.
pub type BatchNorm2d<const C: usize, const H: usize, const W: usize> =
    BatchNorm<[[[f32; W]; H]; C], C>;

impl<X: Tensor, const C: usize> BatchNorm<X, C> {
    /// Values per channel and sample (1 for features, `H·W` for images).
    pub(super) const SPATIAL: usize = {
        assert!(C > 0 && X::LEN % C == 0, "X must hold C channels");
        X::LEN / C
    };

    /// γ = 1, β = 0, running mean 0, running variance 1 (PyTorch's initial values).
    pub const fn new() -> Self {
        Self {
            gamma: [1.0; C],
            beta: [0.0; C],
            running_mean: [0.0; C],
            running_var: [1.0; C],
            shape: PhantomData,
        }
    }
}

impl<X: Tensor, const C: usize> Default for BatchNorm<X, C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<X: Tensor, const C: usize> Zero for BatchNorm<X, C> {
    const ZERO: Self = Self {
        gamma: [0.0; C],
        beta: [0.0; C],
        running_mean: [0.0; C],
        running_var: [0.0; C],
        shape: PhantomData,
    };
}

impl<X: Tensor, const C: usize> Layer for BatchNorm<X, C> {
    type In = X;
    type Out = X;

    fn forward<const B: usize>(&self, x: &[X; B], y: &mut [X; B]) {
        let stats = (&self.running_mean[..], &self.running_var[..]);
        let affine = (&self.gamma[..], &self.beta[..]);
        k::forward_fixed(flat(x), flat_mut(y), stats, affine, BN_EPS, Self::SPATIAL);
    }
}

impl<X: Tensor, const C: usize> TrainLayer for BatchNorm<X, C> {
    fn forward_train<const B: usize>(&mut self, x: &[X; B], y: &mut [X; B]) {
        const { assert!(B * X::LEN > C, "batch statistics need more than one value") };
        let running = (&mut self.running_mean[..], &mut self.running_var[..]);
        k::update_running(flat(x), running, BN_MOMENTUM, Self::SPATIAL);
        let mut batch = ([0.0; C], [0.0; C]);
        let record = (&mut batch.0[..], &mut batch.1[..]);
        forward_against_reference::<X, C, B>(&self.gamma, &self.beta, x, y, B, record);
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
        backward_against_reference(&self.gamma, x, dy, dx, dparams, B);
    }
}

/// Training forward of batch norm and virtual batch norm: normalises `x` against the
/// reference batch `x[..refs]` (see [`k`]) and writes its statistics to `record`.
pub(super) fn forward_against_reference<X: Tensor, const C: usize, const B: usize>(
    gamma: &[f32; C],
    beta: &[f32; C],
    x: &[X; B],
    y: &mut [X; B],
    refs: usize,
    record: (&mut [f32], &mut [f32]),
) {
    let spatial = BatchNorm::<X, C>::SPATIAL;
    let (x, y) = (flat(x), flat_mut(y));
    k::forward_reference(x, y, (gamma, beta), BN_EPS, spatial, refs, record);
}

/// Backward of [`forward_against_reference`]: `dx` overwritten, `dgamma` and `dbeta`
/// accumulated.
pub(super) fn backward_against_reference<X: Tensor, const C: usize, const B: usize>(
    gamma: &[f32; C],
    x: &[X; B],
    dy: &[X; B],
    dx: &mut [X; B],
    (dgamma, dbeta): (&mut [f32; C], &mut [f32; C]),
    refs: usize,
) {
    k::backward_reference(
        flat(x),
        flat(dy),
        flat_mut(dx),
        gamma,
        (dgamma, dbeta),
        BN_EPS,
        BatchNorm::<X, C>::SPATIAL,
        refs,
    );
}

gain_bias_params!([X: Tensor, const C: usize] BatchNorm<X, C>; buffers [running_mean = 0.0, running_var = 1.0]);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{check_layer, randomize};
    use crate::params::{Params, TensorKind};

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() <= 1e-5 * (1.0 + b.abs())
    }

    #[test]
    fn training_forward_by_hand() {
        let mut bn = BatchNorm1d::<2>::new();
        bn.gamma = [1.0, 2.0];
        bn.beta = [0.0, 1.0];
        let mut y = [[0.0; 2]; 2];
        bn.forward_train(&[[1.0, 10.0], [3.0, 20.0]], &mut y);
        // Channel 0: μ = 2, σ² = 1; channel 1: μ = 15, σ² = 25.
        let (a, b) = (1.0 / (1.0f32 + 1e-5).sqrt(), 5.0 / (25.0f32 + 1e-5).sqrt());
        for (got, want) in flat(&y).iter().zip([-a, 1.0 - 2.0 * b, a, 1.0 + 2.0 * b]) {
            assert!(close(*got, want), "{got} vs {want}");
        }
        // Running: 0.9·old + 0.1·batch, unbiased variances 2 and 50.
        assert!(close(bn.running_mean[0], 0.2) && close(bn.running_mean[1], 1.5));
        assert!(close(bn.running_var[0], 1.1) && close(bn.running_var[1], 5.9));
    }

    #[test]
    fn images_use_statistics_over_batch_and_pixels() {
        let mut bn = BatchNorm2d::<2, 1, 2>::new();
        // Channel 0 holds 0, 2 | 4, 6 (μ 3, σ² 5); channel 1 is constant 7.
        let x = [[[[0.0, 2.0]], [[7.0, 7.0]]], [[[4.0, 6.0]], [[7.0, 7.0]]]];
        let mut y = x;
        bn.forward_train(&x, &mut y);
        let s = 1.0 / (5.0f32 + 1e-5).sqrt();
        assert!(close(y[0][0][0][0], -3.0 * s) && close(y[1][0][0][1], 3.0 * s));
        assert_eq!(y[0][1], [[0.0, 0.0]]);
        assert!(close(bn.running_var[0], 0.9 + 0.1 * 20.0 / 3.0));
    }

    #[test]
    fn inference_uses_running_statistics() {
        let mut bn = BatchNorm1d::<2>::new();
        bn.gamma = [2.0, 1.0];
        bn.beta = [0.5, 0.0];
        bn.running_mean = [1.0, -1.0];
        bn.running_var = [4.0, 0.25];
        let before = bn.clone();
        let mut y = [[0.0; 2]; 3];
        let x = [[3.0, 0.0], [1.0, -1.0], [-1.0, 1.0]];
        bn.forward(&x, &mut y);
        assert_eq!(bn, before, "inference leaves running statistics alone");
        for (xr, yr) in x.iter().zip(&y) {
            for c in 0..2 {
                let want = bn.gamma[c] * (xr[c] - bn.running_mean[c])
                    / (bn.running_var[c] + BN_EPS).sqrt()
                    + bn.beta[c];
                assert!(close(yr[c], want));
            }
        }
        // A single sample works in inference, and does not depend on the rest of a batch.
        let mut one = [[0.0; 2]];
        bn.forward(&[x[0]], &mut one);
        assert_eq!(one[0], y[0]);
    }

    #[test]
    fn params_and_buffers() {
        let mut bn = BatchNorm2d::<3, 2, 2>::new();
        assert_eq!(
            (BatchNorm2d::<3, 2, 2>::TENSORS, BatchNorm1d::<3>::BUFFERS),
            (2, 2)
        );
        assert_eq!(bn.tensor_kind(0), TensorKind::Gain);
        assert_eq!(bn.tensor_kind(1), TensorKind::Bias);
        bn.buffer_mut(1)[2] = 3.0;
        assert_eq!(bn.running_var, [1.0, 1.0, 3.0]);
        assert_eq!(bn.buffer(0), &[0.0; 3]);
        bn.tensor_mut(1)[0] = 2.0;
        assert_eq!(bn.tensor(1), &[2.0, 0.0, 0.0]);
    }

    #[test]
    fn gradients_match_finite_differences() {
        let mut bn = BatchNorm1d::<3>::new();
        randomize(&mut bn, 1);
        check_layer::<_, 4>(&mut bn, 2);
        let mut bn = BatchNorm2d::<2, 2, 3>::new();
        randomize(&mut bn, 3);
        check_layer::<_, 2>(&mut bn, 4);
    }
}
