//! Clipping and norms over every trainable tensor.

use crate::params::Params;

/// Clamps every trainable element of `p` to `[−c, c]`.
///
/// Applied to the critic's weights after each step this is WGAN's weight clipping
/// (Arjovsky et al. 2017, arXiv:1701.07875, Algorithm 1, `c = 0.01`); applied to
/// gradients it is PyTorch's `clip_grad_value_`. Panics if `c` is negative or NaN.
pub fn clip_value<P: Params>(p: &mut P, c: f32) {
    for i in 0..P::TENSORS {
        for x in p.tensor_mut(i) {
            *x = x.clamp(-c, c);
        }
    }
}

/// Global L2 norm `√(Σ x²)` over every trainable element of `p` (summed in f32).
pub fn l2_norm<P: Params>(p: &P) -> f32 {
    let sq: f32 = (0..P::TENSORS)
        .map(|i| p.tensor(i).iter().map(|x| x * x).sum::<f32>())
        .sum();
    crate::math::sqrt(sq)
}

/// Scales `grads` so that their global L2 norm is at most `max_norm`, and returns the norm
/// before scaling (PyTorch's `clip_grad_norm_`, without its `10⁻⁶` in the divisor).
pub fn clip_norm<P: Params>(grads: &mut P, max_norm: f32) -> f32 {
    let norm = l2_norm(grads);
    if norm > max_norm {
        let s = max_norm / norm;
        for i in 0..P::TENSORS {
            grads.tensor_mut(i).iter_mut().for_each(|x| *x *= s);
        }
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::tests::{assert_params, dense};

    #[test]
    fn clip_value_clamps_every_tensor() {
        let mut p = dense([0.5, -0.003, -2.0]);
        clip_value(&mut p, 0.01);
        assert_eq!((p.w, p.b), ([[0.01, -0.003]], [-0.01]));
    }

    #[test]
    fn norm_spans_all_tensors_and_clipping_rescales() {
        let mut g = dense([3.0, 0.0, -4.0]);
        assert_eq!(l2_norm(&g), 5.0);
        assert_eq!(clip_norm(&mut g, 10.0), 5.0);
        assert_eq!(g, dense([3.0, 0.0, -4.0]), "below the limit: unchanged");
        assert_eq!(clip_norm(&mut g, 1.0), 5.0);
        assert_params(&g, [0.6, 0.0, -0.8], 1e-7, "scaled to norm 1");
    }
}
