//! Seeded computations that the host records and every device must reproduce bit for bit.
//!
//! The firmware self-test runs these on the microcontroller and compares the `f32` results
//! (by `to_bits`) with values the host computed from the same functions and seed, so any
//! divergence between host and device arithmetic (FMA contraction, approximate math, a
//! different summation order) fails a test instead of drifting silently.

use crate::layers::Dense;
use crate::params::Params;
use crate::rng::{Prng, fill_gaussian};

/// The seed the self-test vectors are made from.
pub const SEED: u64 = 2016;

/// The Dense shape checked and costed on the device: 32 → 32, so 1024 MACs per sample.
pub type ParityDense = Dense<32, 32>;

/// Fills every trainable tensor of `p`, then `x`, with N(0, 1) samples drawn in that order
/// from one [`Prng::new`]`(seed)`.
pub fn seeded<P: Params>(seed: u64, p: &mut P, x: &mut [f32]) {
    let mut rng = Prng::new(seed);
    for i in 0..P::TENSORS {
        fill_gaussian(&mut rng, p.tensor_mut(i));
    }
    fill_gaussian(&mut rng, x);
}

/// The first `out.len()` words of [`Prng::new`]`(seed)`.
pub fn prng_words(seed: u64, out: &mut [u32]) {
    let mut rng = Prng::new(seed);
    out.iter_mut().for_each(|w| *w = rng.next_u32());
}

/// [`fill_gaussian`] on `out` from [`Prng::new`]`(seed)`.
pub fn gaussians(seed: u64, out: &mut [f32]) {
    fill_gaussian(&mut Prng::new(seed), out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Zero;

    #[test]
    fn seeded_fills_parameters_then_input() {
        let mut d = Dense::<2, 1>::ZERO;
        let mut x = [0.0; 3];
        seeded(5, &mut d, &mut x);
        let mut r = Prng::new(5);
        let (mut w, mut xr) = ([0.0; 2], [0.0; 3]);
        fill_gaussian(&mut r, &mut w);
        let b = crate::rng::gaussian(&mut r);
        fill_gaussian(&mut r, &mut xr);
        assert_eq!((d.w[0], d.b[0], x), (w, b, xr));
    }

    #[test]
    fn words_are_the_prng_sequence() {
        let mut w = [0; 2];
        prng_words(9, &mut w);
        let mut r = Prng::new(9);
        assert_eq!(w, [r.next_u32(), r.next_u32()]);
    }
}
