//! An int8 generator held in memory, as the quantiser builds it, run layer by layer by
//! core's reference integer kernels. Weights are int8, or 16-bit in the layers given them
//! (`--weights`, outside the pure int8 scheme); each activation tensor is coded in `i8` or,
//! in the 16x8 scheme, `i16` ([`Bits`]). With `i8` codes throughout, `generate`
//! and `eval` run it as its int8 file by core's runner instead ([`super::runner`], the
//! code a board runs), which computes the same bits: this layer-by-layer path is what the
//! 16x8 scheme runs and what the runner is checked against.

use super::fold::{Linear, Shuffle};
use super::runner::{STREAM_CHUNK, draw_z, to_rows};
use crate::model_io::OutputScaling;
use tinygan_core::quant::activation::TABLE16_LEN;
use tinygan_core::quant::{self, Affine, ChannelBytes, Code, LayerIo, Requant, Weights};
use tinygan_core::rng::Prng;

/// The integer type of an activation tensor's codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bits {
    /// `i8` codes with a zero point.
    I8,
    /// `i16` codes, symmetric (zero point 0).
    I16,
}

impl Bits {
    /// 8 or 16.
    pub fn count(self) -> u32 {
        match self {
            Self::I8 => 8,
            Self::I16 => 16,
        }
    }
}

/// A batch of activation codes.
#[derive(Clone, Debug, PartialEq)]
pub enum Codes {
    /// `i8` codes.
    I8(Vec<i8>),
    /// `i16` codes.
    I16(Vec<i16>),
}

impl Codes {
    /// `v` quantised by `map` into `bits`-bit codes.
    fn quantize(v: &[f32], map: Affine, bits: Bits) -> Self {
        match bits {
            Bits::I8 => Self::I8(v.iter().map(|&x| map.quantize(x)).collect()),
            Bits::I16 => Self::I16(v.iter().map(|&x| map.quantize(x)).collect()),
        }
    }
}

/// One int8 layer.
#[derive(Clone, Debug, PartialEq)]
pub enum Kernel {
    /// The reference kernels of `quant::dense` and `quant::conv` (to which the optimised
    /// ones that core's runner dispatches are bit-exact).
    Linear(Linear),
    /// [`quant::activation::relu`] at the input's zero point.
    Relu,
    /// [`quant::activation::leaky_relu`] with the multipliers of the two sides.
    LeakyRelu(Requant, Requant),
    /// [`quant::activation::lut`] (`i8` codes).
    Lut(Box<[u8; 256]>),
    /// [`quant::activation::lut16`] (`i16` codes).
    Lut16(Box<[i16; TABLE16_LEN]>),
    /// The pixel-shuffle permutation of the codes.
    Shuffle(Shuffle),
}

/// A layer of an int8 generator: its kernel, weight codes and channel records (empty for
/// the parameterless kernels), zero points and clamp, and what it produces.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// The source layers' names.
    pub name: String,
    /// What runs.
    pub kernel: Kernel,
    /// Weight codes (little-endian bytes of `weight_bits` codes), in the f32 layer's
    /// layout.
    pub w: Vec<u8>,
    /// The weight codes' type (`I8` for the kernels without weights).
    pub weight_bits: Bits,
    /// One record per output channel.
    pub channels: Vec<ChannelBytes>,
    /// Zero points and clamp.
    pub io: LayerIo,
    /// The output's map to reals.
    pub output: Affine,
    /// The output's code type. The layers that do not change the code type (ReLU, the
    /// tables, the shuffle) have the input's.
    pub bits: Bits,
    /// Output codes per sample.
    pub len: usize,
}

impl Layer {
    /// `y = layer(x)` for a batch of `x`.
    pub fn run(&self, x: &Codes) -> Codes {
        let zero = self.io.input_zero;
        match (&self.kernel, x) {
            (Kernel::Relu, Codes::I8(x)) => {
                Codes::I8(same(x, |x, y| quant::activation::relu(x, y, zero)))
            }
            (Kernel::Relu, Codes::I16(x)) => {
                Codes::I16(same(x, |x, y| quant::activation::relu(x, y, zero)))
            }
            (Kernel::Shuffle(s), Codes::I8(x)) => Codes::I8(same(x, |x, y| s.run(x, y))),
            (Kernel::Shuffle(s), Codes::I16(x)) => Codes::I16(same(x, |x, y| s.run(x, y))),
            (Kernel::Lut(t), Codes::I8(x)) => {
                Codes::I8(same(x, |x, y| quant::activation::lut(x, y, t)))
            }
            (Kernel::Lut16(t), Codes::I16(x)) => {
                Codes::I16(same(x, |x, y| quant::activation::lut16(x, y, t)))
            }
            (_, Codes::I8(x)) => self.changing(x),
            (_, Codes::I16(x)) => self.changing(x),
        }
    }

    /// The kernels that may change the code type (linear layers and leaky ReLU), into
    /// [`Layer::bits`]. A table given codes of the other type (which the quantiser never
    /// builds) outputs zeros.
    fn changing<X: Code>(&self, x: &[X]) -> Codes {
        match self.bits {
            Bits::I8 => Codes::I8(self.typed(x)),
            Bits::I16 => Codes::I16(self.typed(x)),
        }
    }

    /// Output codes for `x_len` input codes.
    fn output_len(&self, x_len: usize) -> usize {
        let inp = match self.kernel {
            Kernel::Linear(Linear::Dense { inp, .. }) => inp,
            Kernel::Linear(Linear::Conv(s)) => s.in_len(),
            Kernel::Linear(Linear::ConvTranspose(s)) => s.out_len(),
            _ => self.len,
        };
        x_len / inp.max(1) * self.len
    }

