//! Multiple generators: which to keep for which modes, and how to sample the mixture.

use rand_core::Rng;

/// Assignment of data modes to `K` generators, and the mixture sampling rule.
///
/// Mixtures of generators: Tolstikhin et al. 2017, "AdaGAN", arXiv:1701.02386, and Hoang et
/// al. 2018, "MGAN: Training GANs with Multiple Generators", arXiv:1708.02556, §3 (sample a
/// generator index from a categorical distribution, then `z`). The assignment rule is this
/// crate's own, made for the host's mode metrics (docs/ARCHITECTURE.md, Metrics):
///
/// - input: `scores[k][m]`, a per-generator, per-mode score such as the number of
///   high-quality samples generator `k` put in mode `m`;
/// - mode `m` is owned by the generator with the highest score for it (ties go to the lowest
///   index), provided that score is at least `min_score` (and above 0); otherwise the mode
///   is uncovered;
/// - generator `k` is kept if it owns at least one mode; its weight is the number of modes
///   it owns, so that, if each generator spreads its samples evenly over its modes, every
///   covered mode gets the same share of the mixture's samples;
/// - sampling: pick `k` with probability `weight[k] / Σ weight` ([`ModeAssign::pick`]),
///   then draw `z ~ N(0, I)` and run generator `k`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModeAssign<const K: usize, const M: usize> {
    owner: [Option<usize>; M],
    weight: [u32; K],
}

impl<const K: usize, const M: usize> ModeAssign<K, M> {
    /// Assigns every mode to its best generator (see the type's rule).
    pub fn from_scores(scores: &[[u32; M]; K], min_score: u32) -> Self {
        let mut owner = [None; M];
        let mut weight = [0u32; K];
        for (m, o) in owner.iter_mut().enumerate() {
            let mut best: Option<(usize, u32)> = None;
            for (k, row) in scores.iter().enumerate() {
                if row[m] > 0 && row[m] >= min_score && best.is_none_or(|(_, s)| row[m] > s) {
                    best = Some((k, row[m]));
                }
            }
            if let Some((k, _)) = best {
                *o = Some(k);
                weight[k] += 1;
            }
        }
        Self { owner, weight }
    }

    /// The generator that owns mode `m`, if any.
    pub fn owner(&self, m: usize) -> Option<usize> {
        self.owner[m]
    }

    /// Whether generator `k` is kept (owns at least one mode).
    pub fn is_kept(&self, k: usize) -> bool {
        self.weight[k] > 0
    }

    /// The sampling weights: modes owned per generator.
    pub fn weights(&self) -> &[u32; K] {
        &self.weight
    }

    /// Number of modes that have an owner.
    pub fn covered(&self) -> usize {
        self.owner.iter().flatten().count()
    }

    /// Picks a generator with probability proportional to its weight; `None` if no
    /// generator is kept.
    pub fn pick<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<usize> {
        pick_weighted(&self.weight, rng)
    }
}

/// Picks index `k` with probability `weights[k] / Σ weights`: an integer `u` uniform in
/// `0..Σ weights` by multiply-shift of one `u32` draw, then the first `k` whose cumulative
/// weight exceeds `u`. `None` if every weight is 0. The rule of [`ModeAssign::pick`], for a
/// mixture whose weights were saved.
pub fn pick_weighted<R: Rng + ?Sized>(weights: &[u32], rng: &mut R) -> Option<usize> {
    let total: u64 = weights.iter().map(|&w| w as u64).sum();
    if total == 0 {
        return None;
    }
    let mut u = (rng.next_u32() as u64 * total) >> 32;
    for (k, &w) in weights.iter().enumerate() {
        if u < w as u64 {
            return Some(k);
        }
        u -= w as u64;
    }
    unreachable!("u < total")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Prng;

    const SCORES: [[u32; 4]; 3] = [[10, 0, 5, 0], [3, 8, 5, 0], [0, 1, 0, 0]];

    #[test]
    fn assigns_modes_to_the_best_generator() {
        let a = ModeAssign::from_scores(&SCORES, 1);
        assert_eq!(
            [0, 1, 2, 3].map(|m| a.owner(m)),
            [Some(0), Some(1), Some(0), None]
        );
        assert_eq!(a.weights(), &[2, 1, 0]);
        assert_eq!([0, 1, 2].map(|k| a.is_kept(k)), [true, true, false]);
        assert_eq!(a.covered(), 3);

        let strict = ModeAssign::from_scores(&SCORES, 6);
        assert_eq!(strict.owner(2), None, "best score 5 is below the minimum");
        assert_eq!(strict.weights(), &[1, 1, 0]);
    }

    #[test]
    fn picks_by_weight_and_never_a_dropped_generator() {
        let a = ModeAssign::from_scores(&SCORES, 1);
        let mut rng = Prng::new(5);
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            counts[a.pick(&mut rng).unwrap()] += 1;
        }
        assert_eq!(counts[2], 0);
        let share = counts[0] as f64 / 30_000.0;
        assert!((share - 2.0 / 3.0).abs() < 0.01, "share {share}");
        let none = ModeAssign::<2, 3>::from_scores(&[[0; 3]; 2], 0);
        assert_eq!((none.covered(), none.pick(&mut rng)), (0, None));
    }
}
