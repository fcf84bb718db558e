//! Drawing samples from a trained generator.
//!
//! `z` for sample `i` is the next `Z` Gaussian values from `Prng::new(seed)`, drawn per
//! sample with [`fill_gaussian`] — the same stream a device draws for the same seed.

use tinygan_core::rng::{Prng, fill_gaussian};
use tinygan_core::tensor::{Zero, flat_mut};
use tinygan_core::{Network, Tensor};

/// Samples generated per forward pass.
pub const CHUNK: usize = 25;

/// `n` samples of `g` (inference mode), with `z` drawn from `rng`.
pub fn generate<G: Network>(g: &G, rng: &mut Prng, n: usize) -> Vec<G::Out> {
    let mut out = Vec::with_capacity(n);
    let mut z = Box::new([G::In::ZERO; CHUNK]);
    let mut acts = Box::new(G::Acts::<CHUNK>::ZERO);
    while out.len() < n {
        for zi in z.iter_mut() {
            fill_gaussian(rng, flat_mut(std::slice::from_mut(zi)));
        }
        g.forward(&z, &mut acts);
        let take = CHUNK.min(n - out.len());
        out.extend_from_slice(&G::output(&acts)[..take]);
    }
    out
}

/// The samples as rows of `f32` (a sample's values in row-major order).
pub fn rows<T: Tensor>(samples: &[T]) -> Vec<Vec<f32>> {
    samples
        .iter()
        .map(|s| tinygan_core::tensor::flat(std::slice::from_ref(s)).to_vec())
        .collect()
}
