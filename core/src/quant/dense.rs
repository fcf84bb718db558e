//! Fully connected kernel: int8 weights, `i8` or `i16` activation codes ([`Code`]).
//!
//! Shapes: `w: [out][inp]` (bytes, each an `i8` code, PyTorch's `Linear.weight` layout),
//! `channels: [out]`, `x: [batch][inp]`, `y: [batch][out]`:
//!
//! `y[n][o] = clamp(z_y + M_o · (bias_o + Σ_i w[o][i] · (x[n][i] − z_x)), min, max)`.
//!
//! Weights are symmetric per output channel (zero point 0), so the accumulator needs no
//! weight offset. Accumulators stay in `i32`: for `i8` inputs for `inp` up to
//! 2³¹ / (128 · 255) ≈ 65 000, for `i16` inputs (zero point 0) up to about 500 (see
//! [`super::code`]; the quantiser checks the bound).

use super::channel::{Channel, ChannelBytes, LayerIo};
use super::code::Code;

/// `y = dense(x)` for a batch (overwrites `y`).
pub fn forward<X: Code, Y: Code>(
    w: &[u8],
    channels: &[ChannelBytes],
    io: LayerIo,
    x: &[X],
    y: &mut [Y],
    inp: usize,
    out: usize,
) {
    debug_assert_eq!(w.len(), inp * out);
    for (xn, yn) in x
        .chunks_exact(inp.max(1))
        .zip(y.chunks_exact_mut(out.max(1)))
    {
        for ((yo, wo), c) in yn.iter_mut().zip(w.chunks_exact(inp.max(1))).zip(channels) {
            let c = Channel::from_le_bytes(c);
            *yo = c.output(dot(wo, xn, io), io);
        }
    }
}

/// `Σ_i w[i] · (x[i] − z_x)`.
#[inline]
pub fn dot<X: Code>(w: &[u8], x: &[X], io: LayerIo) -> i32 {
    w.iter()
        .zip(x)
        .map(|(&wi, &xi)| wi as i8 as i32 * io.centred(xi))
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
        forward(
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
                |c, io, y| forward(&case.w, c, io, &case.x, y, IN, OUT),
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
            forward(&w, &channels, LayerIo::new(0, 0), &x, &mut y, IN, OUT);
            for (o, (&q, &r)) in y.iter().zip(&real_out).enumerate() {
                let want = r / out.scale as f64;
                assert!((q as f64 - want).abs() <= 1.0, "output {o}: {q} vs {want}");
            }
        }
    }
}
