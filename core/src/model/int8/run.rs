//! Running an int8 generator from its model file: `z` to codes, every layer, codes to data
//! units, with the weights read in place and no heap.
//!
//! One sample of an [`Int8Model`] with layers `0..n` (layer `k` taking `in_k` codes and
//! giving `out_k`, `in_0` the latent size) runs in one caller-provided buffer of
//! [`Int8Model::scratch_len`] `= max_k (in_k + out_k)` codes (times the batch):
//! layer `k`'s input sits at one end of the buffer and its output is written to the
//! other, alternately, so the two never overlap and nothing is copied.
//!
//! - [`Int8Model::quantize_z`]: `q = clamp(round(z / s_x) + z_x)` with layer 0's input
//!   map (the one float step: `z` is drawn in `f32`, as for the f32 model);
//! - [`Int8Model::forward`]: every layer by its kernel ([`crate::quant::fast`] for the
//!   linear ones, the one dispatch the host and the boards share; the activations, the
//!   table and the pixel (un)shuffle), integers only;
//! - [`Int8Model::to_data`]: the last codes to data units in Q15.16 by the file's output
//!   map ([`crate::quant::output::to_data`]).
//!
//! [`Int8Model::generate`] runs the three. Nothing here panics on a parsed model: buffer
//! sizes are checked first and refused with a [`RunError`].

use super::{Int8Model, Kind, Layer, TABLE_LEN};
use crate::kernels::shuffle::{shuffle, unshuffle};
use crate::model::LoadError;
use crate::quant::{Affine, Channel, activation, fast, output};
use core::fmt;

/// Why a run was refused (nothing is computed then).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunError {
    /// The scratch buffer holds `given` codes; the batch needs `needed`
    /// ([`Int8Model::scratch_len`] per sample).
    Scratch {
        /// Codes the batch needs.
        needed: usize,
        /// Codes given.
        given: usize,
    },
    /// `z` and the output do not hold the same whole number of samples.
    Samples {
        /// Values of `z` given.
        z: usize,
        /// Values of `z` per sample.
        z_per_sample: usize,
        /// Outputs given.
        out: usize,
        /// Outputs per sample.
        out_per_sample: usize,
    },
    /// A layer of the file failed to decode (never for a file [`Int8Model::parse`] took).
    Model(LoadError),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Scratch { needed, given } => write!(
                f,
                "the scratch buffer holds {given} codes and the model needs {needed}: give it \
                 at least Int8Model::scratch_len() codes per sample"
            ),
            Self::Samples {
                z,
                z_per_sample,
                out,
                out_per_sample,
            } => write!(
                f,
                "{z} latent values and {out} outputs are not the same whole number of samples \
                 of {z_per_sample} and {out_per_sample}"
            ),
            Self::Model(e) => write!(f, "{e}"),
        }
    }
}

impl From<LoadError> for RunError {
    fn from(e: LoadError) -> Self {
        Self::Model(e)
    }
}

/// `(input codes, output codes)` per sample of layer `k`.
fn io_len(m: &Int8Model<'_>, k: usize) -> Result<(usize, usize), LoadError> {
    let s = m.layer(k)?.kind.sizes();
    s.map(|s| (s.input, s.output))
        .ok_or(LoadError::BadLayer(k as u32))
}

