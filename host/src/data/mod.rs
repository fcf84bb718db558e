//! Training data: the 2-D mixtures of docs/ARCHITECTURE.md, Metrics ([`Toy`]) and the
//! 8×8 UCI digits ([`digits`]), with the per-feature [`Scaler`] that maps data units to
//! the model's `[−1, 1]` range and back.

pub mod digits;
mod toy;

pub use digits::{Digit, Digits, DigitsError};
pub use toy::Toy;

use serde::{Deserialize, Serialize};
use tinygan_core::rng::Prng;

/// Affine map of one feature between data units and the model's range:
/// `model = (data − offset) / scale`, `data = model · scale + offset`.
///
/// A generator ends in tanh, so its samples are in model units; [`Scaler::to_data`]
/// brings them back to data units before they are scored.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scaler {
    /// Data value that maps to 0.
    pub offset: f32,
    /// Data distance that maps to 1.
    pub scale: f32,
}

impl Scaler {
    /// Data units to model units.
    pub fn to_model(self, x: f32) -> f32 {
        (x - self.offset) / self.scale
    }

    /// Model units to data units.
    pub fn to_data(self, y: f32) -> f32 {
        y * self.scale + self.offset
    }
}

/// Maps every sample from data units to model units in place, feature `i` by `s[i]`.
pub fn to_model<const D: usize>(x: &mut [[f32; D]], s: &[Scaler; D]) {
    for v in x.iter_mut().flat_map(|p| p.iter_mut().zip(s)) {
        *v.0 = v.1.to_model(*v.0);
    }
}

/// Maps every sample from model units to data units in place, feature `i` by `s[i]`.
pub fn to_data<const D: usize>(x: &mut [[f32; D]], s: &[Scaler; D]) {
    for v in x.iter_mut().flat_map(|p| p.iter_mut().zip(s)) {
        *v.0 = v.1.to_data(*v.0);
    }
}

/// A uniform index in `0..n` by multiply-shift, `⌊u · n / 2³²⌋` (bias below `n / 2³²`).
pub fn index_below(rng: &mut Prng, n: usize) -> usize {
    ((rng.next_u32() as u64 * n as u64) >> 32) as usize
}

/// Fisher–Yates shuffle driven by [`index_below`]: the same seed gives the same order.
pub fn shuffle<T>(rng: &mut Prng, x: &mut [T]) {
    for i in (1..x.len()).rev() {
        x.swap(i, index_below(rng, i + 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaler_round_trips() {
        let s = [
            Scaler {
                offset: 8.0,
                scale: 8.0,
            },
            Scaler {
                offset: 0.0,
                scale: 5.0,
            },
        ];
        let mut x = [[0.0, -5.0], [16.0, 2.5]];
        to_model(&mut x, &s);
        assert_eq!(x, [[-1.0, -1.0], [1.0, 0.5]]);
        to_data(&mut x, &s);
        assert_eq!(x, [[0.0, -5.0], [16.0, 2.5]]);
    }

    #[test]
    fn shuffle_is_a_seeded_permutation() {
        let mut a: Vec<usize> = (0..100).collect();
        let mut b = a.clone();
        shuffle(&mut Prng::new(5), &mut a);
        shuffle(&mut Prng::new(5), &mut b);
        assert_eq!(a, b);
        assert_ne!(a, (0..100).collect::<Vec<_>>());
        a.sort_unstable();
        assert_eq!(a, (0..100).collect::<Vec<_>>());
    }
}
