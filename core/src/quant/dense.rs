//! Fully connected kernel: `i8` or `i16` weight codes `W` ([`super::weights`]), `i8` or
//! `i16` activation codes ([`Code`]).
//!
//! Shapes: `w: [out][inp]` (`W` codes stored little-endian, `inp · out · W::BYTES` bytes,
//! PyTorch's `Linear.weight` layout),
//! `channels: [out]`, `x: [batch][inp]`, `y: [batch][out]`:
//!
//! `y[n][o] = clamp(z_y + M_o · (bias_o + Σ_i w[o][i] · (x[n][i] − z_x)), min, max)`.
//!
//! Weights are symmetric per output channel (zero point 0), so the accumulator needs no
//! weight offset. Accumulators stay in `i32`: with `i8` weights for `inp` up to
//! 2³¹ / (128 · 255) ≈ 65 000 `i8` inputs or about 500 `i16` inputs (zero point 0, see
//! [`super::code`]); with `i16` weights up to [`super::weights::MAX_TAPS16`] = 257 `i8`
//! inputs (the quantiser checks the bound, with the bias, for each layer).

use super::channel::{Channel, ChannelBytes, LayerIo};
use super::code::Code;

/// `y = dense(x)` for a batch (overwrites `y`), `w` holding `W` codes.
pub fn forward<W: Code, X: Code, Y: Code>(
    w: &[u8],
    channels: &[ChannelBytes],
    io: LayerIo,
    x: &[X],
    y: &mut [Y],
    inp: usize,
    out: usize,
) {
    debug_assert_eq!(w.len(), inp * out * W::BYTES);
    for (xn, yn) in x
        .chunks_exact(inp.max(1))
        .zip(y.chunks_exact_mut(out.max(1)))
    {
        let rows = w.chunks_exact(inp.max(1) * W::BYTES);
        for ((yo, wo), c) in yn.iter_mut().zip(rows).zip(channels) {
            let c = Channel::from_le_bytes(c);
            *yo = c.output(dot::<W, X>(wo, xn, io), io);
        }
    }
}

