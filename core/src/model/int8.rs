//! The int8 network of a model file (format version 3), read in place.
//!
//! An int8 generator is a chain of layers run by the kernels of [`crate::quant`]. Layer
//! `k` is stored as up to four table entries with index `k`:
//!
//! - `Int8Layer` (`I32`, [`DESCRIPTOR_WORDS`] words), the descriptor:
//!
//!   | word | what |
//!   |---|---|
//!   | 0 | kind: 1 dense, 2 convolution, 3 transposed convolution, 4 ReLU, 5 leaky ReLU, 6 table, 7 pixel shuffle, 8 pixel unshuffle |
//!   | 1 | element type of the output codes: `DType::I8` (2) |
//!   | 2, 3 | input scale `s_x` as multiplier and shift, `s_x = multiplier · 2^(shift − 31)` ([`Requant`]) |
//!   | 4 | input zero point `z_x` |
//!   | 5, 6 | output scale `s_y` as multiplier and shift |
//!   | 7 | output zero point `z_y` |
//!   | 8, 9 | output clamp `min`, `max` (a fused ReLU: `min = z_y`) |
//!   | 10..22 | shape ([`Kind`]): dense `inp, out`; (transposed) convolution `cin, cout, h, w, oh, ow, kh, kw, sh, sw, ph, pw` of the convolution; ReLU, leaky ReLU, table `len`; (un)shuffle `co, h, w, r`; unused words zero |
//!   | 22, 23 | reserved, zero |
//!
//! - `Int8Weights` (`I8`, or `I16` for 16-bit weights, [`crate::quant::weights`]): the
//!   weight codes, dense and (transposed) convolution only;
//! - `Int8Channels` (`I32`, 3 words a record): one [`ChannelBytes`] record (bias,
//!   multiplier, shift) per output channel of a dense or convolution layer, and the two
//!   multipliers (positive side, negative side; bias 0) of a leaky ReLU;
//! - `Int8Table` (`I8`, 256): a table layer's codes ([`crate::quant::activation::lut`]).
//!
//! The entry `Int8OutputMap` (index 0) holds the records of the map of the last layer's
//! codes to data units ([`crate::quant::output`]). The input of layer 0 is the
//! quantised `z`: its scale and zero point are layer 0's input map.
//!
//! Every scale is stored as the multiplier and shift of a [`Requant`] (an `f32` scale is
//! exactly such a pair: 24 mantissa bits fit the 31 of the multiplier), so a device reads
//! no float. Data entries are 16-aligned in the file and read in place: weights as
//! [`Weights`] (the `&[u8]` of 8- or 16-bit codes), channel records as `&[ChannelBytes]`,
//! a table as `&[u8; 256]`, exactly what
//! the kernels take; nothing is copied and nothing allocated. The weight code type is the
//! weights entry's element type; it is not part of the fingerprint (the layers' shapes,
//! and so every buffer, are the same with either, and the kernels are chosen per layer).
//!
//! [`Int8Model::parse`] validates before anything is used: the container
//! ([`ModelFile::parse`]), the layers numbered `0..n`, each descriptor, every layer's
//! input equal to the previous layer's output (length, scale, zero point), every tensor's
//! presence and length, every multiplier in `[2³⁰, 2³¹)`, shift in −31..=30 and zero
//! point and clamp in −128..=127, every weight code in its type's symmetric range
//! (±127, ±32767), sizes within the kernels' `i32` accumulators ([`MAX_TAPS`], and
//! [`MAX_TAPS16`] for 16-bit weights), and the header's fingerprint equal to
//! [`fingerprint`] of the layers.

use super::fingerprint::{chain, fnv1a, layer};
use super::{DType, Entry, LoadError, ModelFile, QuantParam, Role};
use crate::kernels::conv::ConvShape;
use crate::quant::weights::MAX_TAPS16;
use crate::quant::{CHANNEL_BYTES, Channel, ChannelBytes, LayerIo, Requant, Weights};

