//! int8 dense and convolution kernels over a column of centred inputs, bit-exact to
//! [`crate::quant::dense::forward`] and [`crate::quant::conv::conv2d`], generic over the
//! column's operand ([`Reduction`]): [`super::column::Column`] for the Cortex-M4's DSP
//! extension (described here) and [`super::m0::Plain`] for the Cortex-M0.
//!
//! The layer's centred inputs for one output position (a dense layer's input vector, a
//! convolution's patch, "im2col") are packed once into a `Column`; every output channel
//! then takes its dot product with word loads of four weights, SXTB16 to widen them to two
//! pairs and SMLAD for two multiply-accumulates an instruction, three output channels a
//! pass so that each column word loaded serves three of them (the inner loop of CMSIS-NN's
//! `arm_nn_vec_mat_mult_t_s8` and `arm_nn_mat_mult_kernel_s8_s16`, with the input offset
//! applied once, in the column). Integer sums are exact, so the different order of the
//! terms gives the reference's bits.
//!
//! The transposed convolution gathers too: the output positions `(py, px)` with the same
//! residues modulo the stride use the same kernel taps `(i, j)` (those with
//! `py + ph − i ≡ 0 mod sh`, likewise for `j`), so for each residue class the weights of
//! those taps are first copied into contiguous rows (one per output channel, in the order
//! `(co, i, j)`) and every position of the class is then a column against those rows; taps
//! that fall outside the input are zeros in the column. Within a class the input index of
//! each tap follows from the position's by a subtraction, so no index divides (a division
//! is a library call on the Cortex-M0).
//!
//! Reductions longer than [`CAP`] and gathered weights beyond [`GATHER`] bytes are not
//! handled here (see [`fits`], [`fits_transposed`]; the dispatch in [`super`] sends them to
//! the reference kernels).

use super::column::CAP;
use super::reduction::Reduction;
use crate::kernels::conv::ConvShape;
use crate::quant::channel::{ChannelBytes, LayerIo};
use crate::quant::conv::source;

/// `y = dense(x)` for a batch, as [`crate::quant::dense::forward`] (`inp ≤` [`CAP`]), on
/// the operand `C`.
pub fn dense<C: Reduction>(
    w: &[u8],
    channels: &[ChannelBytes],
    io: LayerIo,
    x: &[i8],
    y: &mut [i8],
    inp: usize,
    out: usize,
) {
    debug_assert_eq!(w.len(), inp * out);
    let mut col = C::default();
    for (xn, yn) in x
        .chunks_exact(inp.max(1))
        .zip(y.chunks_exact_mut(out.max(1)))
    {
        col.fill(inp, |v| centre(v, xn, io));
        col.outputs(w, &channels[..out], io, |o, v| yn[o] = v);
    }
}

/// `y = conv(x)` for a batch, as [`crate::quant::conv::conv2d`]
/// (`s.cin·s.kh·s.kw ≤` [`CAP`]), on the operand `C`.
pub fn conv2d<C: Reduction>(
    s: &ConvShape,
    w: &[u8],
    channels: &[ChannelBytes],
    io: LayerIo,
    x: &[i8],
    y: &mut [i8],
) {
    let taps = s.cin * s.kh * s.kw;
    debug_assert_eq!(w.len(), s.cout * taps);
    let plane = s.oh * s.ow;
    let mut col = C::default();
    for (xn, yn) in x
        .chunks_exact(s.in_len().max(1))
        .zip(y.chunks_exact_mut(s.out_len().max(1)))
    {
        for oy in 0..s.oh {
            for ox in 0..s.ow {
                col.fill(taps, |v| patch(s, xn, io, oy, ox, v));
                let p = oy * s.ow + ox;
                col.outputs(w, &channels[..s.cout], io, |o, v| yn[o * plane + p] = v);
            }
        }
    }
}

/// `v[k] = x[k] − z_x`.
#[inline(always)]
fn centre(v: &mut [i16], x: &[i8], io: LayerIo) {
    for (v, &q) in v.iter_mut().zip(x) {
        *v = io.centred(q) as i16;
    }
}

/// `v` = the centred taps of output position `(oy, ox)` in `w`'s order `(ci, i, j)`; taps
/// in the padding are the real 0.
#[inline(always)]
fn patch(s: &ConvShape, x: &[i8], io: LayerIo, oy: usize, ox: usize, v: &mut [i16]) {
    let mut taps = v.chunks_exact_mut(s.kw.max(1));
    for xc in x.chunks_exact((s.h * s.w).max(1)).take(s.cin) {
        for i in 0..s.kh {
            let Some(row) = taps.next() else { return };
            match source(oy * s.sh + i, s.ph, s.h) {
                Some(iy) => {
                    let xr = &xc[iy * s.w..][..s.w];
                    for (j, t) in row.iter_mut().enumerate() {
                        *t = source(ox * s.sw + j, s.pw, s.w)
                            .map_or(0, |ix| io.centred(xr[ix]) as i16);
                    }
                }
                None => row.fill(0),
            }
        }
    }
}

