//! Convolution and transposed convolution kernels, for one [`ConvShape`] `s`: `i8` or
//! `i16` weight codes `W` (stored little-endian), `i8` or `i16` activation codes
//! ([`Code`]; the accumulator bound is [`super::dense`]'s with `inp` the taps summed into
//! one output).
//!
//! Convolution (PyTorch's `conv2d`), `x: [cin][h][w]`, `y: [cout][oh][ow]`,
//! `w: [cout][cin][kh][kw]`, `channels: [cout]`:
//!
//! `y[co][oy][ox] = out_co(Σ_(ci,i,j) w[co][ci][i][j] · (x[ci][oy·sh+i−ph][ox·sw+j−pw] − z_x))`
//!
//! where `out_c(acc) = clamp(z_y + M_c · (bias_c + acc), min, max)` and taps in the padding
//! add nothing (padding is the real 0, the code `z_x`).
//!
//! Transposed convolution (PyTorch's `conv_transpose2d`) is the adjoint of the convolution
//! `s`, as in the f32 kernels: it maps `x: [s.cout][s.oh][s.ow]` to
//! `y: [s.cin][s.h][s.w]` with the same weight array, `w: [s.cout][s.cin][kh][kw]`
//! (PyTorch's `[CIN][COUT][K][K]` for the transposed layer), one record per `s.cin`:
//!
//! `y[c][py][px] = out_c(Σ w[co][c][i][j] · (x[co][oy][ox] − z_x))` over the taps with
//! `oy·sh + i − ph = py` and `ox·sw + j − pw = px`.
//!
//! Each output is gathered from its taps; integer sums are exact, so any order of the
//! taps gives the same bits.

use super::channel::{Channel, ChannelBytes, LayerIo};
use super::code::Code;
use crate::kernels::conv::ConvShape;

/// `y = conv(x)` for a batch (overwrites `y`), `w` holding `W` codes.
pub fn conv2d<W: Code, X: Code, Y: Code>(
    s: &ConvShape,
    w: &[u8],
    channels: &[ChannelBytes],
    io: LayerIo,
    x: &[X],
    y: &mut [Y],
) {
    let taps = s.cin * s.kh * s.kw;
    debug_assert_eq!(w.len(), s.cout * taps * W::BYTES);
    for (xn, yn) in x
        .chunks_exact(s.in_len().max(1))
        .zip(y.chunks_exact_mut(s.out_len().max(1)))
    {
        for ((yc, wc), c) in yn
            .chunks_exact_mut(s.oh * s.ow)
            .zip(w.chunks_exact(taps * W::BYTES))
            .zip(channels)
        {
            let c = Channel::from_le_bytes(c);
            for oy in 0..s.oh {
                for ox in 0..s.ow {
                    let mut acc = 0;
                    for ci in 0..s.cin {
                        for i in 0..s.kh {
                            let Some(iy) = source(oy * s.sh + i, s.ph, s.h) else {
                                continue;
                            };
                            for j in 0..s.kw {
                                if let Some(ix) = source(ox * s.sw + j, s.pw, s.w) {
                                    let q = xn[(ci * s.h + iy) * s.w + ix];
                                    let k = (ci * s.kh + i) * s.kw + j;
                                    acc += W::load(wc, k) * io.centred(q);
                                }
                            }
                        }
                    }
                    yc[oy * s.ow + ox] = c.output(acc, io);
                }
            }
        }
    }
}