/// Words of a layer descriptor.
pub const DESCRIPTOR_WORDS: usize = 24;
/// Words of a descriptor's shape.
const SHAPE_WORDS: usize = 12;
/// First shape word.
const SHAPE_AT: usize = 10;
/// Largest size of one dimension, and of a layer's input or output codes per sample.
pub const MAX_CODES: usize = 1 << 20;
/// Most taps summed into one accumulator with 8-bit weights: `128 · 255 · 65 536 < 2³¹`,
/// so no `i32` sum of a kernel overflows (16-bit weights: [`MAX_TAPS16`]).
pub const MAX_TAPS: usize = 1 << 16;
/// Entries of a table layer.
pub const TABLE_LEN: usize = 256;
/// Words of a stored channel record.
const RECORD_WORDS: usize = CHANNEL_BYTES / 4;

/// What an int8 layer computes, with its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// [`crate::quant::dense::forward`], `w: [out][inp]`.
    Dense {
        /// Inputs.
        inp: usize,
        /// Outputs.
        out: usize,
    },
    /// [`crate::quant::conv::conv2d`] of this shape.
    Conv(ConvShape),
    /// [`crate::quant::conv::conv_transpose2d`], the adjoint of the convolution of this
    /// shape.
    ConvTranspose(ConvShape),
    /// [`crate::quant::activation::relu`] at the input's zero point, `len` codes.
    Relu {
        /// Codes per sample.
        len: usize,
    },
    /// [`crate::quant::activation::leaky_relu`], `len` codes.
    LeakyRelu {
        /// Codes per sample.
        len: usize,
    },
    /// [`crate::quant::activation::lut`], `len` codes.
    Lut {
        /// Codes per sample.
        len: usize,
    },
    /// [`crate::kernels::shuffle::shuffle`]: `[co·r²][h][w]` to `[co][h·r][w·r]`.
    Shuffle {
        /// Channels of the high-resolution side.
        co: usize,
        /// Height of the low-resolution side.
        h: usize,
        /// Width of the low-resolution side.
        w: usize,
        /// Factor.
        r: usize,
    },
    /// [`crate::kernels::shuffle::unshuffle`], the inverse of `Shuffle`.
    Unshuffle {
        /// Channels of the high-resolution side.
        co: usize,
        /// Height of the low-resolution side.
        h: usize,
        /// Width of the low-resolution side.
        w: usize,
        /// Factor.
        r: usize,
    },
}

/// `a · b · ...` or `None` past `usize`.
const fn product(factors: &[usize]) -> Option<usize> {
    let mut p: usize = 1;
    let mut i = 0;
    while i < factors.len() {
        p = match p.checked_mul(factors[i]) {
            Some(p) => p,
            None => return None,
        };
        i += 1;
    }
    Some(p)
}

fn conv_words(s: &ConvShape) -> [usize; SHAPE_WORDS] {
    [
        s.cin, s.cout, s.h, s.w, s.oh, s.ow, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw,
    ]
}

impl Kind {
    /// Word 0 of the descriptor.
    pub const fn code(&self) -> u32 {
        match self {
            Self::Dense { .. } => 1,
            Self::Conv(_) => 2,
            Self::ConvTranspose(_) => 3,
            Self::Relu { .. } => 4,
            Self::LeakyRelu { .. } => 5,
            Self::Lut { .. } => 6,
            Self::Shuffle { .. } => 7,
            Self::Unshuffle { .. } => 8,
        }
    }

    /// The shape words (unused ones zero).
    fn words(&self) -> [usize; SHAPE_WORDS] {
        let mut out = [0; SHAPE_WORDS];
        match *self {
            Self::Dense { inp, out: o } => out[..2].copy_from_slice(&[inp, o]),
            Self::Conv(s) | Self::ConvTranspose(s) => out = conv_words(&s),
            Self::Relu { len } | Self::LeakyRelu { len } | Self::Lut { len } => out[0] = len,
            Self::Shuffle { co, h, w, r } | Self::Unshuffle { co, h, w, r } => {
                out[..4].copy_from_slice(&[co, h, w, r])
            }
        }
        out
    }

