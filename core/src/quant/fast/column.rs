//! The packed operand of the SMLAD kernels: one reduction's centred inputs `x − z_x`
//! (a dense layer's input, a convolution's patch) laid out for [`super::pairs`], and the
//! dot products of int8 weight rows with it.
//!
//! Element quad `k` (elements `4k..4k+4`) is stored as the two words
//! `(x₄ₖ, x₄ₖ₊₂)` and `(x₄ₖ₊₁, x₄ₖ₊₃)`, matching `sxtb16` and `sxtb16_ror8` of the weight
//! word holding `w₄ₖ..w₄ₖ₊₃`; the last `len mod 4` elements are kept apart and multiplied
//! one by one. Centred codes lie in −255..=255, so they fit the `i16` lanes.

use super::pairs::{pack, smlad, sxtb16, sxtb16_ror8};
use crate::quant::channel::{Channel, ChannelBytes, LayerIo};

/// Most elements a [`Column`] holds: 512 (1 KB of stack; the presets' longest reduction
/// is 288).
pub const CAP: usize = 512;

/// Weight rows per pass: each loaded column word serves this many output channels.
const ROWS: usize = 4;

/// One reduction's centred inputs, packed (see the [module docs](self)).
pub struct Column {
    quads: [[u32; 2]; CAP / 4],
    tail: [i32; 3],
    len: usize,
}

impl Default for Column {
    /// An empty column.
    fn default() -> Self {
        Self {
            quads: [[0; 2]; CAP / 4],
            tail: [0; 3],
            len: 0,
        }
    }
}

impl Column {
    /// Holds the first `len` values of `values` (`len ≤` [`CAP`]; each in −32768..=32767).
    #[inline]
    pub fn fill(&mut self, len: usize, mut values: impl Iterator<Item = i32>) {
        debug_assert!(len <= CAP);
        self.len = len.min(CAP);
        let mut next = || values.next().unwrap_or(0);
        for q in &mut self.quads[..self.len / 4] {
            let [a, b, c, d] = [next(), next(), next(), next()];
            *q = [pack(a, c), pack(b, d)];
        }
        for t in &mut self.tail[..self.len % 4] {
            *t = next();
        }
    }

    /// `Σ_k row_r[k] · x[k]` for `R` weight rows of at least `len` bytes.
    #[inline(always)]
    fn dot<const R: usize>(&self, rows: [&[u8]; R]) -> [i32; R] {
        let n = self.len / 4;
        let col = &self.quads[..n];
        let rows = rows.map(|r| &r[..self.len]);
        let words = rows.map(|r| &r.as_chunks::<4>().0[..n]);
        let mut acc = [0i32; R];
        for (k, c) in col.iter().enumerate() {
            for r in 0..R {
                let w = u32::from_le_bytes(words[r][k]);
                acc[r] = smlad(sxtb16(w), c[0], acc[r]);
                acc[r] = smlad(sxtb16_ror8(w), c[1], acc[r]);
            }
        }
        for (t, &x) in self.tail[..self.len % 4].iter().enumerate() {
            for r in 0..R {
                acc[r] = acc[r].wrapping_add(rows[r][4 * n + t] as i8 as i32 * x);
            }
        }
        acc
    }

    /// Every output channel of one position: `put(o, out_o(Σ_k w[o][k] · x[k]))` for
    /// `o` in `0..channels.len()`, with `w: [channels][len]`, [`ROWS`] channels a pass.
    #[inline]
    pub fn outputs(
        &self,
        w: &[u8],
        channels: &[ChannelBytes],
        io: LayerIo,
        mut put: impl FnMut(usize, i8),
    ) {
        let len = self.len;
        let out = channels.len();
        let full = out / ROWS * ROWS;
        for o in (0..full).step_by(ROWS) {
            let acc = self.dot::<ROWS>(core::array::from_fn(|r| &w[(o + r) * len..]));
            for (r, a) in acc.into_iter().enumerate() {
                put(
                    o + r,
                    Channel::from_le_bytes(&channels[o + r]).output(a, io),
                );
            }
        }
        for o in full..out {
            let [a] = self.dot::<1>([&w[o * len..]]);
            put(o, Channel::from_le_bytes(&channels[o]).output(a, io));
        }
    }
}