/// `y = convᵀ(x)` for a batch: the transposed convolution of the convolution `s`
/// (overwrites `y`), `w` holding `W` codes.
pub fn conv_transpose2d<W: Code, X: Code, Y: Code>(
    s: &ConvShape,
    w: &[u8],
    channels: &[ChannelBytes],
    io: LayerIo,
    x: &[X],
    y: &mut [Y],
) {
    debug_assert_eq!(w.len(), s.cout * s.cin * s.kh * s.kw * W::BYTES);
    for (xn, yn) in x
        .chunks_exact(s.out_len().max(1))
        .zip(y.chunks_exact_mut(s.in_len().max(1)))
    {
        for ((c, yc), rec) in (0..s.cin).zip(yn.chunks_exact_mut(s.h * s.w)).zip(channels) {
            let rec = Channel::from_le_bytes(rec);
            for py in 0..s.h {
                for px in 0..s.w {
                    let mut acc = 0;
                    for co in 0..s.cout {
                        for i in 0..s.kh {
                            let Some(oy) = tap_source(py, i, s.ph, s.sh, s.oh) else {
                                continue;
                            };
                            for j in 0..s.kw {
                                if let Some(ox) = tap_source(px, j, s.pw, s.sw, s.ow) {
                                    let q = xn[(co * s.oh + oy) * s.ow + ox];
                                    let wi = ((co * s.cin + c) * s.kh + i) * s.kw + j;
                                    acc += W::load(w, wi) * io.centred(q);
                                }
                            }
                        }
                    }
                    yc[py * s.w + px] = rec.output(acc, io);
                }
            }
        }
    }
}

/// The input index `padded − pad` if it lies in `0..len` (else the tap is in the
/// padding).
#[inline]
pub(crate) fn source(padded: usize, pad: usize, len: usize) -> Option<usize> {
    padded.checked_sub(pad).filter(|&v| v < len)
}