    /// The kind of descriptor word 0 with shape `s`, if the code is known and the unused
    /// words are zero (sizes are checked by [`Kind::sizes`]).
    fn from_words(code: u32, s: [usize; SHAPE_WORDS]) -> Option<Self> {
        let conv = ConvShape {
            cin: s[0],
            cout: s[1],
            h: s[2],
            w: s[3],
            oh: s[4],
            ow: s[5],
            kh: s[6],
            kw: s[7],
            sh: s[8],
            sw: s[9],
            ph: s[10],
            pw: s[11],
        };
        let kind = match code {
            1 => Self::Dense {
                inp: s[0],
                out: s[1],
            },
            2 => Self::Conv(conv),
            3 => Self::ConvTranspose(conv),
            4 => Self::Relu { len: s[0] },
            5 => Self::LeakyRelu { len: s[0] },
            6 => Self::Lut { len: s[0] },
            7 | 8 => {
                let (co, h, w, r) = (s[0], s[1], s[2], s[3]);
                if code == 7 {
                    Self::Shuffle { co, h, w, r }
                } else {
                    Self::Unshuffle { co, h, w, r }
                }
            }
            _ => return None,
        };
        (kind.words() == s).then_some(kind)
    }

    /// `(input codes, output codes, weights, channel records, taps per output)` per
    /// sample, if every dimension is 1 to [`MAX_CODES`], a convolution's output size is
    /// PyTorch's, the codes stay within [`MAX_CODES`] and the taps within [`MAX_TAPS`].
    pub fn sizes(&self) -> Option<Sizes> {
        let words = self.words();
        // Dimensions that must be positive, then (convolution padding) ones that may be 0.
        let (positive, pads) = match self {
            Self::Dense { .. } => (2, 0),
            Self::Conv(_) | Self::ConvTranspose(_) => (10, 2),
            Self::Relu { .. } | Self::LeakyRelu { .. } | Self::Lut { .. } => (1, 0),
            Self::Shuffle { .. } | Self::Unshuffle { .. } => (4, 0),
        };
        let dims_ok = words[..positive]
            .iter()
            .all(|d| (1..=MAX_CODES).contains(d))
            && words[positive..positive + pads]
                .iter()
                .all(|&d| d <= MAX_CODES);
        if !dims_ok {
            return None;
        }
        let sizes = match *self {
            Self::Dense { inp, out } => Sizes {
                input: inp,
                output: out,
                weights: product(&[inp, out])?,
                channels: out,
                taps: inp,
            },
            Self::Conv(s) | Self::ConvTranspose(s) => {
                if !s.is_consistent() {
                    return None;
                }
                let (x, y) = (
                    product(&[s.cin, s.h, s.w])?,
                    product(&[s.cout, s.oh, s.ow])?,
                );
                let transposed = matches!(self, Self::ConvTranspose(_));
                Sizes {
                    input: if transposed { y } else { x },
                    output: if transposed { x } else { y },
                    weights: product(&[s.cout, s.cin, s.kh, s.kw])?,
                    channels: if transposed { s.cin } else { s.cout },
                    taps: product(&[if transposed { s.cout } else { s.cin }, s.kh, s.kw])?,
                }
            }
            Self::Relu { len } | Self::Lut { len } => Sizes::elementwise(len, 0),
            Self::LeakyRelu { len } => Sizes::elementwise(len, 2),
            Self::Shuffle { co, h, w, r } | Self::Unshuffle { co, h, w, r } => {
                Sizes::elementwise(product(&[co, r, r, h, w])?, 0)
            }
        };
        let fits = sizes.input <= MAX_CODES
            && sizes.output <= MAX_CODES
            && sizes.taps <= MAX_TAPS
            && sizes.channels <= MAX_CODES;
        fits.then_some(sizes)
    }

    /// Fingerprint of the layer: its code, output element type and shape words.
    pub fn fingerprint(&self) -> u32 {
        let w = self.words();
        let mut words = [0u32; SHAPE_WORDS + 2];
        words[0] = self.code();
        words[1] = DType::I8 as u32;
        for (d, &s) in words[2..].iter_mut().zip(&w) {
            *d = s as u32;
        }
        layer(*b"QNT8", &words)
    }
}

/// The sizes of a layer per sample ([`Kind::sizes`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// Input codes.
    pub input: usize,
    /// Output codes.
    pub output: usize,
    /// Weight codes.
    pub weights: usize,
    /// Channel records.
    pub channels: usize,
    /// Most taps summed into one output.
    pub taps: usize,
}

