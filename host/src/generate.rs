//! Drawing samples from a trained generator, as a stream.
//!
//! `z` for sample `i` is the next `Z` Gaussian values from `Prng::new(seed)`, drawn per
//! sample by [`next_batch`] — the same stream a device draws for the same seed.
//! Samples are computed [`CHUNK`] per forward pass, so a stream holds one chunk however
//! many samples are taken from it.

use tinygan_core::generate::next_batch;
use tinygan_core::rng::Prng;
use tinygan_core::tensor::{Zero, flat};
use tinygan_core::{Network, Tensor};

/// Samples generated per forward pass.
pub const CHUNK: usize = 25;

/// The endless stream of samples of `g` (inference mode), `z` drawn from `rng`.
pub struct Samples<'g, G: Network> {
    g: &'g G,
    rng: Prng,
    z: Box<[G::In; CHUNK]>,
    acts: Box<G::Acts<CHUNK>>,
    /// Index in the current chunk of the next sample (`CHUNK`: none computed yet).
    next: usize,
}

impl<'g, G: Network> Samples<'g, G> {
    /// The stream of `g` with `z` drawn from `rng`.
    pub fn new(g: &'g G, rng: Prng) -> Self {
        Self {
            g,
            rng,
            z: Box::new([G::In::ZERO; CHUNK]),
            acts: Box::new(G::Acts::<CHUNK>::ZERO),
            next: CHUNK,
        }
    }
}

impl<G: Network> Iterator for Samples<'_, G> {
    type Item = G::Out;

    fn next(&mut self) -> Option<G::Out> {
        if self.next == CHUNK {
            next_batch(self.g, &mut self.rng, &mut self.z, &mut self.acts);
            self.next = 0;
        }
        self.next += 1;
        Some(G::output(&self.acts)[self.next - 1])
    }
}

/// A sample as a row of `f32` (its values in row-major order).
pub fn row<T: Tensor>(sample: &T) -> Vec<f32> {
    flat(std::slice::from_ref(sample)).to_vec()
}

/// The stream of `g`'s samples as rows, `z` drawn from `Prng::new(seed)`.
pub fn sample_rows<G: Network>(g: &G, seed: u64) -> impl Iterator<Item = Vec<f32>> + '_ {
    Samples::new(g, Prng::new(seed)).map(|s| row(&s))
}

/// A sample's line of the CSV `tinygan generate` and `tinygan deploy` write (data units):
/// each value as Rust prints an `f32` (the shortest text that reads back to the same
/// bits), comma-separated, ending in a newline.
pub fn csv_row(row: &[f32]) -> String {
    let cells: Vec<String> = row.iter().map(f32::to_string).collect();
    cells.join(",") + "\n"
}

/// The CSV of `rows`: one [`csv_row`] each.
pub fn csv(rows: &[Vec<f32>]) -> String {
    rows.iter().map(|r| csv_row(r)).collect()
}