/// `Σ_i w[i] · (x[i] − z_x)`, `w` holding `W` codes.
#[inline]
pub fn dot<W: Code, X: Code>(w: &[u8], x: &[X], io: LayerIo) -> i32 {
    w.chunks_exact(W::BYTES)
        .zip(x)
        .map(|(wi, &xi)| W::from_le(wi).get() * io.centred(xi))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Dense;
    use crate::quant::test_support::{Case, check_against_f32};

    /// One output, two inputs: `acc = 5 + 3·(10 − 2) − 4·(−6 − 2) = 61`, `M = 0.5`, so
    /// 30.5 rounds to 31 and the output zero point −100 gives −69.
    #[test]
    fn forward_by_hand() {
        let w = [3i8 as u8, -4i8 as u8];
        let c = Channel {
            bias: 5,
            requant: crate::quant::requant::quantize_multiplier(0.5).unwrap(),
        };
        let mut y = [0i8; 1];
        forward::<i8, _, _>(
            &w,
            &[c.to_le_bytes()],
            LayerIo::new(2, -100),
            &[10i8, -6],
            &mut y,
            2,
            1,
        );
        assert_eq!(y, [-69]);
    }

    /// 16-bit weights: `acc = 5 + 300·(10 − 2) − 1000·(−6 − 2) = 10405`, `M = 1/64`, so
    /// 162.58 rounds to 163 and the output zero point −100 gives 63.
    #[test]
    fn forward_16_bit_weights_by_hand() {
        let w = [300i16.to_le_bytes(), (-1000i16).to_le_bytes()].concat();
        let c = Channel {
            bias: 5,
            requant: crate::quant::requant::quantize_multiplier(1.0 / 64.0).unwrap(),
        };
        let mut y = [0i8; 1];
        forward::<i16, _, _>(
            &w,
            &[c.to_le_bytes()],
            LayerIo::new(2, -100),
            &[10i8, -6],
            &mut y,
            2,
            1,
        );
        assert_eq!(y, [63]);
    }

    /// 16-bit weights at the accumulator's bound: 128 inputs at 255 from the zero point
    /// against weights ±32767 sum to ±128 · 32767 · 255 = ±1 069 541 760 exactly (no
    /// overflow); `M = 2⁻²⁴` brings that to ±63.75, so ±64.
    #[test]
    fn forward_16_bit_weights_at_the_bound() {
        const IN: usize = 128;
        let rows = [32767i16, -32767]
            .map(|v| v.to_le_bytes().repeat(IN))
            .concat();
        let c = Channel {
            bias: 0,
            requant: crate::quant::requant::quantize_multiplier(libm::exp2(-24.0)).unwrap(),
        }
        .to_le_bytes();
        let mut y = [0i8; 2];
        forward::<i16, _, _>(
            &rows,
            &[c, c],
            LayerIo::new(-128, 0),
            &[127i8; IN],
            &mut y,
            IN,
            2,
        );
        assert_eq!(y, [64, -64]);
    }

    /// Against dequantise → the f32 `Dense` layer → quantise, over random weights,
    /// per-channel scales, biases and zero points.
    #[test]
    fn matches_dequantised_f32_layer_within_one() {
        const IN: usize = 48;
        const OUT: usize = 20;
        for seed in 0..20 {
            let case = Case::new(seed, IN * OUT, OUT, 6 * IN);
            check_against_f32::<Dense<IN, OUT>, 6>(
                &case,
                |k| k / IN,
                |c, io, y| forward::<i8, _, _>(&case.w, c, io, &case.x, y, IN, OUT),
            );
        }
    }

    /// 16x8: `i16` inputs and outputs (zero points 0) against the layer in f64, over
    /// random weights, scales and inputs across the whole `i16` range: within one code.
    #[test]
    fn i16_codes_match_f64_within_one() {
        use crate::quant::Affine;
        use crate::quant::requant::quantize_multiplier;
        use crate::quant::test_support::{int, real};
        use crate::rng::Prng;
        const IN: usize = 128;
        const OUT: usize = 16;
        let mut rng = Prng::new(5);
        for _ in 0..20 {
            let w: std::vec::Vec<u8> = (0..IN * OUT)
                .map(|_| int(&mut rng, -127, 127) as i8 as u8)
                .collect();
            let x: std::vec::Vec<i16> = (0..IN)
                .map(|_| int(&mut rng, -32768, 32767) as i16)
                .collect();
            let sx = real(&mut rng, 1e-4, 1e-3) as f64;
            let sw: std::vec::Vec<f64> = (0..OUT)
                .map(|_| real(&mut rng, 0.002, 0.02) as f64)
                .collect();
            let bias: std::vec::Vec<i32> =
                (0..OUT).map(|_| int(&mut rng, -1 << 24, 1 << 24)).collect();
            let real_out: std::vec::Vec<f64> = (0..OUT)
                .map(|o| {
                    let dot: f64 = (0..IN)
                        .map(|i| w[o * IN + i] as i8 as f64 * x[i] as f64)
                        .sum();
                    sx * sw[o] * (dot + bias[o] as f64)
                })
                .collect();
            let m = real_out.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            let out = Affine::symmetric16(-m as f32, m as f32);
            let channels: std::vec::Vec<ChannelBytes> = (0..OUT)
                .map(|o| {
                    Channel {
                        bias: bias[o],
                        requant: quantize_multiplier(sx * sw[o] / out.scale as f64).unwrap(),
                    }
                    .to_le_bytes()
                })
                .collect();
            let mut y = [0i16; OUT];
            forward::<i8, _, _>(&w, &channels, LayerIo::new(0, 0), &x, &mut y, IN, OUT);
            for (o, (&q, &r)) in y.iter().zip(&real_out).enumerate() {
                let want = r / out.scale as f64;
                assert!((q as f64 - want).abs() <= 1.0, "output {o}: {q} vs {want}");
            }
        }
    }
}