/// Whether a reduction of `len` elements fits a [`Column`].
pub const fn fits(len: usize) -> bool {
    len <= CAP
}

/// Most bytes of weights [`conv_transpose2d`] gathers for one residue class (2 KB of stack:
/// the digits generator's transposed convolution needs 16·32·2·2 = 2048).
pub const GATHER: usize = 2048;

/// Whether [`conv_transpose2d`] handles `s`: the taps of one class, at most
/// `s.cout·⌈kh/sh⌉·⌈kw/sw⌉`, fit a [`Column`] and their weights [`GATHER`].
pub const fn fits_transposed(s: &ConvShape) -> bool {
    let len = s.cout * s.kh.div_ceil(s.sh) * s.kw.div_ceil(s.sw);
    len <= CAP && s.cin * len <= GATHER
}

/// The kernel taps `k` in `0..kernel` that reach output positions of residue `r` modulo
/// `stride`: `r + pad − k ≡ 0 (mod stride)`.
fn class_taps(
    r: usize,
    pad: usize,
    stride: usize,
    kernel: usize,
) -> impl Iterator<Item = usize> + Clone {
    let first = (r + pad) % stride;
    (first..kernel).step_by(stride)
}

/// `y = convᵀ(x)` for a batch, as [`crate::quant::conv::conv_transpose2d`]
/// ([`fits_transposed`]`(s)`), on the operand `C`.
pub fn conv_transpose2d<C: Reduction>(
    s: &ConvShape,
    w: &[u8],
    channels: &[ChannelBytes],
    io: LayerIo,
    x: &[i8],
    y: &mut [i8],
) {
    debug_assert_eq!(w.len(), s.cout * s.cin * s.kh * s.kw);
    let plane = s.h * s.w;
    let mut col = C::default();
    let mut rows = [0u8; GATHER];
    for (xn, yn) in x
        .chunks_exact(s.out_len().max(1))
        .zip(y.chunks_exact_mut(s.in_len().max(1)))
    {
        for ry in 0..s.sh.min(s.h) {
            for rx in 0..s.sw.min(s.w) {
                let ti = class_taps(ry, s.ph, s.sh, s.kh);
                let tj = class_taps(rx, s.pw, s.sw, s.kw);
                let (ni, nj) = (ti.clone().count(), tj.clone().count());
                let len = s.cout * ni * nj;
                let rows = &mut rows[..s.cin * len];
                let mut k = 0;
                for c in 0..s.cin {
                    for co in 0..s.cout {
                        for i in ti.clone() {
                            for j in tj.clone() {
                                rows[k] = w[((co * s.cin + c) * s.kh + i) * s.kw + j];
                                k += 1;
                            }
                        }
                    }
                }
                // Position `py = ry + sh·a` and the class's `k`-th tap row `i` read input
                // row `oy = a + dy − k`: `py + ph − i` is a multiple of `sh` and drops by
                // `sh` a tap (likewise for columns), so no index needs a division.
                let (dy, dx) = ((ry + s.ph) / s.sh, (rx + s.pw) / s.sw);
                for (a, py) in (ry..s.h).step_by(s.sh).enumerate() {
                    for (b, px) in (rx..s.w).step_by(s.sw).enumerate() {
                        col.fill(len, |v| {
                            let mut v = v.iter_mut();
                            for xc in xn.chunks_exact((s.oh * s.ow).max(1)).take(s.cout) {
                                for k in 0..ni {
                                    let oy = (a + dy).checked_sub(k).filter(|&oy| oy < s.oh);
                                    for l in 0..nj {
                                        let Some(t) = v.next() else { return };
                                        let ox = (b + dx).checked_sub(l).filter(|&ox| ox < s.ow);
                                        *t = match (oy, ox) {
                                            (Some(oy), Some(ox)) => {
                                                io.centred(xc[oy * s.ow + ox]) as i16
                                            }
                                            _ => 0,
                                        };
                                    }
                                }
                            }
                        });
                        let p = py * s.w + px;
                        col.outputs(rows, &channels[..s.cin], io, |c, v| yn[c * plane + p] = v);
                    }
                }
            }
        }
    }
}