impl Int8Model<'_> {
    /// Values of `z` per sample: layer 0's input codes.
    pub fn z_len(&self) -> usize {
        io_len(self, 0).map_or(0, |(i, _)| i)
    }

    /// Outputs per sample: the last layer's output codes.
    pub fn out_len(&self) -> usize {
        io_len(self, self.len().saturating_sub(1)).map_or(0, |(_, o)| o)
    }

    /// Codes of scratch per sample that [`Int8Model::forward`] needs:
    /// `max_k (in_k + out_k)`, the largest input and output of one layer side by side.
    pub fn scratch_len(&self) -> usize {
        (0..self.len())
            .filter_map(|k| io_len(self, k).ok())
            .map(|(i, o)| i + o)
            .max()
            .unwrap_or(0)
    }

    /// Multiply-accumulates per sample: `inp · out` of a dense layer, weights times
    /// output positions (`oh · ow`) of a convolution and of a transposed one (the
    /// convolution it is the adjoint of: one product per weight and position); none
    /// elsewhere.
    pub fn macs(&self) -> usize {
        (0..self.len())
            .filter_map(|k| self.layer(k).ok())
            .map(|l| match l.kind {
                Kind::Dense { inp, out } => inp * out,
                Kind::Conv(s) | Kind::ConvTranspose(s) => l.weights.len() * s.oh * s.ow,
                _ => 0,
            })
            .sum()
    }

    /// `codes = clamp(round(z / s_x) + z_x)`, layer 0's input map, element by element
    /// (as many as the shorter of the two slices).
    pub fn quantize_z(&self, z: &[f32], codes: &mut [i8]) {
        let Ok(first) = self.layer(0) else { return };
        let map = Affine {
            scale: first.input_scale.real() as f32,
            zero_point: first.io.input_zero,
        };
        for (q, &v) in codes.iter_mut().zip(z) {
            *q = map.quantize(v);
        }
    }

    /// Runs every layer on the `batch` samples whose `z` codes are at the start of
    /// `scratch` (`batch ·` [`Int8Model::z_len`] codes) and returns the last layer's
    /// codes (`batch ·` [`Int8Model::out_len`]), which lie in `scratch`.
    pub fn forward<'s>(&self, scratch: &'s mut [i8], batch: usize) -> Result<&'s [i8], RunError> {
        let needed = self.scratch_len().saturating_mul(batch);
        let given = scratch.len();
        let buf = scratch
            .get_mut(..needed)
            .ok_or(RunError::Scratch { needed, given })?;
        let mut at_start = true;
        let mut last = (0, 0);
        for k in 0..self.len() {
            let l = self.layer(k)?;
            let s = l.kind.sizes().ok_or(LoadError::BadLayer(k as u32))?;
            let (n_in, n_out) = (s.input * batch, s.output * batch);
            // n_in + n_out ≤ needed by scratch_len, so neither split leaves its slice.
            let (x, y) = if at_start {
                let (lo, hi) = buf.split_at_mut(needed - n_out);
                (&lo[..n_in], hi)
            } else {
                let (lo, hi) = buf.split_at_mut(n_out);
                (&hi[hi.len() - n_in..], lo)
            };
            run_layer(&l, x, y, k)?;
            at_start = !at_start;
            last = if at_start {
                (0, n_out)
            } else {
                (needed - n_out, needed)
            };
        }
        Ok(&buf[last.0..last.1])
    }

    /// `out = ` the codes in data units, Q15.16 (`value / 65536`), by the file's output
    /// map (as many as the shorter of the two slices).
    pub fn to_data(&self, codes: &[i8], out: &mut [i32]) {
        let zero = self
            .layer(self.len().saturating_sub(1))
            .map_or(0, |l| l.io.output_zero);
        output::to_data(codes, zero, self.output_map(), out);
    }

    /// `out` = the samples of the latents `z` in data units, Q15.16 (`value / 65536`):
    /// [`Int8Model::quantize_z`], [`Int8Model::forward`] and [`Int8Model::to_data`] for as
    /// many samples as `z` holds, with `scratch` of at least that many times
    /// [`Int8Model::scratch_len`] codes.
    pub fn generate(&self, z: &[f32], scratch: &mut [i8], out: &mut [i32]) -> Result<(), RunError> {
        let (z_len, out_len) = (self.z_len(), self.out_len());
        let batch = z.len() / z_len.max(1);
        if z.len() != batch * z_len || out.len() != batch * out_len {
            return Err(RunError::Samples {
                z: z.len(),
                z_per_sample: z_len,
                out: out.len(),
                out_per_sample: out_len,
            });
        }
        if let Some(codes) = scratch.get_mut(..z.len()) {
            self.quantize_z(z, codes);
        }
        let codes = self.forward(scratch, batch)?;
        self.to_data(codes, out);
        Ok(())
    }
}

/// `y = layer(x)` for a batch, by the layer's kernel.
fn run_layer(l: &Layer<'_>, x: &[i8], y: &mut [i8], k: usize) -> Result<(), LoadError> {
    let (w, c, io) = (l.weights, l.channels, l.io);
    match l.kind {
        Kind::Dense { inp, out } => fast::dense(w, c, io, x, y, inp, out),
        Kind::Conv(s) => fast::conv2d(&s, w, c, io, x, y),
        Kind::ConvTranspose(s) => fast::conv_transpose2d(&s, w, c, io, x, y),
        Kind::Relu { .. } => activation::relu(x, y, io.input_zero),
        Kind::LeakyRelu { .. } => {
            let [p, n] = c else {
                return Err(LoadError::BadLayer(k as u32));
            };
            let (p, n) = (Channel::from_le_bytes(p), Channel::from_le_bytes(n));
            activation::leaky_relu(x, y, io, p.requant, n.requant)
        }
        Kind::Lut { .. } => {
            let table: &[u8; TABLE_LEN] = l.table.ok_or(LoadError::BadLayer(k as u32))?;
            activation::lut(x, y, table)
        }
        Kind::Shuffle { co, h, w, r } => shuffle(x, y, co, h, w, r),
        Kind::Unshuffle { co, h, w, r } => unshuffle(x, y, co, h, w, r),
    }
    Ok(())
}

#[cfg(test)]
mod tests;