impl Sizes {
    const fn elementwise(len: usize, channels: usize) -> Self {
        Self {
            input: len,
            output: len,
            weights: 0,
            channels,
            taps: 1,
        }
    }
}

/// Fingerprint of an int8 network: the chain of its layers' [`Kind::fingerprint`]s.
pub fn fingerprint(kinds: impl IntoIterator<Item = Kind>) -> u32 {
    kinds
        .into_iter()
        .fold(chain(&[]), |h, k| fnv1a(h, &[k.fingerprint()]))
}

/// One int8 layer, its parameters borrowed from the file's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layer<'a> {
    /// What it computes.
    pub kind: Kind,
    /// `s_x`, the input scale.
    pub input_scale: Requant,
    /// `s_y`, the output scale.
    pub output_scale: Requant,
    /// Zero points and the output clamp.
    pub io: LayerIo,
    /// Weight codes (empty `I8` for kinds without weights).
    pub weights: Weights<'a>,
    /// Channel records (empty for kinds without them).
    pub channels: &'a [ChannelBytes],
    /// The table of a `Lut` layer.
    pub table: Option<&'a [u8; TABLE_LEN]>,
}

impl Layer<'_> {
    /// The descriptor words (see the module docs).
    pub fn descriptor(&self) -> [i32; DESCRIPTOR_WORDS] {
        let mut d = [0i32; DESCRIPTOR_WORDS];
        d[..SHAPE_AT].copy_from_slice(&[
            self.kind.code() as i32,
            DType::I8 as i32,
            self.input_scale.multiplier,
            self.input_scale.shift,
            self.io.input_zero as i32,
            self.output_scale.multiplier,
            self.output_scale.shift,
            self.io.output_zero as i32,
            // The clamp in int8 codes: the kernels clamp to the i8 range anyway.
            self.io.min.clamp(i8::MIN.into(), i8::MAX.into()),
            self.io.max.clamp(i8::MIN.into(), i8::MAX.into()),
        ]);
        for (w, &s) in d[SHAPE_AT..].iter_mut().zip(&self.kind.words()) {
            *w = s as i32;
        }
        d
    }
}

/// Checks a multiplier and shift read from a file.
fn check_requant(r: Requant, layer: Option<u32>) -> Result<(), LoadError> {
    let bad = |param| Err(LoadError::QuantRange { layer, param });
    if r.multiplier < crate::quant::requant::MIN_MULTIPLIER {
        return bad(QuantParam::Multiplier);
    }
    if !r.is_valid() {
        return bad(QuantParam::Shift);
    }
    Ok(())
}

/// The records of `bytes`, each checked.
fn records(bytes: &[u8], layer: Option<u32>) -> Result<&[ChannelBytes], LoadError> {
    let (records, _) = bytes.as_chunks::<CHANNEL_BYTES>();
    for r in records {
        check_requant(Channel::from_le_bytes(r).requant, layer)?;
    }
    Ok(records)
}

/// An `i8` read from a word, or the error `param` of `layer`.
fn code(word: i32, layer: u32, param: QuantParam) -> Result<i8, LoadError> {
    i8::try_from(word).map_err(|_| LoadError::QuantRange {
        layer: Some(layer),
        param,
    })
}

/// A validated int8 model file borrowed from a byte buffer (flash or RAM).
#[derive(Clone, Copy, Debug)]
pub struct Int8Model<'a> {
    file: ModelFile<'a>,
    layers: usize,
    output_map: &'a [ChannelBytes],
}

