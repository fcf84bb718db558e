//! Multiple GANs: `K` generators trained independently (different seeds), each kept for
//! the modes it covers best, sampled as a mixture (pick a generator, then `z`).
//!
//! The assignment is [`ModeAssign`]: per generator and per mode, the score is the number of
//! its [`crate::run::EVAL_N`] samples that land in the mode (high-quality samples nearest a
//! mixture's mode, or the classifier's class for digits); each mode goes to its best
//! generator, and a generator's weight is the number of modes it owns.

use crate::dataset::Dataset;
use anyhow::{Result, ensure};
use tinygan_core::gan::ModeAssign;
use tinygan_core::gan::mixture::pick_weighted;
use tinygan_core::rng::Prng;

/// Most generators in a mixture.
pub const MAX_GENERATORS: usize = 16;
/// Most modes a data set has (grid25).
pub const MAX_MODES: usize = 25;

/// A mixture of generators: which are kept and with what weight.
pub struct Mixture {
    assign: ModeAssign<MAX_GENERATORS, MAX_MODES>,
}

impl Mixture {
    /// Assigns modes to generators from each generator's samples (model units).
    pub fn fit(data: Dataset, per_generator: &[Vec<Vec<f32>>]) -> Result<Self> {
        ensure!(
            (1..=MAX_GENERATORS).contains(&per_generator.len()),
            "a mixture has 1 to {MAX_GENERATORS} generators, not {}",
            per_generator.len()
        );
        let mut scores = [[0u32; MAX_MODES]; MAX_GENERATORS];
        for (row, samples) in scores.iter_mut().zip(per_generator) {
            for (s, c) in row.iter_mut().zip(data.mode_counts(samples)?) {
                *s = c as u32;
            }
        }
        Ok(Self {
            assign: ModeAssign::from_scores(&scores, 1),
        })
    }

    /// Weight of each generator (modes it owns), for the first `k` generators.
    pub fn weights(&self, k: usize) -> Vec<u32> {
        self.assign.weights()[..k].to_vec()
    }
}

/// Seed of generator `k` of a multiple-GAN run trained (or sampled) with `seed`.
pub fn generator_seed(seed: u64, k: usize) -> u64 {
    seed.wrapping_add(k as u64 * 1_000_003)
}

/// The samples of a mixture: sample `i` comes from the generator that
/// [`pick_weighted`] draws from `weights` with `Prng::new(seed)` (generator 0 when every
/// weight is 0), the next row of that generator's stream in `sources`. Ends when a picked
/// stream ends.
pub fn mixture_rows<'a, T: 'a>(
    weights: Vec<u32>,
    mut sources: Vec<Box<dyn Iterator<Item = T> + 'a>>,
    seed: u64,
) -> impl Iterator<Item = T> + 'a {
    let mut rng = Prng::new(seed);
    std::iter::from_fn(move || {
        let k = pick_weighted(&weights, &mut rng).unwrap_or(0);
        sources[k].next()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Toy;

    /// Two generators that each collapse onto a different ring8 mode: the mixture keeps
    /// both, with equal weight, and covers both modes.
    #[test]
    fn two_collapsed_generators_cover_two_modes() {
        let toy = Toy::Ring8;
        let s = toy.scalers();
        let at = |m: [f32; 2]| vec![vec![s[0].to_model(m[0]), s[1].to_model(m[1])]; 50];
        let means = toy.means();
        let gens = vec![at(means[0]), at(means[3])];
        let mix = Mixture::fit(Dataset::Ring8, &gens).unwrap();
        assert_eq!(mix.weights(2), vec![1, 1]);
        let sources = gens
            .iter()
            .map(|g| Box::new(g.clone().into_iter().cycle()) as Box<dyn Iterator<Item = _>>)
            .collect();
        let samples: Vec<_> = mixture_rows(mix.weights(2), sources, 1).take(400).collect();
        let crate::metrics::EvalReport::Modes(m) = Dataset::Ring8.score(&samples).unwrap() else {
            panic!("ring8 gives mode scores")
        };
        assert_eq!(m.modes, 2);
        // Two equally used modes of eight: KL(q ‖ U) = ln(8/2).
        assert!((m.reverse_kl - 4f64.ln()).abs() < 0.05, "{}", m.reverse_kl);
        assert!(Mixture::fit(Dataset::Ring8, &[]).is_err());
    }
}
