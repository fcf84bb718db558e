//! Optimised int8 kernels, bit-exact to the reference kernels of [`super::dense`] and
//! [`super::conv`], and the one place that chooses between them.
//!
//! - [`m4`]: packed kernels (dense, convolution, transposed convolution) for the
//!   Cortex-M4's DSP extension (SMLAD, SXTB16, word loads, three output channels a pass)
//!   over a [`column::Column`];
//! - [`pairs`]: the packed operations, the instructions on DSP targets ([`dsp`], the only
//!   `unsafe` in the crate) and their portable twins elsewhere;
//! - [`m0`]: the Cortex-M0's operand for the same kernels ([`reduction::Reduction`]):
//!   plain `i16` centred inputs, two output channels a pass, no division in any index.
//!
//! Every kernel compiles on every target (the packed ones through the portable twins),
//! so the host tests them all against the reference; the firmware's self-test does the
//! same on the emulated boards. The functions below pick, for the target being built,
//! the kernel that runs: on targets with the DSP extension the packed kernels when the
//! layer fits them ([`m4::fits`], [`m4::fits_transposed`]), on the Cortex-M0 (Thumb-1, no
//! `thumb2` feature) the convolutions on [`m0::Plain`] when they fit (its dense kernel was
//! measured slower than the reference there), else the reference kernels (figures:
//! docs/RESULTS.md). Layers with 16-bit weights ([`Weights::I16`]) run
//! the reference kernels on every target: no column kernel takes them. Callers (the host's
//! int8 network, the firmware) use only these.
//!
//! `target_feature = "dsp"` is set for thumbv7em targets by a compiler that lets unstable
//! target features through, as the firmware's build does (`RUSTC_BOOTSTRAP=1`); without
//! it the same build runs the reference kernels, with the same bits.

pub mod cases;
pub mod column;
#[cfg(all(target_arch = "arm", target_feature = "dsp"))]
mod dsp;
pub mod m0;
pub mod m4;
pub mod pairs;
pub mod reduction;

use super::channel::{ChannelBytes, LayerIo};
use super::weights::Weights;
use crate::kernels::conv::ConvShape;
use column::Column;
use m0::Plain;

/// Whether this build runs the packed (SMLAD) kernels.
pub const PACKED: bool = cfg!(all(target_arch = "arm", target_feature = "dsp"));

/// Whether this build runs the column kernels on [`m0::Plain`]: Arm without Thumb-2, the
/// Cortex-M0 (`thumb2` is set for thumbv7 targets by a compiler that lets target features
/// through, as for [`PACKED`]).
pub const PLAIN: bool = cfg!(all(target_arch = "arm", not(target_feature = "thumb2")));

/// `y = dense(x)` for a batch (overwrites `y`): [`super::dense::forward`]'s bits, by the
/// target's fastest kernel.
pub fn dense(
    w: Weights<'_>,
    channels: &[ChannelBytes],
    io: LayerIo,
    x: &[i8],
    y: &mut [i8],
    inp: usize,
    out: usize,
) {
    match w {
        Weights::I8(w) if PACKED && m4::fits(inp) => {
            m4::dense::<Column>(w, channels, io, x, y, inp, out)
        }
        Weights::I8(w) => super::dense::forward::<i8, _, _>(w, channels, io, x, y, inp, out),
        Weights::I16(w) => super::dense::forward::<i16, _, _>(w, channels, io, x, y, inp, out),
    }
}

/// `y = conv(x)` for a batch (overwrites `y`): [`super::conv::conv2d`]'s bits, by the
/// target's fastest kernel.
pub fn conv2d(
    s: &ConvShape,
    w: Weights<'_>,
    channels: &[ChannelBytes],
    io: LayerIo,
    x: &[i8],
    y: &mut [i8],
) {
    match w {
        Weights::I8(w) if PACKED && m4::fits(s.cin * s.kh * s.kw) => {
            m4::conv2d::<Column>(s, w, channels, io, x, y)
        }
        Weights::I8(w) if PLAIN && m4::fits(s.cin * s.kh * s.kw) => {
            m4::conv2d::<Plain>(s, w, channels, io, x, y)
        }
        Weights::I8(w) => super::conv::conv2d::<i8, _, _>(s, w, channels, io, x, y),
        Weights::I16(w) => super::conv::conv2d::<i16, _, _>(s, w, channels, io, x, y),
    }
}

/// `y = convᵀ(x)` for a batch (overwrites `y`): [`super::conv::conv_transpose2d`]'s bits,
/// by the target's fastest kernel.
pub fn conv_transpose2d(
    s: &ConvShape,
    w: Weights<'_>,
    channels: &[ChannelBytes],
    io: LayerIo,
    x: &[i8],
    y: &mut [i8],
) {
    match w {
        Weights::I8(w) if PACKED && m4::fits_transposed(s) => {
            m4::conv_transpose2d::<Column>(s, w, channels, io, x, y)
        }
        Weights::I8(w) if PLAIN && m4::fits_transposed(s) => {
            m4::conv_transpose2d::<Plain>(s, w, channels, io, x, y)
        }
        Weights::I8(w) => super::conv::conv_transpose2d::<i8, _, _>(s, w, channels, io, x, y),
        Weights::I16(w) => super::conv::conv_transpose2d::<i16, _, _>(s, w, channels, io, x, y),
    }
}

#[cfg(test)]
mod tests;