    /// The stored weight codes.
    pub fn weights(&self) -> Weights<'_> {
        match self.weight_bits {
            Bits::I8 => Weights::I8(&self.w),
            Bits::I16 => Weights::I16(&self.w),
        }
    }

    /// The reference kernels on any code types.
    fn typed<X: Code, Y: Code>(&self, x: &[X]) -> Vec<Y> {
        match self.weight_bits {
            Bits::I8 => self.typed_by::<i8, X, Y>(x),
            Bits::I16 => self.typed_by::<i16, X, Y>(x),
        }
    }

    /// The reference kernels with `W` weight codes.
    fn typed_by<W: Code, X: Code, Y: Code>(&self, x: &[X]) -> Vec<Y> {
        let (w, c, io) = (&self.w[..], &self.channels[..], self.io);
        let mut y = vec![Y::default(); self.output_len(x.len())];
        match &self.kernel {
            Kernel::Linear(Linear::Dense { inp, out }) => {
                quant::dense::forward::<W, _, _>(w, c, io, x, &mut y, *inp, *out)
            }
            Kernel::Linear(Linear::Conv(s)) => {
                quant::conv::conv2d::<W, _, _>(s, w, c, io, x, &mut y)
            }
            Kernel::Linear(Linear::ConvTranspose(s)) => {
                quant::conv::conv_transpose2d::<W, _, _>(s, w, c, io, x, &mut y)
            }
            Kernel::LeakyRelu(p, q) => quant::activation::leaky_relu(x, &mut y, io, *p, *q),
            Kernel::Relu | Kernel::Lut(_) | Kernel::Lut16(_) | Kernel::Shuffle(_) => {}
        }
        y
    }

    /// Bytes of parameters in flash: weight codes and channel records (plus a table).
    pub fn param_bytes(&self) -> usize {
        let table = match self.kernel {
            Kernel::Lut(_) => 256,
            Kernel::Lut16(_) => 2 * TABLE16_LEN,
            _ => 0,
        };
        self.w.len() + self.channels.len() * quant::CHANNEL_BYTES + table
    }
}

/// `f(x, y)` into a fresh `y` of `x`'s length and type.
fn same<C: Code>(x: &[C], f: impl FnOnce(&[C], &mut [C])) -> Vec<C> {
    let mut y = vec![C::default(); x.len()];
    f(x, &mut y);
    y
}

/// An int8 generator: `z` quantised by `input`, the layers, and the map of the last
/// layer's codes to data units ([`quant::output`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Int8Generator {
    /// Values of `z` per sample.
    pub z_len: usize,
    /// The map of `z` to codes (`z` is drawn in f32 as for the f32 model, then quantised).
    pub input: Affine,
    /// The code type of `z`.
    pub input_bits: Bits,
    /// The layers.
    pub layers: Vec<Layer>,
    /// Per output element (cycling), the map to data units.
    pub maps: Vec<ChannelBytes>,
    /// The output map kept from the f32 model (for reporting in model units).
    pub scaling: Option<OutputScaling>,
}

impl Int8Generator {
    /// Data units in Q15.16 (`value / 65536`), `[batch][out]`, for `z: [batch][z_len]`.
    pub fn forward(&self, z: &[f32]) -> Vec<i32> {
        let mut x = Codes::quantize(z, self.input, self.input_bits);
        for layer in &self.layers {
            x = layer.run(&x);
        }
        let zero = self
            .layers
            .last()
            .map_or(self.input.zero_point, |l| l.output.zero_point);
        match x {
            Codes::I8(x) => data(&x, zero, &self.maps),
            Codes::I16(x) => data(&x, zero, &self.maps),
        }
    }

    /// The code types of `z` and of every layer's output, in order.
    pub fn bits(&self) -> Vec<Bits> {
        std::iter::once(self.input_bits)
            .chain(self.layers.iter().map(|l| l.bits))
            .collect()
    }

    /// `n` samples in data units, one row each, `z` drawn from `Prng::new(seed)` as for
    /// the f32 model ([`crate::generate`]): the same `z`, sample for sample.
    pub fn sample(&self, n: usize, seed: u64) -> Vec<Vec<f32>> {
        self.sample_from(&mut Prng::new(seed), n)
    }

    /// The endless stream of [`Int8Generator::sample`]'s rows, computed [`STREAM_CHUNK`]
    /// at a time (memory stays one chunk however many are taken).
    pub fn rows(&self, seed: u64) -> impl Iterator<Item = Vec<f32>> + '_ {
        let mut rng = Prng::new(seed);
        std::iter::from_fn(move || Some(self.sample_from(&mut rng, STREAM_CHUNK))).flatten()
    }

    /// `n` samples in data units, `z` drawn from `rng`.
    fn sample_from(&self, rng: &mut Prng, n: usize) -> Vec<Vec<f32>> {
        to_rows(&self.forward(&draw_z(rng, n, self.z_len)), n)
    }

    /// Bytes of parameters in flash: every layer's, the output maps and the input map.
    pub fn param_bytes(&self) -> usize {
        let layers: usize = self.layers.iter().map(Layer::param_bytes).sum();
        layers + self.maps.len() * quant::CHANNEL_BYTES + 5
    }
}

/// [`quant::output::to_data`] of the last codes.
fn data<C: Code>(x: &[C], zero: i8, maps: &[ChannelBytes]) -> Vec<i32> {
    let mut out = vec![0i32; x.len()];
    quant::output::to_data(x, zero, maps, &mut out);
    out
}