impl<'a> Int8Model<'a> {
    /// Validates `bytes` as an int8 model file (see the module docs). An f32 file (format
    /// version 1 or 2) has no int8 layers: [`LoadError::NoLayers`].
    pub fn parse(bytes: &'a [u8]) -> Result<Self, LoadError> {
        let file = ModelFile::parse(bytes)?;
        let mut layers = 0;
        for i in 0..file.len() {
            layers += matches!(file.entry(i), Ok(e) if e.role == Role::Int8Layer) as usize;
        }
        if layers == 0 || file.find(Role::Int8Layer, layers - 1).is_none() {
            return Err(LoadError::NoLayers);
        }
        for i in 0..file.len() {
            let e = file.entry(i)?;
            let per_layer = matches!(
                e.role,
                Role::Int8Layer | Role::Int8Weights | Role::Int8Channels | Role::Int8Table
            );
            if per_layer && e.index as usize >= layers {
                return Err(LoadError::BadEntry(i as u32));
            }
        }
        let map = file
            .find(Role::Int8OutputMap, 0)
            .ok_or(LoadError::MissingInt8 {
                layer: layers as u32,
                role: Role::Int8OutputMap,
            })?;
        if map.len == 0 || !(map.len as usize).is_multiple_of(RECORD_WORDS) {
            return Err(LoadError::TensorLength {
                index: layers as u32,
                expected: RECORD_WORDS as u32 * (map.len / RECORD_WORDS as u32).max(1),
                found: map.len,
            });
        }
        let model = Self {
            file,
            layers,
            output_map: records(file.bytes(&map), None)?,
        };
        let mut previous: Option<Layer<'a>> = None;
        let mut hash = chain(&[]);
        for k in 0..layers {
            let l = model.layer(k)?;
            let sizes = l.kind.sizes().ok_or(LoadError::BadLayer(k as u32))?;
            if let Some(p) = previous {
                let p_sizes = p.kind.sizes().ok_or(LoadError::BadLayer(k as u32 - 1))?;
                if p_sizes.output != sizes.input {
                    return Err(LoadError::BadLayer(k as u32));
                }
                if (p.output_scale, p.io.output_zero) != (l.input_scale, l.io.input_zero) {
                    return Err(LoadError::QuantRange {
                        layer: Some(k as u32),
                        param: QuantParam::Chain,
                    });
                }
            }
            hash = fnv1a(hash, &[l.kind.fingerprint()]);
            previous = Some(l);
        }
        if hash != file.fingerprint {
            return Err(LoadError::WrongArchitecture {
                expected: hash,
                found: file.fingerprint,
            });
        }
        Ok(model)
    }

    /// Refuses the file unless it holds the int8 network of fingerprint `expected` (a
    /// firmware's compiled-in architecture).
    pub fn check_fingerprint(&self, expected: u32) -> Result<(), LoadError> {
        if self.file.fingerprint != expected {
            return Err(LoadError::WrongArchitecture {
                expected,
                found: self.file.fingerprint,
            });
        }
        Ok(())
    }

