//! Every built-in generator type, found from a model file's architecture fingerprint, and
//! what a loaded generator was trained on: the one place that refuses a discriminator as
//! a generator and a model scored against another data set.

use super::digits::{
    DigitsD, DigitsDClasses, DigitsDMbd, DigitsDWide, DigitsG, DigitsGBn, DigitsGVbn, DigitsGWide,
};
use super::mixture::{
    MixD, MixDMbd, MixDPack, MixDPack2, MixDPack2Wide, MixDWide, MixG, MixGBn, MixGVbn,
};
use crate::dataset::Dataset;
use crate::generate::sample_rows;
use crate::model_io::{About, Kind, OutputScaling, load_into, read};
use crate::quantize::int8::Int8Generator;
use crate::quantize::{Settings, quantize};
use anyhow::{Context, Result, bail};
use std::path::Path;
use tinygan_core::Network;
use tinygan_core::model::{self, Fingerprint, ModelFile};

/// Fingerprints of the built-in discriminators: a file without metadata (format version
/// 1) that holds one is named as a discriminator too.
const DISCRIMINATORS: [u32; 10] = [
    MixD::FINGERPRINT,
    MixDMbd::FINGERPRINT,
    MixDWide::FINGERPRINT,
    MixDPack::FINGERPRINT,
    MixDPack2::FINGERPRINT,
    MixDPack2Wide::FINGERPRINT,
    DigitsD::FINGERPRINT,
    DigitsDClasses::FINGERPRINT,
    DigitsDMbd::FINGERPRINT,
    DigitsDWide::FINGERPRINT,
];

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

/// Evaluates `$body` with `$g` bound to the boxed network of `$net`, whichever preset.
macro_rules! with_net {
    ($net:expr, $g:ident => $body:expr) => {
        match $net {
            AnyGenerator::Mix($g) => $body,
            AnyGenerator::MixBn($g) => $body,
            AnyGenerator::MixVbn($g) => $body,
            AnyGenerator::Digits($g) => $body,
            AnyGenerator::DigitsBn($g) => $body,
            AnyGenerator::DigitsVbn($g) => $body,
            AnyGenerator::DigitsWide($g) => $body,
        }
    };
}

/// A generator loaded from a file, with the map of its output to data units and the data
/// set it was trained on.
pub struct LoadedGenerator {
    /// The network.
    pub net: AnyGenerator,
    /// Output to data units (identity when the file has none).
    pub scaling: Option<OutputScaling>,
    /// The data set the file records (`None` for a file without metadata: format
    /// version 1).
    pub trained_on: Option<Dataset>,
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
            trained_on: None,
        }),
        Err(e) => Err(e.into()),
    })
}

/// `G`'s path under `tinygan_core::presets`: every built-in generator type is defined
/// there, shared with the firmware.
fn preset_path<G>(_: &G) -> &'static str {
    let name = std::any::type_name::<G>();
    name.strip_prefix("tinygan_core::presets::")
        .unwrap_or_else(|| panic!("{name} is not a type of tinygan_core::presets"))
}

impl LoadedGenerator {
    /// Loads the model file at `path`; errors name the file.
    pub fn open(path: &Path) -> Result<Self> {
        Self::from_bytes(&read(path)?).with_context(|| path.display().to_string())
    }

    /// Loads a model file written by `tinygan train`: the architecture is recognised by
    /// its fingerprint. A discriminator (by its metadata, or by a built-in
    /// discriminator's fingerprint) is an error that says so.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let file = ModelFile::parse(bytes)?;
        if file.version >= model::VERSION {
            bail!(
                "this is an int8 model file (format version {}): pass the f32 model file \
                 `tinygan train` wrote (`generate` and `eval` take either)",
                file.version
            );
        }
        let about = About::of(&file)?;
        if about.kind == Some(Kind::Discriminator) || DISCRIMINATORS.contains(&file.fingerprint) {
            bail!(
                "this file holds a discriminator (`tinygan train` writes it as \
                 discriminator.tgan), not a generator: pass the run's model.tgan"
            );
        }
        let loaded = try_load::<MixG>(bytes, AnyGenerator::Mix)
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
            })?;
        Ok(Self {
            trained_on: about.data,
            ..loaded
        })
    }

    /// The data set to score this generator on: [`data_set`] of the one its file records.
    pub fn data_set(&self, requested: Option<Dataset>) -> Result<Dataset> {
        data_set(self.trained_on, requested)
    }

    /// What its file records: a generator, trained on [`LoadedGenerator::trained_on`].
    pub fn about(&self) -> About {
        About {
            kind: Some(Kind::Generator),
            data: self.trained_on,
        }
    }

    /// The generator quantised to int8 with `settings` ([`crate::quantize`]).
    pub fn quantize(&self, settings: &Settings) -> Result<Int8Generator> {
        let s = self.scaling.as_ref();
        with_net!(&self.net, g => quantize(&**g, s, settings))
    }

    /// Parameters and buffers of the f32 network (what its file stores).
    pub fn param_count(&self) -> usize {
        fn count<G: Network>(g: &G) -> usize {
            let buffers: usize = (0..G::BUFFERS).map(|i| g.buffer(i).len()).sum();
            tinygan_core::params::count(g) + buffers
        }
        with_net!(&self.net, g => count(&**g))
    }

    /// Bytes of the network value (`size_of::<G>()`, what a firmware image decodes the
    /// file into) and of one sample's activations (`size_of::<G::Acts<1>>()`).
    pub fn footprint(&self) -> (usize, usize) {
        fn sizes<G: Network>(_: &G) -> (usize, usize) {
            (size_of::<G>(), size_of::<G::Acts<1>>())
        }
        with_net!(&self.net, g => sizes(&**g))
    }

    /// `n` samples in data units, one row each, `z` drawn from `Prng::new(seed)`.
    pub fn sample_data(&self, n: usize, seed: u64) -> Vec<Vec<f32>> {
        let mut rows = self.sample(n, seed);
        self.to_data(&mut rows);
        rows
    }

    /// Maps rows of model units to data units in place (the file's output scaling).
    pub fn to_data(&self, rows: &mut [Vec<f32>]) {
        if let Some(s) = &self.scaling {
            rows.iter_mut().for_each(|r| s.to_data(r));
        }
    }

    /// The generator's type path under `tinygan_core::presets` (e.g. `mixture::MixG`), as
    /// the firmware's build names it (`TINYGAN_GENERATOR`).
    pub fn core_type(&self) -> &'static str {
        with_net!(&self.net, g => preset_path(&**g))
    }

    /// `n` samples in model units (map them with [`LoadedGenerator::scaling`] for data
    /// units), one row each, `z` drawn from `Prng::new(seed)`.
    pub fn sample(&self, n: usize, seed: u64) -> Vec<Vec<f32>> {
        self.rows(seed).take(n).collect()
    }

    /// The endless stream of samples in model units (map them with
    /// [`LoadedGenerator::scaling`] for data units), one row each, `z` drawn from
    /// `Prng::new(seed)`.
    pub fn rows(&self, seed: u64) -> Box<dyn Iterator<Item = Vec<f32>> + '_> {
        with_net!(&self.net, g => Box::new(sample_rows(&**g, seed)))
    }
}

