//! Experience replay: D also sees fakes from earlier generators.
//!
//! Shrivastava et al. 2017, "Learning from Simulated and Unsupervised Images through
//! Adversarial Training", arXiv:1612.07828, §2.3, and Pfau & Vinyals 2016, "Connecting
//! Generative Adversarial Networks and Actor-Critic Methods", arXiv:1610.01945: a
//! buffer of past fakes supplies a share of each D batch, so D keeps rejecting what G
//! produced before and G cannot cycle back to it.
//!
//! Variant: a FIFO ring of the most recent `CAP` fakes (SimGAN replaces random entries
//! instead), sampled uniformly with replacement; by default half of D's fake batch comes
//! from the buffer, as in SimGAN.

use super::ring::Ring;
use crate::tensor::Tensor;
use rand_core::Rng;

/// A ring buffer of up to `CAP` past fakes, each a `T` (one sample). `CAP = 0` does not
/// compile.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay<T, const CAP: usize> {
    items: [T; CAP],
    ring: Ring<CAP>,
}

/// How much of D's fake batch [`Replay::mix`] replaces.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Share {
    /// A fraction of the batch in `[0, 1]`, rounded to the nearest count.
    Fraction(f32),
    /// A number of samples (capped at the batch size).
    Count(usize),
}

impl Share {
    /// Half of the batch, as in SimGAN.
    pub const HALF: Self = Share::Fraction(0.5);

    /// Number of samples out of a batch of `batch`.
    pub fn of(self, batch: usize) -> usize {
        match self {
            Share::Fraction(f) => libm::roundf(f.clamp(0.0, 1.0) * batch as f32) as usize,
            Share::Count(n) => n.min(batch),
        }
    }
}

impl<T: Tensor, const CAP: usize> Replay<T, CAP> {
    /// An empty buffer (all zero; usable as a `static` initialiser).
    pub const fn new() -> Self {
        Self {
            items: [T::ZERO; CAP],
            ring: Ring::EMPTY,
        }
    }

    /// Empties the buffer in place (stored samples are zeroed).
    pub fn clear(&mut self) {
        crate::tensor::flat_mut(&mut self.items).fill(0.0);
        self.ring = Ring::EMPTY;
    }

    /// Number of stored samples.
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True once `CAP` samples are stored; from then on each push overwrites the oldest.
    pub fn is_full(&self) -> bool {
        self.ring.is_full()
    }

    /// Stores every sample of `batch`, overwriting the oldest ones once full.
    pub fn push(&mut self, batch: &[T]) {
        for x in batch {
            self.items[self.ring.advance()] = *x;
        }
    }

    /// Fills `out` with stored samples drawn uniformly with replacement. Returns the number
    /// written: `out.len()`, or 0 (and `out` untouched) while the buffer is empty.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [T]) -> usize {
        if self.is_empty() {
            return 0;
        }
        for o in out.iter_mut() {
            // Multiply-shift maps 32 random bits onto 0..len (bias below len/2³²).
            let j = ((rng.next_u32() as u64 * self.len() as u64) >> 32) as usize;
            *o = self.items[j];
        }
        out.len()
    }

    /// Replaces the first `share.of(fake.len())` samples of D's fresh fake batch with
    /// replayed ones, then stores the fresh samples that remain. Returns how many samples
    /// were replaced (0 while the buffer is empty, so the first batch is all fresh).
    ///
    /// Replaced fresh samples are discarded, not stored: the buffer then never holds a
    /// sample of the batch it is mixed into. The positions do not matter for D, since the
    /// fresh samples are exchangeable.
    pub fn mix<R: Rng + ?Sized>(&mut self, rng: &mut R, fake: &mut [T], share: Share) -> usize {
        let k = if self.is_empty() {
            0
        } else {
            share.of(fake.len())
        };
        let (old, fresh) = fake.split_at_mut(k);
        self.sample(rng, old);
        self.push(fresh);
        k
    }
}

impl<T: Tensor, const CAP: usize> Default for Replay<T, CAP> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Prng;

    #[test]
    fn fills_to_capacity_then_wraps() {
        let mut r = Replay::<[f32; 1], 5>::new();
        assert!(r.is_empty());
        r.push(&[[1.0], [2.0], [3.0]]);
        assert_eq!((r.len(), r.is_full()), (3, false));
        r.push(&[[4.0], [5.0]]);
        assert_eq!((r.len(), r.is_full()), (5, true));
        assert_eq!(r.items, [[1.0], [2.0], [3.0], [4.0], [5.0]]);
        r.push(&[[6.0], [7.0]]);
        assert_eq!(r.len(), 5);
        assert_eq!(
            r.items,
            [[6.0], [7.0], [3.0], [4.0], [5.0]],
            "oldest overwritten"
        );
    }

    #[test]
    fn samples_only_stored_items() {
        let mut r = Replay::<f32, 8>::new();
        let mut rng = Prng::new(1);
        let mut out = [-1.0; 4];
        assert_eq!(r.sample(&mut rng, &mut out), 0);
        assert_eq!(out, [-1.0; 4], "empty buffer leaves out untouched");
        r.push(&[10.0, 20.0, 30.0]);
        let mut seen = [false; 3];
        for _ in 0..100 {
            assert_eq!(r.sample(&mut rng, &mut out), 4);
            for v in out {
                let k = [10.0, 20.0, 30.0].iter().position(|&s| s == v);
                seen[k.expect("sampled an unstored slot")] = true;
            }
        }
        assert_eq!(seen, [true; 3]);
    }

    #[test]
    fn mix_replaces_a_share_and_the_buffer_fills() {
        let mut r = Replay::<f32, 6>::new();
        let mut rng = Prng::new(2);
        let mut batch = [1.0, 1.0, 1.0, 1.0];
        assert_eq!(
            r.mix(&mut rng, &mut batch, Share::HALF),
            0,
            "nothing to replay yet"
        );
        assert_eq!((batch, r.len()), ([1.0; 4], 4));
        let mut batch = [2.0; 4];
        assert_eq!(r.mix(&mut rng, &mut batch, Share::Count(3)), 3);
        assert_eq!(batch[..3], [1.0; 3]);
        assert_eq!((batch[3], r.len()), (2.0, 5));
        let mut batch = [3.0; 4];
        assert_eq!(r.mix(&mut rng, &mut batch, Share::Fraction(0.25)), 1);
        assert!(r.is_full());
        assert_ne!(
            batch[0], 3.0,
            "the current batch is never replayed into itself"
        );
    }

    #[test]
    fn share_counts() {
        assert_eq!(Share::HALF.of(5), 3);
        assert_eq!(Share::Fraction(0.25).of(8), 2);
        assert_eq!(Share::Fraction(2.0).of(8), 8);
        assert_eq!(Share::Count(10).of(4), 4);
    }
}
