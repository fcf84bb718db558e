//! Minibatch discrimination (Salimans et al. 2016, arXiv:1606.03498, §3.2).

use super::{Layer, TrainLayer};
use crate::kernels::minibatch_discrimination as k;
use crate::params::{Params, TensorKind};
use crate::tensor::{Zero, flat, flat_mut};

/// Minibatch discrimination (Salimans et al. 2016, "Improved Techniques for Training
/// GANs", arXiv:1606.03498, §3.2): lets a discriminator see how close a sample is to the
/// rest of its batch, so a collapsed generator is easy to spot.
///
/// With `T ∈ R^{IN×K×D}` and, per sample, `M_i = x_i T ∈ R^{K×D}`:
/// `c_b(x_i, x_j) = exp(−‖M_i,b − M_j,b‖₁)`, `o(x_i)_b = Σ_{j≠i} c_b(x_i, x_j)` (the self
/// term, always 1, is excluded), and `y_i = (x_i, o(x_i))`, so `OUT == IN + K` (checked at
/// compile time). Batch statistics couple the samples: feed real and fake batches
/// separately. Backward uses `sign(0) = 0` as the subgradient of `|·|`.
///
/// Shapes: `x: [B][IN]`, `y: [B][OUT]`, `t: [IN][K][D]` (the paper's index order;
/// flat it is `[IN][K·D]`).
///
/// Cost per batch: `B·IN·K·D` MACs for `M` (recomputed in backward, plus `2·B·IN·K·D` for
/// `dx` and `dT`); `B(B−1)/2·K·D` absolute differences and `B(B−1)/2·K` exponentials
/// forward, each pair once by symmetry, and the same again plus the sign spread backward.
/// Nothing of size `B×B×K×D` (nor `B×B×K`) exists: the scratch is `M` (and `dM` in
/// backward) as `[[[f32; K]; D]; B]` plus one `[[f32; D]; K]` row, on the stack of the
/// call (128 KB each for B = 256, K = 16, D = 8). With B = 256, K = 16, D = 8 after three
/// 128-wide dense layers, a discriminator training step costs about twice the same step
/// without this layer (where a materialised difference tensor costs ~90×).
#[derive(Clone, Debug, PartialEq)]
pub struct MinibatchDiscrimination<
    const IN: usize,
    const K: usize,
    const D: usize,
    const OUT: usize,
> {
    /// The tensor `T`, `[IN][K][D]`.
    pub t: [[[f32; D]; K]; IN],
}

impl<const IN: usize, const K: usize, const D: usize, const OUT: usize>
    MinibatchDiscrimination<IN, K, D, OUT>
{
    const CHECK: () = assert!(OUT == IN + K, "OUT must be IN + K");
}

impl<const IN: usize, const K: usize, const D: usize, const OUT: usize>
    MinibatchDiscrimination<IN, K, D, OUT>
{
    /// The layer with `T` the model's tensor `tensor`, decoded at compile time (see
    /// [`Embedded`](crate::model::Embedded)).
    pub const fn from_model(m: &crate::model::Embedded<'_>, tensor: usize, _buffer: usize) -> Self {
        let mut s = Self::ZERO;
        let t = s.t.as_flattened_mut().as_flattened_mut();
        m.fill(crate::model::Role::Param, tensor, t);
        s
    }
}

impl<const IN: usize, const K: usize, const D: usize, const OUT: usize> Zero
    for MinibatchDiscrimination<IN, K, D, OUT>
{
    const ZERO: Self = {
        let () = Self::CHECK;
        Self {
            t: [[[0.0; D]; K]; IN],
        }
    };
}

impl<const IN: usize, const K: usize, const D: usize, const OUT: usize> Layer
    for MinibatchDiscrimination<IN, K, D, OUT>
{
    type In = [f32; IN];
    type Out = [f32; OUT];
    /// The projection `x · T` (the kernel distances that follow are not counted).
    const MACS: usize = IN * K * D;

    fn forward<const B: usize>(&self, x: &[[f32; IN]; B], y: &mut [[f32; OUT]; B]) {
        let () = Self::CHECK;
        let (mut m, mut row) = ([[[0.0f32; K]; D]; B], [[0.0f32; D]; K]);
        let scratch = (flat_mut(&mut m), flat_mut(&mut row));
        k::forward::<K>(flat(x), flat(&self.t), scratch, flat_mut(y), IN);
    }
}