/// The data set to score a generator on: the one `--data` asks for (`requested`), which
/// must be the one its file records (`trained_on`); the recorded one when `--data` is not
/// given; `--data` alone for a file that records none (format version 1, trusted as
/// given).
pub fn data_set(trained_on: Option<Dataset>, requested: Option<Dataset>) -> Result<Dataset> {
    match (trained_on, requested) {
        (Some(trained), Some(asked)) if trained != asked => bail!(
            "the model was trained on {trained}, not on {asked}: its metrics on {asked} \
             would mean nothing; drop --data (or pass --data {trained}), or pass a model \
             trained on {asked}"
        ),
        (Some(data), _) | (None, Some(data)) => Ok(data),
        (None, None) => bail!(
            "the model file does not record its data set (format version 1): pass \
             --data ring8, grid25 or digits"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_io::encode;
    use tinygan_core::model::{self, Extras};
    use tinygan_core::tensor::Zero;

    fn ring8_generator(about: &About) -> Vec<u8> {
        encode(&*Box::new(MixG::ZERO), None, about)
    }

    fn error(bytes: &[u8]) -> String {
        match LoadedGenerator::from_bytes(bytes) {
            Ok(_) => panic!("loaded"),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn ring8_model_with_data_grid25_is_refused_naming_both() {
        let g = LoadedGenerator::from_bytes(&ring8_generator(&About::new(
            Kind::Generator,
            Dataset::Ring8,
        )))
        .unwrap();
        assert_eq!(g.trained_on, Some(Dataset::Ring8));
        let msg = format!("{:#}", g.data_set(Some(Dataset::Grid25)).unwrap_err());
        assert!(
            msg.contains("trained on ring8") && msg.contains("not on grid25"),
            "{msg}"
        );
        assert_eq!(g.data_set(Some(Dataset::Ring8)).unwrap(), Dataset::Ring8);
        assert_eq!(g.data_set(None).unwrap(), Dataset::Ring8, "--data optional");
    }

    #[test]
    fn discriminator_tgan_is_named_as_a_discriminator() {
        // As `tinygan train` writes it, and without metadata (found by its fingerprint).
        let d = Box::new(MixD::ZERO);
        for about in [
            About::new(Kind::Discriminator, Dataset::Ring8),
            About {
                kind: None,
                data: None,
            },
        ] {
            let msg = error(&encode(&*d, None, &about));
            assert!(msg.contains("holds a discriminator"), "{msg}");
        }
        // The metadata alone decides for a file that says it holds a discriminator.
        let msg = error(&ring8_generator(&About::new(
            Kind::Discriminator,
            Dataset::Ring8,
        )));
        assert!(msg.contains("holds a discriminator"), "{msg}");
    }

    #[test]
    fn file_without_metadata_trusts_data_and_asks_for_it() {
        let bytes = ring8_generator(&About {
            kind: None,
            data: None,
        });
        assert!(ModelFile::parse(&bytes).unwrap().metadata().is_empty());
        let g = LoadedGenerator::from_bytes(&bytes).unwrap();
        assert_eq!(g.trained_on, None);
        assert_eq!(g.data_set(Some(Dataset::Grid25)).unwrap(), Dataset::Grid25);
        let msg = format!("{:#}", g.data_set(None).unwrap_err());
        assert!(
            msg.contains("does not record") && msg.contains("--data"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_metadata_values_are_named() {
        let g = Box::new(MixG::ZERO);
        for (pairs, want) in [
            (&[("data", "mnist")][..], "data=mnist"),
            (&[("kind", "critic")][..], "kind=critic"),
        ] {
            let extras = Extras {
                scaling: None,
                metadata: pairs,
            };
            let mut buf = vec![0u8; model::encoded_len(&*g, &extras)];
            model::write(&*g, &extras, &mut buf).unwrap();
            let msg = error(&buf);
            assert!(msg.contains(want), "{msg}");
        }
    }
}
