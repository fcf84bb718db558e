//! Feature matching: a generator loss on the statistics of a discriminator layer.

use crate::tensor::{Tensor, flat, flat_mut};

/// Feature matching (Salimans et al. 2016, "Improved Techniques for Training GANs",
/// arXiv:1606.03498, §3.1): G minimises the squared L2 distance between the batch means of
/// an intermediate D layer's features on real data and on fakes,
///
/// `L = ‖ mean_i f(real_i) − mean_j f(fake_j) ‖²`, summed (not averaged) over features,
///
/// with `∂L/∂f(fake_j) = 2 (mean f(fake) − mean f(real)) / B_fake` for every `j`. That is
/// the `dy` from which D's backward pass (started at that layer) carries the gradient to G;
/// the real features are constants. The real and fake batch sizes may differ.
///
/// Variant: the paper's, on batch means. Pitfall: the per-sample MSE
/// `Σ_i ‖f(real_i) − f(fake_i)‖²` over arbitrarily paired samples is *not* this loss. For
/// random pairings its minimiser maps every fake to the mean feature of the real data, so
/// it rewards mode collapse instead of matching statistics.
pub fn feature_matching<T: Tensor>(real: &[T], fake: &[T], d_fake: &mut [T]) -> f32 {
    feature_matching_flat(flat(real), flat(fake), T::LEN, flat_mut(d_fake))
}

/// [`feature_matching`] on flat `[B][features]` batches: `real` holds `B_real` rows, `fake`
/// and `d_fake` (overwritten) hold `B_fake` rows. Panics if a batch is empty or a length is
/// not a multiple of `features`.
pub fn feature_matching_flat(
    real: &[f32],
    fake: &[f32],
    features: usize,
    d_fake: &mut [f32],
) -> f32 {
    assert!(
        features > 0 && !real.is_empty() && !fake.is_empty(),
        "empty feature batch"
    );
    assert!(
        real.len().is_multiple_of(features) && fake.len().is_multiple_of(features),
        "ragged feature batch"
    );
    assert_eq!(fake.len(), d_fake.len(), "gradient slice length");
    let column_mean = |x: &[f32], f: usize| {
        let rows = x.len() / features;
        x.iter().skip(f).step_by(features).sum::<f32>() / rows as f32
    };
    let scale = 2.0 * features as f32 / fake.len() as f32;
    let mut loss = 0.0;
    for f in 0..features {
        let diff = column_mean(fake, f) - column_mean(real, f);
        loss += diff * diff;
        for d in d_fake.iter_mut().skip(f).step_by(features) {
            *d = scale * diff;
        }
    }
    loss
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{check_scalar_fn, random_batch};

    #[test]
    fn zero_when_means_coincide() {
        let real = [[1.0, 2.0], [3.0, 4.0]];
        let fake = [[2.0, 0.0], [2.0, 6.0], [2.0, 3.0]];
        let mut d = [[9.0; 2]; 3];
        assert_eq!(feature_matching(&real, &fake, &mut d), 0.0);
        assert_eq!(d, [[0.0; 2]; 3]);
    }

    #[test]
    fn by_hand() {
        let real = [[1.0, 2.0], [3.0, 4.0]];
        let fake = [[0.0, 0.0], [2.0, 2.0]];
        let mut d = [[0.0; 2]; 2];
        // Means [2, 3] and [1, 1]: L = 1 + 4, dL/dfake_j = 2·[−1, −2]/2.
        assert_eq!(feature_matching(&real, &fake, &mut d), 5.0);
        assert_eq!(d, [[-1.0, -2.0]; 2]);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let real = random_batch::<[f32; 3], 4>(1);
        let fake = random_batch::<[f32; 3], 5>(2);
        let mut d = [[0.0; 3]; 5];
        feature_matching(&real[..], &fake[..], &mut d);
        let mut scratch = [0.0; 15];
        let loss = |f: &[f32]| feature_matching_flat(flat(&real[..]), f, 3, &mut scratch);
        check_scalar_fn(loss, flat(&fake[..]), flat(&d));
    }
}
