//! Every built-in generator type, found from a model file's architecture fingerprint.

use super::digits::{DigitsG, DigitsGBn, DigitsGVbn, DigitsGWide};
use super::mixture::{MixG, MixGBn, MixGVbn};
use crate::generate::{generate, rows};
use crate::model_io::{OutputScaling, load_into};
use anyhow::{Result, bail};
use tinygan_core::Network;
use tinygan_core::model::{Fingerprint, ModelFile};
use tinygan_core::rng::Prng;

/// A loaded generator of one of the built-in architectures.
pub enum AnyGenerator {
    /// 2-D mixture generator.
    Mix(Box<MixG>),
    /// 2-D mixture generator with batch norm.
    MixBn(Box<MixGBn>),
    /// 2-D mixture generator with virtual batch norm.
    MixVbn(Box<MixGVbn>),
    /// Digits generator.
    Digits(Box<DigitsG>),
    /// Digits generator with batch norm.
    DigitsBn(Box<DigitsGBn>),
    /// Digits generator with virtual batch norm.
    DigitsVbn(Box<DigitsGVbn>),
    /// Wide digits generator.
    DigitsWide(Box<DigitsGWide>),
}

/// A generator loaded from a file, with the map of its output to data units.
pub struct LoadedGenerator {
    /// The network.
    pub net: AnyGenerator,
    /// Output to data units (identity when the file has none).
    pub scaling: Option<OutputScaling>,
}

fn try_load<G: Network + Fingerprint>(
    bytes: &[u8],
    wrap: fn(Box<G>) -> AnyGenerator,
) -> Option<Result<LoadedGenerator>> {
    let file = ModelFile::parse(bytes).ok()?;
    if file.fingerprint != G::FINGERPRINT {
        return None;
    }
    let mut g = Box::new(G::ZERO);
    Some(match load_into(bytes, &mut *g) {
        Ok(scaling) => Ok(LoadedGenerator {
            net: wrap(g),
            scaling,
        }),
        Err(e) => Err(e.into()),
    })
}

impl LoadedGenerator {
    /// Loads a model file written by `tinygan train`: the architecture is recognised by
    /// its fingerprint.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let file = ModelFile::parse(bytes)?;
        try_load::<MixG>(bytes, AnyGenerator::Mix)
            .or_else(|| try_load::<MixGBn>(bytes, AnyGenerator::MixBn))
            .or_else(|| try_load::<MixGVbn>(bytes, AnyGenerator::MixVbn))
            .or_else(|| try_load::<DigitsG>(bytes, AnyGenerator::Digits))
            .or_else(|| try_load::<DigitsGBn>(bytes, AnyGenerator::DigitsBn))
            .or_else(|| try_load::<DigitsGVbn>(bytes, AnyGenerator::DigitsVbn))
            .or_else(|| try_load::<DigitsGWide>(bytes, AnyGenerator::DigitsWide))
            .unwrap_or_else(|| {
                bail!(
                    "the model's architecture (fingerprint {:#010x}) is not a built-in generator",
                    file.fingerprint
                )
            })
    }

    /// `n` samples in model units (map them with [`LoadedGenerator::scaling`] for data
    /// units), one row each, `z` drawn from `Prng::new(seed)`.
    pub fn sample(&self, n: usize, seed: u64) -> Vec<Vec<f32>> {
        let mut rng = Prng::new(seed);
        match &self.net {
            AnyGenerator::Mix(g) => rows(&generate(&**g, &mut rng, n)),
            AnyGenerator::MixBn(g) => rows(&generate(&**g, &mut rng, n)),
            AnyGenerator::MixVbn(g) => rows(&generate(&**g, &mut rng, n)),
            AnyGenerator::Digits(g) => rows(&generate(&**g, &mut rng, n)),
            AnyGenerator::DigitsBn(g) => rows(&generate(&**g, &mut rng, n)),
            AnyGenerator::DigitsVbn(g) => rows(&generate(&**g, &mut rng, n)),
            AnyGenerator::DigitsWide(g) => rows(&generate(&**g, &mut rng, n)),
        }
    }
}
