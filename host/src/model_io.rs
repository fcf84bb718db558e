//! Saving and loading `.tgan` model files on the host, with what they record about their
//! network: its kind and the data set it was trained on (the metadata keys `kind` and
//! `data` of format version 2, `core/src/model/metadata.rs`).

use crate::dataset::Dataset;
use crate::fsutil::write_output;
use anyhow::{Context, Result, anyhow, bail};
use std::fmt;
use std::path::Path;
use tinygan_core::Params;
use tinygan_core::model::{self, Extras, Fingerprint, KEY_DATA, KEY_KIND, ModelFile};

/// What kind of network a model file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A generator: `z` to a sample.
    Generator,
    /// A discriminator: a sample to a score.
    Discriminator,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Generator => "generator",
            Self::Discriminator => "discriminator",
        })
    }
}

/// What a model file records about its network; `None` where the file does not say
/// (every format-version-1 file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct About {
    /// Generator or discriminator (metadata key `kind`).
    pub kind: Option<Kind>,
    /// The data set it was trained on (metadata key `data`).
    pub data: Option<Dataset>,
}

impl About {
    /// A `kind` of network trained on `data`.
    pub fn new(kind: Kind, data: Dataset) -> Self {
        Self {
            kind: Some(kind),
            data: Some(data),
        }
    }

    /// Reads the metadata of a validated file; a value this tinygan does not know is an
    /// error naming the key and the value.
    pub fn of(file: &ModelFile<'_>) -> Result<Self> {
        let meta = file.metadata();
        let kind = match meta.get(KEY_KIND) {
            None => None,
            Some("generator") => Some(Kind::Generator),
            Some("discriminator") => Some(Kind::Discriminator),
            Some(other) => bail!(
                "metadata `{KEY_KIND}={other}` is not a kind this tinygan knows (generator, discriminator)"
            ),
        };
        let data = meta
            .get(KEY_DATA)
            .map(|d| {
                d.parse::<Dataset>()
                    .with_context(|| format!("metadata `{KEY_DATA}={d}`"))
            })
            .transpose()?;
        Ok(Self { kind, data })
    }
}

/// The map from a model's output to data units, `data = offset + scale · y`, per output
/// element (a single value applies to every element).
#[derive(Clone, Debug, PartialEq)]
pub struct OutputScaling {
    /// Offsets.
    pub offset: Vec<f32>,
    /// Scales.
    pub scale: Vec<f32>,
}

impl OutputScaling {
    /// Maps `y` (model units, row-major sample) to data units in place.
    pub fn to_data(&self, y: &mut [f32]) {
        self.each(y, |v, offset, scale| offset + scale * v);
    }

    /// Maps `y` (data units, row-major sample) back to model units in place: the inverse
    /// of [`OutputScaling::to_data`].
    pub fn to_model(&self, y: &mut [f32]) {
        self.each(y, |v, offset, scale| (v - offset) / scale);
    }

    /// `y[i] = f(y[i], offset[i mod n], scale[i mod n])`.
    fn each(&self, y: &mut [f32], f: impl Fn(f32, f32, f32) -> f32) {
        let n = self.offset.len().min(self.scale.len());
        if n == 0 {
            return;
        }
        for (i, v) in y.iter_mut().enumerate() {
            *v = f(*v, self.offset[i % n], self.scale[i % n]);
        }
    }
}

/// The metadata pairs of `about`: the keys it knows a value of.
pub fn metadata_pairs(about: &About) -> Vec<(&'static str, String)> {
    let kind = about.kind.map(|k| (KEY_KIND, k.to_string()));
    let data = about.data.map(|d| (KEY_DATA, d.to_string()));
    kind.into_iter().chain(data).collect()
}

/// Encodes `net` with `scaling` and `about` as a model file.
pub fn encode<N: Params + Fingerprint>(
    net: &N,
    scaling: Option<&OutputScaling>,
    about: &About,
) -> Vec<u8> {
    let pairs = metadata_pairs(about);
    let metadata: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let extras = Extras {
        scaling: scaling.map(|s| (&s.offset[..], &s.scale[..])),
        metadata: &metadata,
    };
    let mut buf = vec![0u8; model::encoded_len(net, &extras)];
    let n = model::write(net, &extras, &mut buf)
        .expect("buffer sized by encoded_len; known keys with names as values");
    buf.truncate(n);
    buf
}

/// Writes `net` to `path` ([`crate::fsutil::write_output`]: atomically for a regular file).
pub fn save<N: Params + Fingerprint>(
    path: &Path,
    net: &N,
    scaling: Option<&OutputScaling>,
    about: &About,
) -> Result<()> {
    write_output(path, &encode(net, scaling, about))
}

/// Reads a model file and validates its container (not yet its architecture).
pub fn read(path: &Path) -> Result<Vec<u8>> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read model {}", path.display()))?;
    ModelFile::parse(&bytes).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    Ok(bytes)
}

/// Loads a validated file into `net`; returns the output scaling it holds, if any.
pub fn load_into<N: Params + Fingerprint>(
    bytes: &[u8],
    net: &mut N,
) -> Result<Option<OutputScaling>, model::LoadError> {
    let file = ModelFile::parse(bytes)?;
    file.load_into(net)?;
    Ok(scaling_of(&file))
}

/// The output scaling a validated file holds, if any.
pub fn scaling_of(file: &ModelFile<'_>) -> Option<OutputScaling> {
    file.output_scaling().map(|(o, s)| OutputScaling {
        offset: (0..o.len as usize).map(|k| file.value(&o, k)).collect(),
        scale: (0..s.len as usize).map(|k| file.value(&s, k)).collect(),
    })
}
