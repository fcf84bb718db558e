//! An int8 generator held in memory, run by core's integer kernels (the code a device
//! runs, so the same bits).

use super::fold::{Linear, Shuffle};
use crate::model_io::OutputScaling;
use tinygan_core::quant::{self, Affine, ChannelBytes, LayerIo, Requant};
use tinygan_core::rng::{Prng, fill_gaussian};

/// Samples computed per pass of [`Int8Generator::rows`].
const STREAM_CHUNK: usize = 25;

/// One int8 layer.
#[derive(Clone, Debug, PartialEq)]
pub enum Kernel {
    /// [`quant::fast::dense`], [`quant::fast::conv2d`] or
    /// [`quant::fast::conv_transpose2d`]: the kernel the target runs, bit-exact to the
    /// reference kernels of `quant::dense` and `quant::conv`.
    Linear(Linear),
    /// [`quant::activation::relu`] at the input's zero point.
    Relu,
    /// [`quant::activation::leaky_relu`] with the multipliers of the two sides.
    LeakyRelu(Requant, Requant),
    /// [`quant::activation::lut`].
    Lut(Box<[u8; 256]>),
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
    /// Weight codes (`i8` as bytes), in the f32 layer's layout.
    pub w: Vec<u8>,
    /// One record per output channel.
    pub channels: Vec<ChannelBytes>,
    /// Zero points and clamp.
    pub io: LayerIo,
    /// The output's map to reals.
    pub output: Affine,
    /// Output codes per sample.
    pub len: usize,
}

impl Layer {
    /// `y = layer(x)` for a batch; `y` holds `len` codes a sample.
    pub fn run(&self, x: &[i8], y: &mut [i8]) {
        let (w, c, io) = (&self.w[..], &self.channels[..], self.io);
        match &self.kernel {
            Kernel::Linear(Linear::Dense { inp, out }) => {
                quant::fast::dense(w, c, io, x, y, *inp, *out)
            }
            Kernel::Linear(Linear::Conv(s)) => quant::fast::conv2d(s, w, c, io, x, y),
            Kernel::Linear(Linear::ConvTranspose(s)) => {
                quant::fast::conv_transpose2d(s, w, c, io, x, y)
            }
            Kernel::Relu => quant::activation::relu(x, y, io.input_zero),
            Kernel::LeakyRelu(p, n) => quant::activation::leaky_relu(x, y, io, *p, *n),
            Kernel::Lut(t) => quant::activation::lut(x, y, t),
            Kernel::Shuffle(s) => s.run(x, y),
        }
    }

    /// Bytes of parameters in flash: weight codes and channel records (plus a table).
    pub fn param_bytes(&self) -> usize {
        let table = if matches!(self.kernel, Kernel::Lut(_)) {
            256
        } else {
            0
        };
        self.w.len() + self.channels.len() * quant::CHANNEL_BYTES + table
    }
}

/// An int8 generator: `z` quantised by `input`, the layers, and the map of the last
/// layer's codes to data units ([`quant::output`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Int8Generator {
    /// Values of `z` per sample.
    pub z_len: usize,
    /// The map of `z` to codes (`z` is drawn in f32 as for the f32 model, then quantised).
    pub input: Affine,
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
        let mut x: Vec<i8> = z.iter().map(|&v| self.input.quantize(v)).collect();
        let batch = z.len() / self.z_len;
        for layer in &self.layers {
            let mut y = vec![0i8; batch * layer.len];
            layer.run(&x, &mut y);
            x = y;
        }
        let zero = self
            .layers
            .last()
            .map_or(self.input.zero_point, |l| l.output.zero_point);
        let mut out = vec![0i32; x.len()];
        quant::output::to_data(&x, zero, &self.maps, &mut out);
        out
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
        let mut z = vec![0.0f32; n * self.z_len];
        for zi in z.chunks_exact_mut(self.z_len) {
            fill_gaussian(rng, zi);
        }
        let unit = (1u32 << quant::output::DATA_FRAC_BITS) as f32;
        let out = self.forward(&z);
        let len = out.len() / n.max(1);
        out.chunks_exact(len.max(1))
            .map(|r| r.iter().map(|&v| v as f32 / unit).collect())
            .collect()
    }

    /// Bytes of parameters in flash: every layer's, the output maps and the input map.
    pub fn param_bytes(&self) -> usize {
        let layers: usize = self.layers.iter().map(Layer::param_bytes).sum();
        layers + self.maps.len() * quant::CHANNEL_BYTES + 5
    }
}
