//! An int8 generator as a model file of format version 3 (`tinygan_core::model::int8`):
//! what `tinygan quantize --out` writes, and reading it back for `generate` and `eval`,
//! which run it by core's runner ([`super::runner`]).
//!
//! Every scale is an `f32` and is stored as the multiplier and shift of a `Requant`,
//! which holds an `f32` exactly, so the file computes the generator's bits. Layer names
//! are not stored.

use super::fold::Linear;
use super::int8::{Bits, Int8Generator, Kernel};
use super::runner::Int8File;
use crate::model_io::{About, metadata_pairs};
use anyhow::{Context, Result, anyhow, bail};
use tinygan_core::model::int8::{self as file, Int8Model, Kind};
use tinygan_core::model::{self, Extras, ModelFile};
use tinygan_core::quant::{Affine, Channel, ChannelBytes, Requant, quantize_multiplier};

/// The multiplier and shift of an `f32` scale (exact).
fn scale_of(a: Affine) -> Result<Requant> {
    quantize_multiplier(a.scale as f64).with_context(|| format!("scale {}", a.scale))
}

/// The file's kind of `layer` (its output codes per sample are `len`).
fn kind(kernel: &Kernel, len: usize) -> Kind {
    match kernel {
        Kernel::Linear(Linear::Dense { inp, out }) => Kind::Dense {
            inp: *inp,
            out: *out,
        },
        Kernel::Linear(Linear::Conv(s)) => Kind::Conv(*s),
        Kernel::Linear(Linear::ConvTranspose(s)) => Kind::ConvTranspose(*s),
        Kernel::Relu => Kind::Relu { len },
        Kernel::LeakyRelu(..) => Kind::LeakyRelu { len },
        // encode refuses 16-bit tables before it asks.
        Kernel::Lut(_) | Kernel::Lut16(_) => Kind::Lut { len },
        Kernel::Shuffle(s) => {
            let (co, h, w, r) = (s.co, s.h, s.w, s.r);
            if s.inverse {
                Kind::Unshuffle { co, h, w, r }
            } else {
                Kind::Shuffle { co, h, w, r }
            }
        }
    }
}

/// The leaky ReLU's two multipliers as stored records (bias 0).
fn leaky_records(positive: Requant, negative: Requant) -> Vec<ChannelBytes> {
    [positive, negative]
        .map(|requant| Channel { bias: 0, requant }.to_le_bytes())
        .to_vec()
}

/// `g` as the bytes of an int8 model file, with what `about` says of it in its metadata.
/// Format version 3 stores 8-bit activations only: a generator with `i16` codes anywhere
/// (`--activations 16`) is an error.
pub fn encode(g: &Int8Generator, about: &About) -> Result<Vec<u8>> {
    if g.bits().contains(&Bits::I16) {
        bail!(
            "the int8 model file (format version 3) stores 8-bit activations only: quantise \
             with --activations 8 to write it"
        );
    }
    let leaky: Vec<Vec<ChannelBytes>> = g
        .layers
        .iter()
        .map(|l| match l.kernel {
            Kernel::LeakyRelu(p, n) => leaky_records(p, n),
            _ => Vec::new(),
        })
        .collect();
    let mut input = g.input;
    let mut layers = Vec::with_capacity(g.layers.len());
    for (l, records) in g.layers.iter().zip(&leaky) {
        layers.push(file::Layer {
            kind: kind(&l.kernel, l.len),
            input_scale: scale_of(input).with_context(|| format!("layer `{}`", l.name))?,
            output_scale: scale_of(l.output).with_context(|| format!("layer `{}`", l.name))?,
            io: l.io,
            weights: l.weights(),
            channels: if records.is_empty() {
                &l.channels
            } else {
                records
            },
            table: match &l.kernel {
                Kernel::Lut(t) => Some(&**t),
                _ => None,
            },
        });
        input = l.output;
    }
    let pairs = metadata_pairs(about);
    let metadata: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let extras = Extras {
        scaling: g.scaling.as_ref().map(|s| (&s.offset[..], &s.scale[..])),
        metadata: &metadata,
    };
    let mut buf = vec![0u8; model::encoded_len_int8(&layers, &g.maps, &extras)];
    let n = model::write_int8(&layers, &g.maps, &extras, &mut buf)
        .map_err(|e| anyhow!("the int8 generator cannot be written: {e}"))?;
    buf.truncate(n);
    Ok(buf)
}

/// The int8 file, ready to run, and what the metadata says of it, if `bytes` (a
/// validated model file) is an int8 file (format version 3 on); `None` for an f32 file.
pub fn read(bytes: &[u8]) -> Option<Result<(Int8File, About)>> {
    let f = ModelFile::parse(bytes).ok()?;
    if f.version < model::VERSION {
        return None;
    }
    Some((|| {
        let about = About::of(Int8Model::parse(bytes)?.file())?;
        if about.kind == Some(crate::model_io::Kind::Discriminator) {
            bail!("this int8 file holds a discriminator, not a generator");
        }
        Ok((Int8File::parse(bytes.to_vec())?, about))
    })())
}

#[cfg(test)]
mod tests;
