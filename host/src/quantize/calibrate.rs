//! Activation ranges of a generator over generated batches.

use crate::generate::CHUNK;
use tinygan_core::Network;
use tinygan_core::rng::{Prng, fill_gaussian};
use tinygan_core::tensor::{Zero, flat, flat_mut};

/// Seed of the calibration draws of `z`, apart from the seeds samples are scored with.
pub const SEED: u64 = 0xCA1B_2A7E;

/// The values a tensor took: `[lo, hi]`, and its length per sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Smallest value seen (at most 0).
    pub lo: f32,
    /// Largest value seen (at least 0).
    pub hi: f32,
    /// Values per sample.
    pub len: usize,
}

impl Range {
    fn widen(&mut self, v: &[f32]) {
        for &x in v {
            (self.lo, self.hi) = (self.lo.min(x), self.hi.max(x));
        }
    }
}

/// The ranges of `z` and of every layer's output over `n` samples of `g` (inference
/// mode), `z` drawn from `Prng::new(`[`SEED`]`)` as [`crate::generate::Samples`] draws it.
pub fn ranges<G: Network>(g: &G, n: usize) -> (Range, Vec<Range>) {
    let mut rng = Prng::new(SEED);
    let mut z = Box::new([G::In::ZERO; CHUNK]);
    let mut acts = Box::new(G::Acts::<CHUNK>::ZERO);
    let empty = |len| Range {
        lo: 0.0,
        hi: 0.0,
        len,
    };
    let mut z_range = empty(flat(&z[..1]).len());
    let mut layers: Vec<Range> = (0..G::LAYERS)
        .map(|i| empty(G::layer_output(&acts, i).len() / CHUNK))
        .collect();
    let mut done = 0;
    while done < n {
        let take = CHUNK.min(n - done);
        for zi in z.iter_mut() {
            fill_gaussian(&mut rng, flat_mut(std::slice::from_mut(zi)));
        }
        g.forward(&z, &mut acts);
        z_range.widen(flat(&z[..take]));
        for (i, r) in layers.iter_mut().enumerate() {
            r.widen(&G::layer_output(&acts, i)[..take * r.len]);
        }
        done += take;
    }
    (z_range, layers)
}