/// The position `o` in `0..len` with `o·stride + k − pad = p`, if there is one.
#[inline]
pub(crate) fn tap_source(
    p: usize,
    k: usize,
    pad: usize,
    stride: usize,
    len: usize,
) -> Option<usize> {
    let t = (p + pad).checked_sub(k)?;
    (t % stride == 0 && t / stride < len).then_some(t / stride)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{Conv2d, ConvTranspose2d};
    use crate::quant::requant::quantize_multiplier;
    use crate::quant::test_support::{Case, check_against_f32};

    fn one_channel(bias: i32, m: f64) -> [ChannelBytes; 1] {
        [Channel {
            bias,
            requant: quantize_multiplier(m).unwrap(),
        }
        .to_le_bytes()]
    }

    /// 1×3×3 input, 2×2 kernel of ones, stride 1, padding 0, `z_x = 1`, `M = 1`: each
    /// output is the sum of its window minus 4.
    #[test]
    fn conv_by_hand() {
        let s = Conv2d::<1, 1, 3, 3, 2, 1, 0, 2, 2>::SHAPE;
        let x = [1i8, 2, 3, 4, 5, 6, 7, 8, 9];
        let mut y = [0i8; 4];
        conv2d::<i8, _, _>(
            &s,
            &[1; 4],
            &one_channel(0, 1.0),
            LayerIo::new(1, 0),
            &x,
            &mut y,
        );
        assert_eq!(y, [12 - 4, 16 - 4, 24 - 4, 28 - 4]);
    }

    /// The same input with 16-bit weights `[256, 512; 768, −256]` and `M = 1/256`: each
    /// output is `a + 2b + 3c − d` of its centred 2×2 window `[a, b; c, d]` (centred inputs
    /// 0..8 row by row): `0+2+9−4, 1+4+12−5, 3+8+18−7, 4+10+21−8`.
    #[test]
    fn conv_16_bit_weights_by_hand() {
        let s = Conv2d::<1, 1, 3, 3, 2, 1, 0, 2, 2>::SHAPE;
        let x = [1i8, 2, 3, 4, 5, 6, 7, 8, 9];
        let w = [256i16, 512, 768, -256].map(i16::to_le_bytes).concat();
        let mut y = [0i8; 4];
        conv2d::<i16, _, _>(
            &s,
            &w,
            &one_channel(0, 1.0 / 256.0),
            LayerIo::new(1, 0),
            &x,
            &mut y,
        );
        assert_eq!(y, [7, 12, 22, 27]);
    }

    /// Padding is the real 0: a 1×1 input of code 5 with `z_x = 5` and padding 1 gives
    /// only the bias, whatever the kernel.
    #[test]
    fn padding_is_the_zero_point() {
        let s = Conv2d::<1, 1, 1, 1, 3, 1, 1, 1, 1>::SHAPE;
        let mut y = [0i8; 1];
        conv2d::<i8, _, _>(
            &s,
            &[100; 9],
            &one_channel(7, 1.0),
            LayerIo::new(5, 0),
            &[5i8],
            &mut y,
        );
        assert_eq!(y, [7]);
    }

    /// A 1×2×2 input stamped by a 3×3 kernel at stride 2 (no padding) into 5×5: each
    /// input pixel `v` adds `v · w` at its offset; the kernel's centre column and row are
    /// where neighbouring stamps overlap.
    #[test]
    fn transposed_conv_by_hand() {
        // The forward conv maps 5×5 to 2×2 (k3, s2, p0).
        let s = ConvTranspose2d::<1, 1, 2, 2, 3, 2, 0, 5, 5>::SHAPE;
        let x = [1i8, 2, 3, 4];
        let mut y = [0i8; 25];
        conv_transpose2d::<i8, _, _>(
            &s,
            &[1; 9],
            &one_channel(0, 1.0),
            LayerIo::new(0, 0),
            &x,
            &mut y,
        );
        #[rustfmt::skip]
        let want = [
            1, 1, 1 + 2, 2, 2,
            1, 1, 1 + 2, 2, 2,
            1 + 3, 1 + 3, 1 + 2 + 3 + 4, 2 + 4, 2 + 4,
            3, 3, 3 + 4, 4, 4,
            3, 3, 3 + 4, 4, 4,
        ];
        assert_eq!(y, want);
    }

    /// A 1×1×2 input stamped by a 1×2 kernel of 16-bit weights `[1000, −3000]` at stride
    /// 2 (no padding) into 1×4, `M = 1/1000`: input `v` puts `v` and `−3v` side by side,
    /// `[1, −3, 2, −6]`.
    #[test]
    fn transposed_conv_16_bit_weights_by_hand() {
        // The forward conv maps 1×4 to 1×2 (k 1×2, s 2, p 0).
        let s = ConvShape {
            cin: 1,
            cout: 1,
            h: 1,
            w: 4,
            oh: 1,
            ow: 2,
            kh: 1,
            kw: 2,
            sh: 1,
            sw: 2,
            ph: 0,
            pw: 0,
        };
        let w = [1000i16, -3000].map(i16::to_le_bytes).concat();
        let mut y = [0i8; 4];
        conv_transpose2d::<i16, _, _>(
            &s,
            &w,
            &one_channel(0, 1.0 / 1000.0),
            LayerIo::new(0, 0),
            &[1i8, 2],
            &mut y,
        );
        assert_eq!(y, [1, -3, 2, -6]);
    }

    /// An 8×8 convolution of `CIN` to `COUT` channels against the f32 layer.
    fn check_conv<
        const CIN: usize,
        const COUT: usize,
        const K: usize,
        const S: usize,
        const P: usize,
        const O: usize,
    >(
        seed: u64,
    ) {
        let shape = Conv2d::<CIN, COUT, 8, 8, K, S, P, O, O>::SHAPE;
        let case = Case::new(seed, COUT * CIN * K * K, COUT, 2 * CIN * 64);
        check_against_f32::<Conv2d<CIN, COUT, 8, 8, K, S, P, O, O>, 2>(
            &case,
            |k| k / (CIN * K * K),
            |c, io, y| conv2d::<i8, _, _>(&shape, &case.w, c, io, &case.x, y),
        );
    }

    #[test]
    fn conv_matches_dequantised_f32_layer_within_one() {
        // The digits generator's last conv (k3, s1, p1) and D's strided one (k4, s2, p1).
        for seed in 0..6 {
            check_conv::<5, 3, 3, 1, 1, 8>(seed);
            check_conv::<3, 6, 4, 2, 1, 4>(seed);
        }
    }

    #[test]
    fn transposed_conv_matches_dequantised_f32_layer_within_one() {
        // The digits generator's upsampling: 4×4 to 8×8, k4, s2, p1; weights
        // [CIN = 6][COUT = 4][4][4], so output channel (k / 16) mod 4.
        type Up = ConvTranspose2d<6, 4, 4, 4, 4, 2, 1, 8, 8>;
        for seed in 0..10 {
            let case = Case::new(seed, 6 * 4 * 16, 4, 3 * 6 * 16);
            check_against_f32::<Up, 3>(
                &case,
                |k| k / 16 % 4,
                |c, io, y| conv_transpose2d::<i8, _, _>(&Up::SHAPE, &case.w, c, io, &case.x, y),
            );
        }
    }
}
