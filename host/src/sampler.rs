//! What `tinygan eval` and `tinygan generate` draw samples from (`--model PATH`):
//! - a model file: that generator;
//! - a run folder (`tinygan train --out DIR`): for a multiple-GAN run, the mixture that
//!   its `mixture.json` describes (generator `k` from `model-k.tgan`, picked with its
//!   weight, [`mixture_rows`]); for a one-generator run, or a mixture that kept no
//!   generator, its `model.tgan`.
//!
//! Each model file is an f32 generator or an int8 one (`tinygan quantize --out`, format
//! version 3), told apart by the file: an int8 file runs by core's int8 runner, the code a
//! board runs ([`crate::quantize::runner`]).
//! Drawn with the run's training seed and [`crate::run::EVAL_N`] samples, a run folder
//! gives the samples its `metrics.json` scored. [`Sampler::quantize`] runs every f32
//! generator quantised to int8 instead.

use crate::dataset::Dataset;
use crate::model_io::OutputScaling;
use crate::multi::{MAX_GENERATORS, generator_seed, mixture_rows};
use crate::presets::registry::{LoadedGenerator, data_set};
use crate::quantize::Settings;
use crate::quantize::runner::{Int8File, Quantised};
use anyhow::{Context, Result, ensure};
use serde::Deserialize;
use std::path::Path;

/// The mixture file of a multiple-GAN run.
#[derive(Deserialize)]
struct MixtureFile {
    /// Weight of each generator (0: not kept, no model file).
    weights: Vec<u32>,
}

/// A stream of rows; an item is an error when the generator cannot compute it (an int8
/// file core's runner refuses), and a consumer stops at the first.
pub type Rows<'a> = Box<dyn Iterator<Item = Result<Vec<f32>>> + 'a>;

/// A generator: f32, with its int8 quantisation once asked for, or read from an int8
/// file.
enum Member {
    F32 {
        g: LoadedGenerator,
        int8: Option<Quantised>,
    },
    Int8 {
        q: Int8File,
        trained_on: Option<Dataset>,
    },
}

impl Member {
    /// The generator in the model file at `path`, f32 or int8 by the file's version.
    fn open(path: &Path) -> Result<Self> {
        let bytes = crate::model_io::read(path)?;
        Ok(match crate::quantize::file::read(&bytes) {
            Some(int8) => {
                let (q, about) = int8.with_context(|| path.display().to_string())?;
                Self::Int8 {
                    q,
                    trained_on: about.data,
                }
            }
            None => Self::F32 {
                g: LoadedGenerator::from_bytes(&bytes)
                    .with_context(|| path.display().to_string())?,
                int8: None,
            },
        })
    }

    /// The endless stream of samples in data units.
    fn rows(&self, seed: u64) -> Rows<'_> {
        match self {
            Self::Int8 { q, .. } => q.rows(seed),
            Self::F32 { int8: Some(q), .. } => q.rows(seed),
            Self::F32 { g, int8: None } => Box::new(g.rows(seed).map(|mut r| {
                if let Some(s) = &g.scaling {
                    s.to_data(&mut r);
                }
                Ok(r)
            })),
        }
    }

    /// The map of the samples to data units.
    fn scaling(&self) -> Option<&OutputScaling> {
        match self {
            Self::F32 { g, .. } => g.scaling.as_ref(),
            Self::Int8 { q, .. } => q.scaling.as_ref(),
        }
    }

    /// The data set to score on ([`data_set`]).
    fn data_set(&self, requested: Option<Dataset>) -> Result<Dataset> {
        match self {
            Self::F32 { g, .. } => g.data_set(requested),
            Self::Int8 { trained_on, .. } => data_set(*trained_on, requested),
        }
    }
}

/// One generator, or the generators of a mixture with their weights.
pub struct Sampler {
    /// Generator `k` of the mixture (`None`: weight 0), or the one generator.
    generators: Vec<Option<Member>>,
    /// Weights of the mixture (`[1]` for one generator).
    weights: Vec<u32>,
    /// A hint for a model file that sits in a multiple-GAN run folder.
    pub note: Option<String>,
}

impl Sampler {
    fn one(g: Member) -> Self {
        Self {
            generators: vec![Some(g)],
            weights: vec![1],
            note: None,
        }
    }

    /// Opens a model file or a run folder (see the module doc); errors name the file.
    pub fn open(path: &Path) -> Result<Self> {
        if !path.is_dir() {
            let mut one = Self::one(Member::open(path)?);
            let folder = crate::fsutil::folder_of(path);
            if folder.join("mixture.json").exists() {
                one.note = Some(format!(
                    "note: {} is one generator of a multiple-GAN run; pass --model {} for the \
                     run's mixture",
                    path.display(),
                    folder.display()
                ));
            }
            return Ok(one);
        }
        let file = path.join("mixture.json");
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::one(Member::open(&path.join("model.tgan"))?));
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", file.display())),
        };
        let mixture: MixtureFile = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a mixture file", file.display()))?;
        ensure!(
            mixture.weights.len() <= MAX_GENERATORS,
            "{}: {} generators, at most {MAX_GENERATORS}",
            file.display(),
            mixture.weights.len()
        );
        if mixture.weights.iter().all(|&w| w == 0) {
            return Ok(Self::one(Member::open(&path.join("model.tgan"))?));
        }
        let generators = mixture
            .weights
            .iter()
            .enumerate()
            .map(|(k, &w)| {
                (w > 0)
                    .then(|| Member::open(&path.join(format!("model-{k}.tgan"))))
                    .transpose()
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            generators,
            weights: mixture.weights,
            note: None,
        })
    }

    /// The first generator (every generator of a run has the same data set and scaling).
    fn first(&self) -> &Member {
        self.generators
            .iter()
            .flatten()
            .next()
            .expect("a sampler has a generator")
    }

    /// Runs every f32 generator quantised to int8 with `settings`
    /// ([`LoadedGenerator::quantize`]); one read from an int8 file already is.
    pub fn quantize(&mut self, settings: &Settings) -> Result<()> {
        for m in self.generators.iter_mut().flatten() {
            if let Member::F32 { g, int8 } = m {
                *int8 = Some(Quantised::new(g.quantize(settings)?)?);
            }
        }
        Ok(())
    }

    /// The map of the samples to data units.
    pub fn scaling(&self) -> Option<&OutputScaling> {
        self.first().scaling()
    }

    /// The data set to score on: [`data_set`] of what the files record.
    pub fn data_set(&self, requested: Option<Dataset>) -> Result<Dataset> {
        self.first().data_set(requested)
    }

    /// The endless stream of samples in data units, seeded by `seed`: generator `k` draws
    /// its `z` from [`generator_seed`]`(seed, k)`, the mixture picks with `seed`.
    pub fn rows(&self, seed: u64) -> Rows<'_> {
        if let [Some(g)] = &self.generators[..] {
            return g.rows(seed);
        }
        let sources = self
            .generators
            .iter()
            .enumerate()
            .map(|(k, g)| match g {
                Some(g) => g.rows(generator_seed(seed, k)),
                None => Box::new(std::iter::empty()) as Rows<'_>,
            })
            .collect();
        Box::new(mixture_rows(self.weights.clone(), sources, seed))
    }
}
