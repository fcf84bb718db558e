//! What runs an int8 generator on the host: core's runner
//! (`tinygan_core::model::int8::run`) on its int8 model file, the code a board runs, so
//! the host and the boards compute the same bits by construction. A freshly quantised
//! generator runs the same way on the bytes `tinygan quantize --out` would write; only a
//! generator with `i16` codes (the 16x8 scheme, which format version 3 does not store)
//! runs layer by layer on the host ([`Int8Generator::forward`]).

use super::file::encode;
use super::int8::{Bits, Int8Generator};
use crate::model_io::{About, OutputScaling, scaling_of};
use crate::sampler::Rows;
use anyhow::{Result, anyhow};
use tinygan_core::model::int8::Int8Model;
use tinygan_core::quant::output::DATA_FRAC_BITS;
use tinygan_core::rng::{Prng, fill_gaussian};

/// Samples computed per pass of a stream of rows.
pub const STREAM_CHUNK: usize = 25;

/// A validated int8 model file held in memory.
#[derive(Clone, Debug)]
pub struct Int8File {
    /// The file's bytes; [`Int8Model::parse`] took them.
    bytes: Vec<u8>,
    /// Values of `z` per sample.
    z_len: usize,
    /// Scratch codes per sample.
    scratch_len: usize,
    /// Outputs per sample.
    out_len: usize,
    /// The map to data units of the f32 model (for reporting in model units).
    pub scaling: Option<OutputScaling>,
}

impl Int8File {
    /// Validates `bytes` as an int8 model file.
    pub fn parse(bytes: Vec<u8>) -> Result<Self> {
        let m = Int8Model::parse(&bytes)?;
        let (z_len, scratch_len, out_len) = (m.z_len(), m.scratch_len(), m.out_len());
        let scaling = scaling_of(m.file());
        Ok(Self {
            bytes,
            z_len,
            scratch_len,
            out_len,
            scaling,
        })
    }

    /// `g` as the file `tinygan quantize --out` writes (without metadata). A generator
    /// with `i16` codes has none: `None`.
    pub fn of(g: &Int8Generator) -> Result<Option<Self>> {
        if g.bits().contains(&Bits::I16) {
            return Ok(None);
        }
        let about = About {
            kind: None,
            data: None,
        };
        Self::parse(encode(g, &about)?).map(Some)
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Values of `z` per sample ([`Int8Model::z_len`]).
    pub fn z_len(&self) -> usize {
        self.z_len
    }

    /// Scratch codes per sample ([`Int8Model::scratch_len`]).
    pub fn scratch_len(&self) -> usize {
        self.scratch_len
    }

    /// Outputs per sample ([`Int8Model::out_len`]).
    pub fn out_len(&self) -> usize {
        self.out_len
    }

    /// Data units in Q15.16 (`value / 65536`), `[batch][out]`, for `z: [batch][z_len]`:
    /// [`Int8Model::generate`].
    pub fn forward(&self, z: &[f32]) -> Result<Vec<i32>> {
        let m = Int8Model::parse(&self.bytes)?;
        let batch = z.len() / self.z_len.max(1);
        let mut scratch = vec![0i8; batch * self.scratch_len];
        let mut out = vec![0i32; batch * self.out_len];
        m.generate(z, &mut scratch, &mut out)
            .map_err(|e| anyhow!("the int8 runner refused the batch: {e}"))?;
        Ok(out)
    }

    /// `n` samples in data units, one row each, `z` drawn from `Prng::new(seed)` as for
    /// the f32 model ([`crate::generate`]).
    pub fn sample(&self, n: usize, seed: u64) -> Result<Vec<Vec<f32>>> {
        self.sample_from(&mut Prng::new(seed), n)
    }

    /// `n` samples in data units, `z` drawn from `rng`.
    fn sample_from(&self, rng: &mut Prng, n: usize) -> Result<Vec<Vec<f32>>> {
        Ok(to_rows(&self.forward(&draw_z(rng, n, self.z_len))?, n))
    }

    /// The endless stream of [`Int8File::sample`]'s rows, [`STREAM_CHUNK`] at a time; a
    /// chunk the runner refuses is one error item.
    pub fn rows(&self, seed: u64) -> Rows<'_> {
        let mut rng = Prng::new(seed);
        Box::new(
            std::iter::from_fn(move || Some(self.sample_from(&mut rng, STREAM_CHUNK))).flat_map(
                |chunk| {
                    let (rows, error) = match chunk {
                        Ok(rows) => (rows, None),
                        Err(e) => (Vec::new(), Some(Err(e))),
                    };
                    rows.into_iter().map(Ok).chain(error)
                },
            ),
        )
    }
}

/// The latents of `n` samples, `[n][z_len]`, drawn from `rng` sample by sample (as
/// [`tinygan_core::generate`] draws them).
pub fn draw_z(rng: &mut Prng, n: usize, z_len: usize) -> Vec<f32> {
    let mut z = vec![0.0f32; n * z_len];
    for zi in z.chunks_exact_mut(z_len.max(1)) {
        fill_gaussian(rng, zi);
    }
    z
}

/// Q15.16 outputs of `n` samples as `n` rows of data units (`value / 65536`).
pub fn to_rows(out: &[i32], n: usize) -> Vec<Vec<f32>> {
    let unit = (1u32 << DATA_FRAC_BITS) as f32;
    let len = out.len() / n.max(1);
    out.chunks_exact(len.max(1))
        .map(|r| r.iter().map(|&v| v as f32 / unit).collect())
        .collect()
}

/// A quantised generator as it runs: its int8 file by core's runner, or, with `i16`
/// codes, its layers on the host.
pub enum Quantised {
    /// 8-bit codes throughout: core's runner on the file.
    File(Int8File),
    /// The 16x8 scheme: [`Int8Generator::forward`].
    Layers(Int8Generator),
}

impl Quantised {
    /// How `g` runs: as its file unless it has `i16` codes.
    pub fn new(g: Int8Generator) -> Result<Self> {
        Ok(match Int8File::of(&g)? {
            Some(f) => Self::File(f),
            None => Self::Layers(g),
        })
    }

    /// `n` samples in data units, one row each, `z` drawn from `Prng::new(seed)`.
    pub fn sample(&self, n: usize, seed: u64) -> Result<Vec<Vec<f32>>> {
        match self {
            Self::File(f) => f.sample(n, seed),
            Self::Layers(g) => Ok(g.sample(n, seed)),
        }
    }

    /// The endless stream of samples in data units.
    pub fn rows(&self, seed: u64) -> Rows<'_> {
        match self {
            Self::File(f) => f.rows(seed),
            Self::Layers(g) => Box::new(g.rows(seed).map(Ok)),
        }
    }
}
