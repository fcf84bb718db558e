//! Saving and loading `.tgan` model files on the host.

use crate::fsutil::write_output;
use anyhow::{Context, Result, anyhow};
use std::path::Path;
use tinygan_core::Params;
use tinygan_core::model::{self, Fingerprint, ModelFile};

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
        let n = self.offset.len().min(self.scale.len());
        if n == 0 {
            return;
        }
        for (i, v) in y.iter_mut().enumerate() {
            *v = self.offset[i % n] + self.scale[i % n] * *v;
        }
    }
}

/// Encodes `net` with `scaling` as a model file.
pub fn encode<N: Params + Fingerprint>(net: &N, scaling: Option<&OutputScaling>) -> Vec<u8> {
    let s = scaling.map(|s| (&s.offset[..], &s.scale[..]));
    let mut buf = vec![0u8; model::encoded_len(net, s)];
    let n = model::write(net, s, &mut buf).expect("buffer sized by encoded_len");
    buf.truncate(n);
    buf
}

/// Writes `net` to `path` ([`crate::fsutil::write_output`]: atomically for a regular file).
pub fn save<N: Params + Fingerprint>(
    path: &Path,
    net: &N,
    scaling: Option<&OutputScaling>,
) -> Result<()> {
    write_output(path, &encode(net, scaling))
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
    Ok(file.output_scaling().map(|(o, s)| OutputScaling {
        offset: (0..o.len as usize).map(|k| file.value(&o, k)).collect(),
        scale: (0..s.len as usize).map(|k| file.value(&s, k)).collect(),
    }))
}
