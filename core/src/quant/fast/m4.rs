//! int8 dense and convolution kernels shaped for the Cortex-M4's DSP extension, bit-exact
//! to [`crate::quant::dense::forward`] and [`crate::quant::conv::conv2d`].
//!
//! The layer's centred inputs for one output position (a dense layer's input vector, a
//! convolution's patch, "im2col") are packed once into a [`Column`]; every output channel
//! then takes its dot product with word loads of four weights, SXTB16 to widen them to two
//! pairs and SMLAD for two multiply-accumulates an instruction, four output channels a
//! pass so that each column word loaded serves four of them (the inner loop of CMSIS-NN's
//! `arm_nn_vec_mat_mult_t_s8` and `arm_nn_mat_mult_kernel_s8_s16`, with the input offset
//! applied once, in the column). Integer sums are exact, so the different order of the
//! terms gives the reference's bits.
//!
//! Reductions longer than [`CAP`] are not handled here (the dispatch in [`super`] sends
//! them to the reference kernels).

use super::column::{CAP, Column};
use crate::kernels::conv::ConvShape;
use crate::quant::channel::{ChannelBytes, LayerIo};
use crate::quant::conv::source;

/// `y = dense(x)` for a batch, as [`crate::quant::dense::forward`] (`inp ≤` [`CAP`]).
pub fn dense(
    w: &[u8],
    channels: &[ChannelBytes],
    io: LayerIo,
    x: &[i8],
    y: &mut [i8],
    inp: usize,
    out: usize,
) {
    debug_assert_eq!(w.len(), inp * out);
    let mut col = Column::default();
    for (xn, yn) in x
        .chunks_exact(inp.max(1))
        .zip(y.chunks_exact_mut(out.max(1)))
    {
        col.fill(inp, xn.iter().map(|&q| io.centred(q)));
        col.outputs(w, &channels[..out], io, |o, v| yn[o] = v);
    }
}

/// `y = conv(x)` for a batch, as [`crate::quant::conv::conv2d`]
/// (`s.cin·s.kh·s.kw ≤` [`CAP`]).
pub fn conv2d(
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
    let mut col = Column::default();
    for (xn, yn) in x
        .chunks_exact(s.in_len().max(1))
        .zip(y.chunks_exact_mut(s.out_len().max(1)))
    {
        for oy in 0..s.oh {
            for ox in 0..s.ow {
                col.fill(taps, patch(s, xn, io, oy, ox));
                let p = oy * s.ow + ox;
                col.outputs(w, &channels[..s.cout], io, |o, v| yn[o * plane + p] = v);
            }
        }
    }
}

/// The centred taps of output position `(oy, ox)` in `w`'s order `(ci, i, j)`; taps in
/// the padding are the real 0.
fn patch<'a>(
    s: &'a ConvShape,
    x: &'a [i8],
    io: LayerIo,
    oy: usize,
    ox: usize,
) -> impl Iterator<Item = i32> + 'a {
    (0..s.cin).flat_map(move |ci| {
        (0..s.kh).flat_map(move |i| {
            let iy = source(oy * s.sh + i, s.ph, s.h);
            (0..s.kw).map(move |j| {
                let ix = source(ox * s.sw + j, s.pw, s.w);
                match (iy, ix) {
                    (Some(iy), Some(ix)) => io.centred(x[(ci * s.h + iy) * s.w + ix]),
                    _ => 0,
                }
            })
        })
    })
}

/// Whether a reduction of `len` elements fits a [`Column`].
pub const fn fits(len: usize) -> bool {
    len <= CAP
}
