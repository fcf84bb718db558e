//! The built-in data sets by name, with their presets and scoring.

use crate::config::TrainConfig;
use crate::count::Count;
use crate::data::Toy;
use crate::data::digits::{Digits, PIXELS};
use crate::metrics::EvalReport;
use crate::metrics::classifier::CLASSES;
use crate::metrics::digits::DigitsEval;
use crate::metrics::modes::hq_per_mode;
use anyhow::{Result, anyhow, bail};
use std::fmt;
use std::str::FromStr;

/// A built-in data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    /// 8 Gaussians on the unit circle.
    Ring8,
    /// 25 Gaussians on a 5×5 grid.
    Grid25,
    /// The 8×8 UCI handwritten digits.
    Digits,
}

impl FromStr for Dataset {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "ring8" => Ok(Self::Ring8),
            "grid25" => Ok(Self::Grid25),
            "digits" => Ok(Self::Digits),
            _ => bail!("unknown data set `{s}`: expected ring8, grid25 or digits"),
        }
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ring8 => "ring8",
            Self::Grid25 => "grid25",
            Self::Digits => "digits",
        })
    }
}

/// Most samples scored at once: scoring holds every sample in memory (a digit with its
/// classifier outputs takes about 1 kB).
pub const EVAL_MAX: u64 = 1_000_000;

impl Dataset {
    /// Modes of a mixture, or classes of the digits.
    pub fn modes(self) -> usize {
        match self.toy() {
            Some(toy) => toy.means().len(),
            None => CLASSES,
        }
    }

    /// The sample counts `tinygan eval` scores: at least one sample per mode (class), the
    /// fewest with which every mode can be covered, and at most [`EVAL_MAX`].
    pub fn eval_counts(self) -> Count {
        Count::new(self.modes() as u64, EVAL_MAX)
    }

    /// The 2-D mixture, if this is one.
    pub fn toy(self) -> Option<Toy> {
        match self {
            Self::Ring8 => Some(Toy::Ring8),
            Self::Grid25 => Some(Toy::Grid25),
            Self::Digits => None,
        }
    }

    /// The default training config: the best combination found for this data set.
    pub fn preset(self) -> TrainConfig {
        match self.toy() {
            Some(toy) => crate::presets::mixture::config(toy),
            None => crate::presets::digits::config(),
        }
    }

    /// Samples (model units) as 2-D points in data units.
    fn points(toy: Toy, samples: &[Vec<f32>]) -> Result<Vec<[f32; 2]>> {
        let s = toy.scalers();
        samples
            .iter()
            .enumerate()
            .map(|(i, r)| match r[..] {
                [x, y] => Ok([s[0].to_data(x), s[1].to_data(y)]),
                _ => bail!("sample {i} has {} values, a 2-D point has 2", r.len()),
            })
            .collect()
    }

    /// Samples (model units) as 8×8 images.
    fn images(samples: &[Vec<f32>]) -> Result<Vec<[f32; PIXELS]>> {
        samples
            .iter()
            .enumerate()
            .map(|(i, r)| {
                <[f32; PIXELS]>::try_from(&r[..])
                    .map_err(|_| anyhow!("sample {i} has {} values, a digit has {PIXELS}", r.len()))
            })
            .collect()
    }

    /// Scores samples in model units (rows of `f32`, one sample each).
    pub fn score(self, samples: &[Vec<f32>]) -> Result<EvalReport> {
        Ok(match self.toy() {
            Some(toy) => EvalReport::Modes(toy.score(&Self::points(toy, samples)?)),
            None => EvalReport::Digits(DigitsEval::shipped()?.score(&Self::images(samples)?)?),
        })
    }

    /// Per-mode counts of samples (model units): high-quality samples nearest each mode of
    /// a mixture, or the classifier's class assignments of digits.
    pub fn mode_counts(self, samples: &[Vec<f32>]) -> Result<Vec<usize>> {
        Ok(match self.toy() {
            Some(toy) => hq_per_mode(&Self::points(toy, samples)?, &toy.means(), toy.sigma()),
            None => DigitsEval::shipped()?
                .class_counts(&Self::images(samples)?)
                .to_vec(),
        })
    }

    /// The real-data reference at `n` samples: held-out digits (the ceiling), or fresh
    /// samples of the mixture.
    pub fn ceiling(self, n: usize, seed: u64) -> Result<EvalReport> {
        match self.toy() {
            Some(toy) => {
                let mut rng = tinygan_core::rng::Prng::new(seed);
                Ok(EvalReport::Modes(toy.score(&toy.sample(&mut rng, n))))
            }
            None => {
                let digits = Digits::load()?;
                Ok(EvalReport::Digits(
                    DigitsEval::shipped()?.ceiling(&digits, n)?,
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinygan_core::rng::Prng;

    /// Real samples of `data` in model units.
    fn real(data: Dataset, n: usize) -> Vec<Vec<f32>> {
        match data.toy() {
            Some(toy) => toy
                .sample_model(&mut Prng::new(1), n)
                .iter()
                .map(|p| p.to_vec())
                .collect(),
            None => Digits::load().unwrap().held_out[..n]
                .iter()
                .map(|d| d.pixels.to_vec())
                .collect(),
        }
    }

    /// The fewest samples eval takes is one per mode (8 and 25 Gaussians, 10 digit
    /// classes), and that many real samples score.
    #[test]
    fn eval_n_minimum_is_one_sample_per_mode() {
        for (data, modes) in [
            (Dataset::Ring8, 8),
            (Dataset::Grid25, 25),
            (Dataset::Digits, 10),
        ] {
            assert_eq!(data.eval_counts(), Count::new(modes, 1_000_000));
            let msg = format!("{:#}", data.eval_counts().check("`--n`", 0).unwrap_err());
            assert_eq!(
                msg,
                format!("`--n` = 0 is out of range: allowed {modes} to 1000000")
            );
            data.score(&real(data, modes as usize)).unwrap();
        }
    }
}
