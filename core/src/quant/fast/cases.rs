//! Random int8 layers for checking the optimised kernels against the reference kernels:
//! the host's tests and the firmware's self-test draw the same layers from a seed.
//!
//! Weights cover the whole `i8` range, zero points the whole `i8` range, half the layers
//! clamp at the output zero point (a fused ReLU), and the multipliers put a typical
//! accumulator of an `len`-term reduction (about `74 · 74 · √len` for uniform codes) at
//! tens of output codes, so that few outputs clamp. Integers only, so the firmware carries
//! no floating-point code for it.

use crate::kernels::conv::ConvShape;
use crate::quant::channel::{Channel, ChannelBytes, LayerIo};
use crate::quant::requant::Requant;
use crate::rng::Prng;

/// A uniform integer in `lo..=hi`.
fn int(rng: &mut Prng, lo: i32, hi: i32) -> i32 {
    lo + (rng.next_u32() % (hi - lo + 1) as u32) as i32
}

/// Fills `w` and `x` with random codes and `channels` with random records for reductions
/// of `len` terms; returns random zero points and clamp.
pub fn layer(
    rng: &mut Prng,
    len: usize,
    w: &mut [u8],
    channels: &mut [ChannelBytes],
    x: &mut [i8],
) -> LayerIo {
    // 74² · ⌊√len⌋, and the power of two just above typical / 30.
    let root = (1..=len.max(1))
        .take_while(|r| r * r <= len.max(1))
        .last()
        .unwrap_or(1);
    let typical = (5476 * root).min(1 << 30) as i32;
    let bits = 32 - (typical / 30).max(1).leading_zeros() as i32;
    w.iter_mut().for_each(|v| *v = rng.next_u32() as u8);
    for c in channels.iter_mut() {
        // M = multiplier · 2^(shift − 31) in [2^(−bits − 1), 2^(2 − bits)).
        let requant = Requant {
            multiplier: (1 << 30) | (rng.next_u32() >> 2) as i32,
            shift: 1 - bits + int(rng, -1, 1),
        };
        let bias = int(rng, -typical, typical);
        *c = Channel { bias, requant }.to_le_bytes();
    }
    x.iter_mut().for_each(|v| *v = rng.next_u32() as i8);
    let zero = int(rng, -128, 127) as i8;
    let mut io = LayerIo::new(int(rng, -128, 127) as i8, zero);
    if rng.next_u32().is_multiple_of(2) {
        io.min = zero.into();
    }
    io
}

/// A random convolution shape, `cin ≤ 4`, `cout ≤ 6`, `h, w ≤ 7`, kernel sides and
/// strides up to 4 and 3, every padding below the kernel side, with `oh`, `ow` from the
/// others; `None` when the kernel is larger than the padded input.
pub fn conv_shape(rng: &mut Prng) -> Option<ConvShape> {
    let mut u = |lo, hi| int(rng, lo, hi) as usize;
    let (cin, cout, h, w) = (u(1, 4), u(1, 6), u(1, 7), u(1, 7));
    let (kh, kw, sh, sw) = (u(1, 4), u(1, 4), u(1, 3), u(1, 3));
    let (ph, pw) = (u(0, kh as i32 - 1), u(0, kw as i32 - 1));
    let oh = (h + 2 * ph).checked_sub(kh)? / sh + 1;
    let ow = (w + 2 * pw).checked_sub(kw)? / sw + 1;
    Some(ConvShape {
        cin,
        cout,
        h,
        w,
        oh,
        ow,
        kh,
        kw,
        sh,
        sw,
        ph,
        pw,
    })
}

/// Bounds of [`conv_shape`]'s shapes: most weights, input and output codes a sample
/// (`oh ≤ h + 2·(kh − 1) − kh + 1 ≤ 10`).
pub const CONV_MAX: (usize, usize, usize) = (6 * 4 * 16, 4 * 7 * 7, 6 * 10 * 10);
