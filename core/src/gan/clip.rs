//! Weight clipping for the Wasserstein critic.

use crate::params::Params;

/// Clamps every trainable scalar of `p` to `[−c, c]` (Arjovsky et al. 2017, "Wasserstein
/// GAN", arXiv:1701.07875, §3, Algorithm 1, line 7; the paper uses `c = 0.01`).
///
/// Call it on the critic after each of its optimiser steps. Persisted buffers (batch norm's
/// running statistics) are not trainable and are left alone. Panics if `c < 0`.
pub fn clip_params<P: Params>(p: &mut P, c: f32) {
    assert!(c >= 0.0, "clip bound must be non-negative");
    for i in 0..P::TENSORS {
        for v in p.tensor_mut(i) {
            *v = v.clamp(-c, c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Dense;

    #[test]
    fn clamps_every_tensor() {
        let mut d = Dense::<2, 2> {
            w: [[0.5, -0.005], [-3.0, 0.01]],
            b: [0.02, -0.0],
        };
        clip_params(&mut d, 0.01);
        assert_eq!(d.w, [[0.01, -0.005], [-0.01, 0.01]]);
        assert_eq!(d.b, [0.01, -0.0]);
    }
}
