//! Random int8 layers and their dequantised f32 twins, for the kernels' tests.
//!
//! Each kernel is checked against "dequantise → f32 layer → quantise": the real layer is
//! built from the same codes (`w = s_w,c · q_w`, `b = s_x · s_w,c · bias`,
//! `x = s_x · (q_x − z_x)`), run by the crate's f32 kernels, and its output quantised
//! with the output's [`Affine`] map. The integer kernel must land within one code.

use super::channel::{Channel, ChannelBytes, LayerIo};
use super::params::Affine;
use super::requant::quantize_multiplier;
use crate::layers::Layer;
use crate::params::Params;
use crate::rng::Prng;
use crate::tensor::{Tensor, Zero, flat, flat_mut};
use std::boxed::Box;
use std::vec::Vec;

/// A uniform integer in `lo..=hi`.
pub fn int(rng: &mut Prng, lo: i32, hi: i32) -> i32 {
    lo + (rng.next_u32() % (hi - lo + 1) as u32) as i32
}

/// A uniform real in `[lo, hi)`.
pub fn real(rng: &mut Prng, lo: f32, hi: f32) -> f32 {
    lo + (hi - lo) * (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32
}

/// A random int8 layer: weight codes, per-channel weight scales and biases, input codes.
pub struct Case {
    /// Weight codes (bytes of `i8`), in the layer's layout.
    pub w: Vec<u8>,
    /// Per output channel weight scale.
    pub w_scale: Vec<f32>,
    /// Per output channel bias, in units of `s_x · s_w,c`.
    pub bias: Vec<i32>,
    /// Input codes.
    pub x: Vec<i8>,
    /// Input quantisation.
    pub input: Affine,
    /// Whether a ReLU is fused (output clamped at its zero point).
    pub relu: bool,
}

impl Case {
    /// `weights` codes in −127..=127, `channels` scales in [0.002, 0.02) and biases in
    /// ±5000, `inputs` codes, an input scale in [0.01, 0.05) and zero point in ±60; a ReLU
    /// for odd seeds.
    pub fn new(seed: u64, weights: usize, channels: usize, inputs: usize) -> Self {
        let mut rng = Prng::new(seed);
        let w = (0..weights)
            .map(|_| int(&mut rng, -127, 127) as i8 as u8)
            .collect();
        let w_scale = (0..channels).map(|_| real(&mut rng, 0.002, 0.02)).collect();
        let bias = (0..channels).map(|_| int(&mut rng, -5000, 5000)).collect();
        let x = (0..inputs)
            .map(|_| int(&mut rng, -128, 127) as i8)
            .collect();
        let input = Affine {
            scale: real(&mut rng, 0.01, 0.05),
            zero_point: int(&mut rng, -60, 60) as i8,
        };
        Self {
            w,
            w_scale,
            bias,
            x,
            input,
            relu: seed % 2 == 1,
        }
    }

    /// The real weights, `s_w,c · q_w` with `c = channel_of(index)`.
    pub fn real_weights(&self, channel_of: impl Fn(usize) -> usize) -> Vec<f32> {
        let s = |k: usize| self.w_scale[channel_of(k)] as f64;
        self.w
            .iter()
            .enumerate()
            .map(|(k, &q)| (q as i8 as f64 * s(k)) as f32)
            .collect()
    }

    /// The real biases, `s_x · s_w,c · bias_c`.
    pub fn real_biases(&self) -> Vec<f32> {
        let sx = self.input.scale as f64;
        self.bias
            .iter()
            .zip(&self.w_scale)
            .map(|(&b, &s)| (b as f64 * sx * s as f64) as f32)
            .collect()
    }

    /// The real inputs, `s_x · (q_x − z_x)`.
    pub fn real_inputs(&self) -> Vec<f32> {
        self.x.iter().map(|&q| self.input.dequantize(q)).collect()
    }

    /// The output map over the range of the real outputs (from 0 with a ReLU).
    pub fn output_params(&self, y: &[f32]) -> Affine {
        let lo = y.iter().copied().fold(0.0f32, f32::min);
        let hi = y.iter().copied().fold(0.0f32, f32::max);
        Affine::from_range(if self.relu { 0.0 } else { lo }, hi)
    }

    /// The stored channel records: biases and `M_c = s_x · s_w,c / s_y`.
    pub fn channels(&self, out: &Affine) -> Vec<ChannelBytes> {
        let sx = self.input.scale as f64;
        self.bias
            .iter()
            .zip(&self.w_scale)
            .map(|(&bias, &s)| {
                let requant = quantize_multiplier(sx * s as f64 / out.scale as f64).unwrap();
                Channel { bias, requant }.to_le_bytes()
            })
            .collect()
    }

    /// Zero points, and the ReLU clamp if fused.
    pub fn io(&self, out: &Affine) -> LayerIo {
        let io = LayerIo::new(self.input.zero_point, out.zero_point);
        if self.relu {
            LayerIo {
                min: out.zero_point as i32,
                ..io
            }
        } else {
            io
        }
    }
}

/// Every code within one of the quantised real output (after a ReLU if `relu`), and at
/// least 90 % of them equal to it.
pub fn assert_within_one(y: &[i8], real: &[f32], out: &Affine, relu: bool) {
    assert_eq!(y.len(), real.len());
    let mut exact = 0;
    for (k, (&q, &r)) in y.iter().zip(real).enumerate() {
        let want: i8 = out.quantize(if relu { r.max(0.0) } else { r });
        assert!(
            (q as i32 - want as i32).abs() <= 1,
            "element {k}: {q} against {want} ({r})"
        );
        exact += (q == want) as usize;
    }
    assert!(
        exact * 10 >= y.len() * 9,
        "only {exact} of {} exact",
        y.len()
    );
}

/// Runs `kernel(channels, io, y)` on the case's codes and checks its output codes `y`
/// against the f32 layer `L` (batch `B`) built from the same codes
/// ([`assert_within_one`]); `channel_of` gives the output channel of weight element `k`.
pub fn check_against_f32<L, const B: usize>(
    case: &Case,
    channel_of: impl Fn(usize) -> usize,
    kernel: impl FnOnce(&[ChannelBytes], LayerIo, &mut [i8]),
) where
    L: Layer + Params + Zero,
{
    let mut f = Box::new(L::ZERO);
    f.tensor_mut(0)
        .copy_from_slice(&case.real_weights(channel_of));
    f.tensor_mut(1).copy_from_slice(&case.real_biases());
    let mut x = Box::new([L::In::ZERO; B]);
    flat_mut(&mut x[..]).copy_from_slice(&case.real_inputs());
    let mut y = Box::new([L::Out::ZERO; B]);
    f.forward(&x, &mut y);
    let out = case.output_params(flat(&y[..]));
    let mut q = std::vec![0i8; B * L::Out::LEN];
    kernel(&case.channels(&out), case.io(&out), &mut q);
    assert_within_one(&q, flat(&y[..]), &out, case.relu);
}
