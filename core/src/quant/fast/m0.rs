//! The Cortex-M0's operand of the column kernels ([`super::m4`]'s dense, convolution and
//! transposed convolution drivers): the centred inputs as plain `i16` values and dot
//! products by `ldrsh`, `ldrsb`, `muls`, `adds`, two weight rows a pass so that each
//! loaded input serves two output channels.
//!
//! Thumb-1 has no multiply-accumulate and no packed arithmetic, and eight low registers:
//! two rows keep the pass's pointers, the loaded input, a weight and both accumulators in
//! registers (four rows did not, and spilled). The centring `x − z_x` is done once per
//! input while the column is filled, so the inner loop has no subtraction.

use super::column::CAP;
use super::reduction::Reduction;
use crate::quant::channel::{Channel, ChannelBytes, LayerIo};

/// One reduction's centred inputs, `i16` (see the [module docs](self)).
pub struct Plain {
    values: [i16; CAP],
    len: usize,
}

impl Default for Plain {
    /// An empty column.
    fn default() -> Self {
        Self {
            values: [0; CAP],
            len: 0,
        }
    }
}

/// `(Σ_k a[k] · x[k], Σ_k b[k] · x[k])` for two int8 rows at least as long as `x`.
#[inline(always)]
fn dot2(x: &[i16], a: &[u8], b: &[u8]) -> (i32, i32) {
    let (a, b) = (&a[..x.len()], &b[..x.len()]);
    let (mut sa, mut sb) = (0i32, 0i32);
    for ((&v, &p), &q) in x.iter().zip(a).zip(b) {
        let v = i32::from(v);
        sa = sa.wrapping_add(i32::from(p as i8) * v);
        sb = sb.wrapping_add(i32::from(q as i8) * v);
    }
    (sa, sb)
}

/// `Σ_k a[k] · x[k]` for an int8 row at least as long as `x`.
#[inline(always)]
fn dot1(x: &[i16], a: &[u8]) -> i32 {
    x.iter().zip(&a[..x.len()]).fold(0i32, |s, (&v, &p)| {
        s.wrapping_add(i32::from(p as i8) * i32::from(v))
    })
}

impl Reduction for Plain {
    #[inline]
    fn fill(&mut self, len: usize, write: impl FnOnce(&mut [i16])) {
        debug_assert!(len <= CAP);
        self.len = len.min(CAP);
        write(&mut self.values[..self.len]);
    }

    #[inline]
    fn outputs(
        &self,
        w: &[u8],
        channels: &[ChannelBytes],
        io: LayerIo,
        mut put: impl FnMut(usize, i8),
    ) {
        let x = &self.values[..self.len];
        let len = self.len;
        let out = |o: usize, acc: i32| Channel::from_le_bytes(&channels[o]).output(acc, io);
        let pairs = channels.len() / 2 * 2;
        for o in (0..pairs).step_by(2) {
            let (a, b) = dot2(x, &w[o * len..], &w[(o + 1) * len..]);
            put(o, out(o, a));
            put(o + 1, out(o + 1, b));
        }
        if pairs < channels.len() {
            put(pairs, out(pairs, dot1(x, &w[pairs * len..])));
        }
    }
}
