//! int8 dense kernel shaped for the Cortex-M0 (ARMv6-M: no DSP extension, one 32×32-bit
//! MULS), bit-exact to [`crate::quant::dense::forward`].
//!
//! Each input is loaded and centred once for four output channels, whose weights are read
//! with sign-extending byte loads (LDRSB, one instruction a weight; unpacking a word load
//! on ARMv6-M costs two shifts a byte), then one MULS and one ADDS a multiply-accumulate.

use crate::quant::channel::{Channel, ChannelBytes, LayerIo};
use crate::quant::dense::dot;

/// Output channels per pass.
const ROWS: usize = 4;

/// `y = dense(x)` for a batch, as [`crate::quant::dense::forward`].
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
    let full = out / ROWS * ROWS;
    let out_of = |o: usize, acc: i32| Channel::from_le_bytes(&channels[o]).output(acc, io);
    for (xn, yn) in x
        .chunks_exact(inp.max(1))
        .zip(y.chunks_exact_mut(out.max(1)))
    {
        let xn = &xn[..inp];
        for o in (0..full).step_by(ROWS) {
            let rows: [&[u8]; ROWS] = core::array::from_fn(|r| &w[(o + r) * inp..][..inp]);
            let mut acc = [0i32; ROWS];
            for (k, &q) in xn.iter().enumerate() {
                let xc = io.centred(q);
                for r in 0..ROWS {
                    acc[r] = acc[r].wrapping_add(rows[r][k] as i8 as i32 * xc);
                }
            }
            for (r, a) in acc.into_iter().enumerate() {
                yn[o + r] = out_of(o + r, a);
            }
        }
        for o in full..out {
            yn[o] = out_of(o, dot(&w[o * inp..][..inp], xn, io));
        }
    }
}