impl<const IN: usize, const K: usize, const D: usize, const OUT: usize> TrainLayer
    for MinibatchDiscrimination<IN, K, D, OUT>
{
    fn backward<const B: usize>(
        &self,
        x: &[[f32; IN]; B],
        _y: &[[f32; OUT]; B],
        dy: &[[f32; OUT]; B],
        dx: &mut [[f32; IN]; B],
        grads: &mut Self,
    ) {
        self.backward_with(x, dy, dx, Some(&mut grads.t));
    }

    fn backward_input<const B: usize>(
        &self,
        x: &[[f32; IN]; B],
        _y: &[[f32; OUT]; B],
        dy: &[[f32; OUT]; B],
        dx: &mut [[f32; IN]; B],
        _scratch: &mut Self,
    ) {
        self.backward_with(x, dy, dx, None);
    }
}

impl<const IN: usize, const K: usize, const D: usize, const OUT: usize>
    MinibatchDiscrimination<IN, K, D, OUT>
{
    /// The input gradient, and `T`'s added to `dt` if given.
    fn backward_with<const B: usize>(
        &self,
        x: &[[f32; IN]; B],
        dy: &[[f32; OUT]; B],
        dx: &mut [[f32; IN]; B],
        dt: Option<&mut [[[f32; D]; K]; IN]>,
    ) {
        let (mut m, mut dm) = ([[[0.0f32; K]; D]; B], [[[0.0f32; K]; D]; B]);
        let mut row = [[0.0f32; D]; K];
        let scratch = (flat_mut(&mut m), flat_mut(&mut dm), flat_mut(&mut row));
        k::backward::<K>(
            flat(x),
            flat(&self.t),
            flat(dy),
            scratch,
            flat_mut(dx),
            dt.map(|dt| flat_mut(dt)),
            IN,
        );
    }
}

