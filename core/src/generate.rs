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
