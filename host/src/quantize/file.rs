//! An int8 generator as a model file of format version 3 (`tinygan_core::model::int8`)
//! and back: what `tinygan quantize --out` writes and `generate` and `eval` read.
//!
//! Every scale is an `f32` and is stored as the multiplier and shift of a `Requant`,
//! which holds an `f32` exactly, so a file read back is the same generator, bit for bit.
//! Layer names are not stored: a generator read from a file names its layers by number.

use super::fold::{Linear, Shuffle};
use super::int8::{Bits, Int8Generator, Kernel, Layer};
use crate::model_io::{About, metadata_pairs, scaling_of};
use anyhow::{Context, Result, anyhow, bail};
use tinygan_core::model::int8::{self as file, Int8Model, Kind};
use tinygan_core::model::{self, Extras, ModelFile};
use tinygan_core::quant::{Affine, Channel, ChannelBytes, Requant, quantize_multiplier};

/// The multiplier and shift of an `f32` scale (exact).
fn scale_of(a: Affine) -> Result<Requant> {
    quantize_multiplier(a.scale as f64).with_context(|| format!("scale {}", a.scale))
}

/// The `f32` scale of a stored multiplier and shift.
fn affine(scale: Requant, zero_point: i8) -> Affine {
    Affine {
        scale: scale.real() as f32,
        zero_point,
    }
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
            weights: &l.w,
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

/// The int8 generator and what the metadata says of it, if `bytes` (a validated model
/// file) is an int8 file (format version 3 on); `None` for an f32 file.
pub fn read(bytes: &[u8]) -> Option<Result<(Int8Generator, About)>> {
    let f = ModelFile::parse(bytes).ok()?;
    if f.version < model::VERSION {
        return None;
    }
    Some((|| {
        let m = Int8Model::parse(bytes)?;
        let about = About::of(m.file())?;
        if about.kind == Some(crate::model_io::Kind::Discriminator) {
            bail!("this int8 file holds a discriminator, not a generator");
        }
        Ok((decode(&m)?, about))
    })())
}

/// The int8 generator of a validated int8 model file.
pub fn decode(m: &Int8Model<'_>) -> Result<Int8Generator> {
    let first = m.layer(0)?;
    let mut layers = Vec::with_capacity(m.len());
    for k in 0..m.len() {
        let l = m.layer(k)?;
        let sizes = l.kind.sizes().ok_or(model::LoadError::BadLayer(k as u32))?;
        let kernel = match l.kind {
            Kind::Dense { inp, out } => Kernel::Linear(Linear::Dense { inp, out }),
            Kind::Conv(s) => Kernel::Linear(Linear::Conv(s)),
            Kind::ConvTranspose(s) => Kernel::Linear(Linear::ConvTranspose(s)),
            Kind::Relu { .. } => Kernel::Relu,
            Kind::LeakyRelu { .. } => {
                let [p, n] = [0, 1].map(|c| Channel::from_le_bytes(&l.channels[c]).requant);
                Kernel::LeakyRelu(p, n)
            }
            Kind::Lut { .. } => Kernel::Lut(Box::new(
                *l.table.ok_or(model::LoadError::BadLayer(k as u32))?,
            )),
            Kind::Shuffle { co, h, w, r } | Kind::Unshuffle { co, h, w, r } => {
                Kernel::Shuffle(Shuffle {
                    co,
                    h,
                    w,
                    r,
                    inverse: matches!(l.kind, Kind::Unshuffle { .. }),
                })
            }
        };
        let leaky = matches!(kernel, Kernel::LeakyRelu(..));
        layers.push(Layer {
            name: format!("layer {k}"),
            kernel,
            w: l.weights.to_vec(),
            channels: if leaky {
                Vec::new()
            } else {
                l.channels.to_vec()
            },
            io: l.io,
            output: affine(l.output_scale, l.io.output_zero),
            bits: Bits::I8,
            len: sizes.output,
        });
    }
    Ok(Int8Generator {
        z_len: first.kind.sizes().map_or(0, |s| s.input),
        input: affine(first.input_scale, first.io.input_zero),
        input_bits: Bits::I8,
        layers,
        maps: m.output_map().to_vec(),
        scaling: scaling_of(m.file()),
    })
}

#[cfg(test)]
mod tests;