impl<const IN: usize, const K: usize, const D: usize, const OUT: usize> Params
    for MinibatchDiscrimination<IN, K, D, OUT>
{
    const TENSORS: usize = 1;
    fn tensor(&self, i: usize) -> &[f32] {
        assert_eq!(i, 0, "MinibatchDiscrimination has 1 tensor");
        flat(&self.t)
    }
    fn tensor_mut(&mut self, i: usize) -> &mut [f32] {
        assert_eq!(i, 0, "MinibatchDiscrimination has 1 tensor");
        flat_mut(&mut self.t)
    }
    fn tensor_kind(&self, i: usize) -> TensorKind {
        assert_eq!(i, 0, "MinibatchDiscrimination has 1 tensor");
        TensorKind::Weight {
            fan_in: IN,
            fan_out: K * D,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{check_layer, random_batch, randomize};

    /// `T` with `M_i = x_i` (one kernel over both features).
    const IDENTITY: MinibatchDiscrimination<2, 1, 2, 3> = MinibatchDiscrimination {
        t: [[[1.0, 0.0]], [[0.0, 1.0]]],
    };

    /// The projection `x · T` per sample: `IN·K·D` = 4 inputs × 3 kernels × 2 dimensions.
    #[test]
    fn macs_by_hand() {
        assert_eq!(MinibatchDiscrimination::<4, 3, 2, 7>::MACS, 24);
    }

    /// `T` maps `IN` inputs to `K·D` projections: its fans for initialisation.
    #[test]
    fn tensor_fans_by_hand() {
        let kind = MinibatchDiscrimination::<4, 3, 2, 7>::ZERO.tensor_kind(0);
        let want = TensorKind::Weight {
            fan_in: 4,
            fan_out: 6,
        };
        assert_eq!(kind, want);
    }

    #[test]
    fn two_samples_at_distance_d_give_exp_minus_d() {
        for d in [0.0f32, 0.5, 3.0] {
            let mut y = [[0.0; 3]; 2];
            IDENTITY.forward(&[[1.0, 2.0], [1.0, 2.0 + d]], &mut y);
            let c = (-d).exp();
            assert!((y[0][2] - c).abs() < 1e-6 && y[0][2] == y[1][2], "d = {d}");
            assert_eq!(
                (&y[0][..2], &y[1][..2]),
                (&[1.0, 2.0][..], &[1.0, 2.0 + d][..])
            );
        }
    }

    #[test]
    fn hand_values_for_three_samples_and_two_kernels() {
        // K = 2 kernels of D = 1: M_i = (x_i, −2 x_i).
        let l = MinibatchDiscrimination::<1, 2, 1, 3> {
            t: [[[1.0], [-2.0]]],
        };
        let mut y = [[0.0; 3]; 3];
        l.forward(&[[0.0], [1.0], [3.0]], &mut y);
        let e = |v: f32| (-v).exp();
        let want = [
            [0.0, e(1.0) + e(3.0), e(2.0) + e(6.0)],
            [1.0, e(1.0) + e(2.0), e(2.0) + e(4.0)],
            [3.0, e(3.0) + e(2.0), e(6.0) + e(4.0)],
        ];
        for (a, b) in flat(&y).iter().zip(flat(&want)) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    #[test]
    fn backward_by_hand_with_a_zero_difference() {
        // M differs by (−1, 0): the second difference is 0 and gets sign 0.
        let x = [[0.0, 0.0], [1.0, 0.0]];
        let mut y = [[0.0; 3]; 2];
        IDENTITY.forward(&x, &mut y);
        let mut dx = [[9.0; 2]; 2];
        let mut g = MinibatchDiscrimination::ZERO;
        let dy = [[0.5, 0.0, 1.0], [0.0, 0.0, 0.0]];
        IDENTITY.backward(&x, &y, &dy, &mut dx, &mut g);
        // ∂o/∂‖·‖₁ = −e^(−1); ‖·‖₁ grows as M_0,0 falls.
        let e = (-1.0f32).exp();
        assert_eq!(dx, [[0.5 + e, 0.0], [-e, 0.0]]);
        // dT = Σ_n x_nᵀ dM_n: only x_1 = (1, 0) with dM_1 = (−e, 0) contributes.
        assert_eq!(g.t, [[[-e, 0.0]], [[0.0, 0.0]]]);
    }

    #[test]
    fn self_term_is_excluded() {
        let mut y = [[9.0; 3]];
        IDENTITY.forward(&[[0.5, -1.0]], &mut y);
        assert_eq!(y, [[0.5, -1.0, 0.0]]);
        let mut dx = [[9.0; 2]];
        let mut g = MinibatchDiscrimination::ZERO;
        IDENTITY.backward(&[[0.5, -1.0]], &y, &[[1.0, 2.0, 3.0]], &mut dx, &mut g);
        assert_eq!((dx, g), ([[1.0, 2.0]], MinibatchDiscrimination::ZERO));
    }

    #[test]
    fn permuting_the_batch_permutes_the_output() {
        let mut l = MinibatchDiscrimination::<4, 3, 2, 7>::ZERO;
        randomize(&mut l, 1);
        let x = *random_batch::<[f32; 4], 5>(2);
        let perm = [3, 0, 4, 1, 2];
        let xp = perm.map(|p| x[p]);
        let (mut y, mut yp) = ([[0.0; 7]; 5], [[0.0; 7]; 5]);
        l.forward(&x, &mut y);
        l.forward(&xp, &mut yp);
        for (n, &p) in perm.iter().enumerate() {
            for (a, b) in yp[n].iter().zip(&y[p]) {
                assert!((a - b).abs() <= 1e-6 * (1.0 + b.abs()));
            }
        }
    }

    #[test]
    fn backward_input_gives_backwards_dx_and_skips_the_parameter_gradient() {
        let mut l = MinibatchDiscrimination::<4, 3, 2, 7>::ZERO;
        randomize(&mut l, 3);
        let x = *random_batch::<[f32; 4], 5>(4);
        let dy = *random_batch::<[f32; 7], 5>(5);
        let mut y = [[0.0; 7]; 5];
        l.forward(&x, &mut y);
        let (mut dx, mut dx_only) = ([[0.0; 4]; 5], [[0.0; 4]; 5]);
        let (mut g, mut scratch) = (MinibatchDiscrimination::ZERO, MinibatchDiscrimination::ZERO);
        l.backward(&x, &y, &dy, &mut dx, &mut g);
        l.backward_input(&x, &y, &dy, &mut dx_only, &mut scratch);
        assert_eq!(dx_only, dx);
        assert_ne!(g, MinibatchDiscrimination::ZERO);
        assert_eq!(scratch, MinibatchDiscrimination::ZERO);
    }

    #[test]
    fn gradients_match_finite_differences() {
        // Random x and T: no two M entries coincide, so |·| is differentiable everywhere.
        let mut l = MinibatchDiscrimination::<3, 4, 2, 7>::ZERO;
        randomize(&mut l, 3);
        check_layer::<_, 4>(&mut l, 4);
        let mut l = MinibatchDiscrimination::<2, 1, 3, 3>::ZERO;
        randomize(&mut l, 5);
        check_layer::<_, 3>(&mut l, 6);
    }
}