    /// The container: version, fingerprint, metadata, the f32 map to data units.
    pub fn file(&self) -> &ModelFile<'a> {
        &self.file
    }

    /// Number of layers.
    pub fn len(&self) -> usize {
        self.layers
    }

    /// Whether there are no layers (never, for a parsed file).
    pub fn is_empty(&self) -> bool {
        self.layers == 0
    }

    /// The records of the map of the last layer's codes to data units.
    pub fn output_map(&self) -> &'a [ChannelBytes] {
        self.output_map
    }

    /// Layer `k`, decoded and checked on its own (what [`Int8Model::parse`] checks for
    /// every layer, except the chain to its neighbours): its parameters in place.
    pub fn layer(&self, k: usize) -> Result<Layer<'a>, LoadError> {
        let n = k as u32;
        let e = self
            .file
            .find(Role::Int8Layer, k)
            .ok_or(LoadError::NoLayers)?;
        let d = self.tensor(e, DESCRIPTOR_WORDS, n)?;
        let word =
            |i: usize| i32::from_le_bytes([d[4 * i], d[4 * i + 1], d[4 * i + 2], d[4 * i + 3]]);
        let mut shape = [0usize; SHAPE_WORDS];
        for (i, s) in shape.iter_mut().enumerate() {
            *s = usize::try_from(word(SHAPE_AT + i)).map_err(|_| LoadError::BadLayer(n))?;
        }
        let known = u8::try_from(word(1)).ok().and_then(DType::from_u8);
        let kind = Kind::from_words(word(0) as u32, shape)
            .filter(|_| known == Some(DType::I8) && word(22) == 0 && word(23) == 0)
            .ok_or(LoadError::BadLayer(n))?;
        let sizes = kind.sizes().ok_or(LoadError::BadLayer(n))?;
        let scale = |at: usize| Requant {
            multiplier: word(at),
            shift: word(at + 1),
        };
        let (input_scale, output_scale) = (scale(2), scale(5));
        check_requant(input_scale, Some(n))?;
        check_requant(output_scale, Some(n))?;
        let io = LayerIo {
            input_zero: code(word(4), n, QuantParam::ZeroPoint)?,
            output_zero: code(word(7), n, QuantParam::ZeroPoint)?,
            min: code(word(8), n, QuantParam::Clamp)?.into(),
            max: code(word(9), n, QuantParam::Clamp)?.into(),
        };
        if io.min > io.max {
            return Err(LoadError::QuantRange {
                layer: Some(n),
                param: QuantParam::Clamp,
            });
        }
        let same_map = (input_scale, io.input_zero) == (output_scale, io.output_zero);
        let keeps_map = matches!(
            kind,
            Kind::Relu { .. } | Kind::Shuffle { .. } | Kind::Unshuffle { .. }
        );
        if keeps_map && !same_map {
            return Err(LoadError::QuantRange {
                layer: Some(n),
                param: QuantParam::Chain,
            });
        }
        let weights = self.weights(k, sizes)?;
        let channels = self.optional(Role::Int8Channels, k, RECORD_WORDS * sizes.channels)?;
        let table = self.optional(
            Role::Int8Table,
            k,
            match kind {
                Kind::Lut { .. } => TABLE_LEN,
                _ => 0,
            },
        )?;
        Ok(Layer {
            kind,
            input_scale,
            output_scale,
            io,
            weights,
            channels: records(channels, Some(n))?,
            table: table.try_into().ok(),
        })
    }

    /// The weight codes of layer `k` (none for a kind without weights), checked: their
    /// length, each code within its type's symmetric range, and, for 16-bit codes, the
    /// layer's taps within [`MAX_TAPS16`].
    fn weights(&self, k: usize, sizes: Sizes) -> Result<Weights<'a>, LoadError> {
        let n = k as u32;
        let bytes = self.optional(Role::Int8Weights, k, sizes.weights)?;
        let wide = self
            .file
            .find(Role::Int8Weights, k)
            .is_some_and(|e| e.dtype == DType::I16);
        let weights = if wide {
            if sizes.taps > MAX_TAPS16 {
                return Err(LoadError::BadLayer(n));
            }
            Weights::I16(bytes)
        } else {
            Weights::I8(bytes)
        };
        // An i8 code below −127 is the byte 0x80 (one word-at-a-time search: the runner
        // decodes each layer every sample); i16 codes are read one by one.
        let max = weights.max_code();
        let out_of_range = match weights {
            Weights::I8(b) => b.contains(&0x80),
            Weights::I16(_) => (0..weights.len()).any(|i| weights.get(i).is_none_or(|q| q < -max)),
        };
        if out_of_range {
            return Err(LoadError::QuantRange {
                layer: Some(n),
                param: QuantParam::Weight,
            });
        }
        Ok(weights)
    }

    /// The bytes of entry `e` of layer `n` after checking it holds `len` elements.
    fn tensor(&self, e: Entry, len: usize, n: u32) -> Result<&'a [u8], LoadError> {
        if e.len as usize != len {
            return Err(LoadError::TensorLength {
                index: n,
                expected: len as u32,
                found: e.len,
            });
        }
        Ok(self.file.bytes(&e))
    }

    /// The tensor of `role` of layer `k` with `len` elements; none (empty) when `len` is
    /// 0, and then an entry is refused as one the layer does not take.
    fn optional(&self, role: Role, k: usize, len: usize) -> Result<&'a [u8], LoadError> {
        let n = k as u32;
        match (self.file.find(role, k), len) {
            (None, 0) => Ok(&[]),
            (Some(_), 0) => Err(LoadError::BadLayer(n)),
            (None, _) => Err(LoadError::MissingInt8 { layer: n, role }),
            (Some(e), len) => self.tensor(e, len, n),
        }
    }
}

pub mod run;

#[cfg(test)]
mod tests;
