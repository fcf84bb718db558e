//! Drawing samples from a generator, the same way on the host and on a board.
//!
//! The latent `z` of sample `i` is the next `In::LEN` Gaussian values of one
//! [`Prng`] (seeded once), drawn sample by sample with [`fill_gaussian`]: the stream does
//! not depend on how many samples a forward pass takes, so a board generating one at a
//! time draws the same `z` as the host generating in chunks.

use crate::Network;
use crate::rng::{Prng, fill_gaussian};
use crate::tensor::flat_mut;

/// Generates the next `B` samples of `g` (inference mode) into `acts`: draws their `z`
/// into `z` from `rng`, runs the forward pass and returns the outputs.
pub fn next_batch<'a, G: Network, const B: usize>(
    g: &G,
    rng: &mut Prng,
    z: &mut [G::In; B],
    acts: &'a mut G::Acts<B>,
) -> &'a [G::Out; B] {
    for zi in z.iter_mut() {
        fill_gaussian(rng, flat_mut(core::slice::from_mut(zi)));
    }
    g.forward(z, acts);
    G::output(acts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::{digits::*, mixture::*};
    use crate::tensor::Zero;
    use std::boxed::Box;

    /// `g` with every tensor Gaussian times 0.1 (small enough that no tanh saturates, so
    /// that a last-bit difference reaches the output) and every buffer (running or
    /// reference statistics) in [0.5, 1.4].
    fn random<G: Network>() -> Box<G> {
        let mut rng = Prng::new(5);
        let mut g = Box::new(G::ZERO);
        for i in 0..G::TENSORS {
            let t = g.tensor_mut(i);
            fill_gaussian(&mut rng, t);
            t.iter_mut().for_each(|v| *v *= 0.1);
        }
        for i in 0..G::BUFFERS {
            for (k, v) in g.buffer_mut(i).iter_mut().enumerate() {
                *v = 0.5 + (k % 10) as f32 / 10.0;
            }
        }
        g
    }

    /// `B` samples per forward pass give the bits of one sample per pass (what a board
    /// runs): the host's chunks of 25 take the batched kernel paths (samples in the vector
    /// lanes), a board the single-sample ones, and both must sum in the same order.
    fn batch_does_not_change_bits<G: Network, const B: usize>() {
        let g = random::<G>();
        let mut rng = Prng::new(3);
        let mut z = Box::new([G::In::ZERO; B]);
        let mut acts = Box::new(G::Acts::<B>::ZERO);
        let batch = *next_batch(&*g, &mut rng, &mut z, &mut acts);
        let mut rng = Prng::new(3);
        let mut z1 = [G::In::ZERO; 1];
        let mut acts1 = Box::new(G::Acts::<1>::ZERO);
        for (i, want) in batch.iter().enumerate() {
            let one = &next_batch(&*g, &mut rng, &mut z1, &mut *acts1)[0];
            let bits = |t: &G::Out| {
                crate::tensor::flat(core::slice::from_ref(t))
                    .iter()
                    .map(|v| v.to_bits())
                    .collect::<std::vec::Vec<_>>()
            };
            assert_eq!(bits(one), bits(want), "sample {i} of a batch of {B}");
        }
    }

    #[test]
    fn every_preset_generator_gives_the_same_bits_one_sample_at_a_time() {
        batch_does_not_change_bits::<MixG, 25>();
        batch_does_not_change_bits::<MixGBn, 25>();
        batch_does_not_change_bits::<MixGVbn, 25>();
        batch_does_not_change_bits::<DigitsG, 25>();
        batch_does_not_change_bits::<DigitsGBn, 25>();
        batch_does_not_change_bits::<DigitsGVbn, 25>();
        batch_does_not_change_bits::<DigitsGWide, 25>();
    }
}
