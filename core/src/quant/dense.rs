//! int8 fully connected kernel.
//!
//! Shapes: `w: [out][inp]` (bytes, each an `i8` code, PyTorch's `Linear.weight` layout),
//! `channels: [out]`, `x: [batch][inp]`, `y: [batch][out]`:
//!
//! `y[n][o] = clamp(z_y + M_o · (bias_o + Σ_i w[o][i] · (x[n][i] − z_x)), min, max)`.
//!
//! Weights are symmetric per output channel (zero point 0), so the accumulator needs no
//! weight offset. Accumulators stay in `i32` for `inp` up to 2³¹ / (128 · 255) ≈ 65 000.

use super::channel::{Channel, ChannelBytes, LayerIo};

/// `y = dense(x)` for a batch (overwrites `y`).
pub fn forward(
    w: &[u8],
    channels: &[ChannelBytes],
    io: LayerIo,
    x: &[i8],
    y: &mut [i8],
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
pub fn dot(w: &[u8], x: &[i8], io: LayerIo) -> i32 {
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
            &[10, -6],
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
}
