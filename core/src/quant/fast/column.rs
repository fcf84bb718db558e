//! The packed operand of the SMLAD kernels: one reduction's centred inputs `x − z_x`
//! (a dense layer's input, a convolution's patch) laid out for [`super::pairs`], and the
//! dot products of int8 weight rows with it.
//!
//! Element quad `k` (elements `4k..4k+4`) is stored as the two words
//! `(x₄ₖ, x₄ₖ₊₂)` and `(x₄ₖ₊₁, x₄ₖ₊₃)`, matching `sxtb16` and `sxtb16_ror8` of the weight
//! word holding `w₄ₖ..w₄ₖ₊₃`; the last `len mod 4` elements are multiplied one by one.
//! The caller writes the values in their natural order into an `i16` slice (centred codes
//! lie in −255..=255), which is then packed: one pass of plain stores, one of packing.

use super::pairs::{pack, smlad, sxtb16, sxtb16_ror8};
use crate::quant::channel::{Channel, ChannelBytes, LayerIo};

/// Most elements a [`Column`] holds: 256 (1 KB of stack). Every reduction of the presets'
/// generators fits but the `wide` digits generator's last convolution (288).
pub const CAP: usize = 256;

/// Weight rows per pass: each loaded column word serves this many output channels.
const ROWS: usize = 4;

/// One reduction's centred inputs, packed (see the [module docs](self)).
pub struct Column {
    values: [i16; CAP],
    quads: [[u32; 2]; CAP / 4],
    len: usize,
}

impl Default for Column {
    /// An empty column.
    fn default() -> Self {
        Self {
            values: [0; CAP],
            quads: [[0; 2]; CAP / 4],
            len: 0,
        }
    }
}

impl Column {
    /// Holds `len` values (`len ≤` [`CAP`]): `write` sets them all, in order, in the slice
    /// it is given; they are then packed.
    #[inline]
    pub fn fill(&mut self, len: usize, write: impl FnOnce(&mut [i16])) {
        debug_assert!(len <= CAP);
        self.len = len.min(CAP);
        let values = &mut self.values[..self.len];
        write(values);
        for (q, v) in self.quads.iter_mut().zip(values.as_chunks::<4>().0) {
            let v = v.map(i32::from);
            *q = [pack(v[0], v[2]), pack(v[1], v[3])];
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
        for (t, &x) in self.values[4 * n..self.len].iter().enumerate() {
            for r in 0..R {
                acc[r] = acc[r].wrapping_add(rows[r][4 * n + t] as i8 as i32 * x as i32);
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
