//! The packed operand of the SMLAD kernels: one reduction's centred inputs `x − z_x`
//! (a dense layer's input, a convolution's patch) laid out for [`super::pairs`], and the
//! dot products of int8 weight rows with it.
//!
//! Element quad `k` (elements `4k..4k+4`) is stored as the two words
//! `(x₄ₖ, x₄ₖ₊₂)` and `(x₄ₖ₊₁, x₄ₖ₊₃)`, matching `sxtb16` and `sxtb16_ror8` of the weight
//! word holding `w₄ₖ..w₄ₖ₊₃`; the last `len mod 4` elements are multiplied one by one.
//! The caller writes the values in their natural order into an `i16` slice (centred codes
//! lie in −255..=255), which is then packed: one pass of plain stores, one of packing.

use super::pairs::{mac4, pack};
use crate::quant::channel::{Channel, ChannelBytes, LayerIo};

/// Most elements a [`Column`] holds: 256 (1 KB of stack). Every reduction of the presets'
/// generators fits but the `wide` digits generator's last convolution (288).
pub const CAP: usize = 256;

/// Weight rows per pass: each loaded column word serves this many output channels (three:
/// with four the loop's pointers and accumulators no longer fit the registers).
const ROWS: usize = 3;

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
            *q = packed(v.map(i32::from));
        }
    }

    /// `Σ_k row_r[k] · x[k]` for the [`ROWS`] weight rows `w[r·len..(r + 1)·len]` (`w`
    /// holds at least `ROWS · len` bytes).
    ///
    /// One pass over the quads: the two column words of a quad are loaded once and serve
    /// the three rows (per row a word load and [`mac4`]: SXTB16, SMLAD, SXTB16 ROR 8,
    /// SMLAD). The slices are cut to their exact lengths before the loop, so the loop
    /// carries no bounds check.
    #[inline(always)]
    fn dot_rows(&self, w: &[u8]) -> [i32; ROWS] {
        let len = self.len;
        let n = len / 4;
        let (r0, rest) = w.split_at(len);
        let (r1, rest) = rest.split_at(len);
        let r2 = &rest[..len];
        let (w0, w1, w2) = (words(r0, n), words(r1, n), words(r2, n));
        let col = &self.quads[..n];
        let mut acc = [0i32; ROWS];
        let mut quad = |c: &[u32; 2], ws: [&[u8; 4]; ROWS]| {
            for (a, w) in acc.iter_mut().zip(ws) {
                *a = mac4(*a, u32::from_le_bytes(*w), *c);
            }
        };
        for (((c, a), b), d) in col.iter().zip(w0).zip(w1).zip(w2) {
            quad(c, [a, b, d]);
        }
        let rows = [r0, r1, r2];
        for (t, &x) in self.values[4 * n..len].iter().enumerate() {
            for (a, r) in acc.iter_mut().zip(rows) {
                *a = a.wrapping_add(r[4 * n + t] as i8 as i32 * x as i32);
            }
        }
        acc
    }

    /// `Σ_k row[k] · x[k]` for one weight row of at least `len` bytes.
    #[inline(always)]
    fn dot1(&self, row: &[u8]) -> i32 {
        let len = self.len;
        let n = len / 4;
        let row = &row[..len];
        let mut acc = 0i32;
        for (c, w) in self.quads[..n].iter().zip(row.as_chunks::<4>().0) {
            acc = mac4(acc, u32::from_le_bytes(*w), *c);
        }
        for (&x, &w) in self.values[4 * n..len].iter().zip(&row[4 * n..]) {
            acc = acc.wrapping_add(w as i8 as i32 * x as i32);
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
        for (o, cs) in channels[..full].chunks_exact(ROWS).enumerate() {
            let o = ROWS * o;
            let acc = self.dot_rows(&w[o * len..]);
            for (r, (a, c)) in acc.into_iter().zip(cs).enumerate() {
                put(o + r, Channel::from_le_bytes(c).output(a, io));
            }
        }
        for (o, c) in channels.iter().enumerate().skip(full) {
            put(
                o,
                Channel::from_le_bytes(c).output(self.dot1(&w[o * len..]), io),
            );
        }
    }
}

/// Elements `v₀..v₃` as the two words `(v₀, v₂)`, `(v₁, v₃)`.
#[inline(always)]
fn packed(v: [i32; 4]) -> [u32; 2] {
    [pack(v[0], v[2]), pack(v[1], v[3])]
}

/// The first `n` words of `r`.
#[inline(always)]
fn words(r: &[u8], n: usize) -> &[[u8; 4]] {
    &r.as_chunks::<4>().0[..n]
}
