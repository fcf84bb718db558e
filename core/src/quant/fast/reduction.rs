//! What the column kernels of [`super::m4`] need of their operand: one reduction's centred
//! inputs `x − z_x` (a dense layer's input, a convolution's patch, a transposed
//! convolution's taps of one residue class), and the dot products of int8 weight rows with
//! them, requantised. Two operands implement it: [`super::column::Column`] (packed for the
//! Cortex-M4's SMLAD) and [`super::m0::Plain`] (plain `i16` values for the Cortex-M0).

use super::column::Column;
use crate::quant::channel::{ChannelBytes, LayerIo};

/// One reduction's centred inputs and their dot products with weight rows.
pub trait Reduction: Default {
    /// Holds `len` values (`len ≤` [`super::column::CAP`]): `write` sets them all, in
    /// order, in the slice it is given (centred codes, −255..=255).
    fn fill(&mut self, len: usize, write: impl FnOnce(&mut [i16]));

    /// Every output channel of one position: `put(o, out_o(Σ_k w[o][k] · x[k]))` for `o`
    /// in `0..channels.len()`, with `w: [channels][len]` int8 codes.
    fn outputs(&self, w: &[u8], channels: &[ChannelBytes], io: LayerIo, put: impl FnMut(usize, i8));
}

impl Reduction for Column {
    #[inline]
    fn fill(&mut self, len: usize, write: impl FnOnce(&mut [i16])) {
        Column::fill(self, len, write)
    }

    #[inline]
    fn outputs(
        &self,
        w: &[u8],
        channels: &[ChannelBytes],
        io: LayerIo,
        put: impl FnMut(usize, i8),
    ) {
        Column::outputs(self, w, channels, io, put)
    }
}
