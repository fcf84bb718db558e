//! int8 activation kernels: ReLU, leaky ReLU, and any function by a 256-entry table.
//!
//! Shapes: `x, y: [len]` (any tensor, flat). tanh and sigmoid run as tables ([`lut`],
//! built once by [`table`] on the quantiser's side) with the fixed output maps of
//! TFLite's int8 specification, [`TANH_OUTPUT`] and [`SIGMOID_OUTPUT`].

use super::channel::LayerIo;
use super::params::Affine;
use super::requant::Requant;

/// tanh's outputs: `s = 1/128`, `z = 0` (codes −128..=127 cover [−1, 127/128]).
pub const TANH_OUTPUT: Affine = Affine {
    scale: 1.0 / 128.0,
    zero_point: 0,
};

/// The sigmoid's outputs: `s = 1/256`, `z = −128` (codes cover [0, 255/256]).
pub const SIGMOID_OUTPUT: Affine = Affine {
    scale: 1.0 / 256.0,
    zero_point: -128,
};

/// `y = max(x, z)`: ReLU on codes whose input and output share one map with zero point `z`.
pub fn relu(x: &[i8], y: &mut [i8], zero: i8) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = xi.max(zero);
    }
}

/// Leaky ReLU between two maps: `y = clamp(z_y + M · (x − z_x), min, max)` with
/// `M = positive` (`s_x/s_y`) where `x ≥ z_x` and `M = negative` (`slope · s_x/s_y`,
/// applied to `−(x − z_x)` and negated, so the multiplier stays positive) below.
pub fn leaky_relu(x: &[i8], y: &mut [i8], io: LayerIo, positive: Requant, negative: Requant) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        let d = io.centred(xi);
        *yi = if d >= 0 {
            io.output(d, positive)
        } else {
            let q = (io.output_zero as i32).saturating_sub(negative.apply(-d));
            q.max(io.min as i32).min(io.max as i32) as i8
        };
    }
}

/// `y = table[x + 128]`: any element-wise function of the codes.
pub fn lut(x: &[i8], y: &mut [i8], table: &[u8; 256]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = table[(xi as i32 + 128) as usize] as i8;
    }
}

/// The table of `f` between two maps: entry `q + 128` is
/// `output.quantize(f(input.dequantize(q)))` (`f` evaluated in f64). Quantiser's side.
pub fn table(f: impl Fn(f64) -> f64, input: Affine, output: Affine) -> [u8; 256] {
    core::array::from_fn(|k| {
        let q = (k as i32 - 128) as i8;
        output.quantize(f(input.dequantize(q) as f64) as f32) as u8
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{LeakyRelu, Sigmoid, Tanh};
    use crate::quant::requant::quantize_multiplier;
    use crate::quant::test_support::{int, real};
    use crate::rng::Prng;
    use crate::{Layer, Zero};

    #[test]
    fn relu_by_hand() {
        let mut y = [0i8; 4];
        relu(&[-128, -6, -5, 100], &mut y, -5);
        assert_eq!(y, [-5, -5, -5, 100]);
    }

    /// `s_x = s_y`, slope 0.25, `z_x = 10`, `z_y = −10`: codes above `z_x` move by
    /// −20; 2 below it (d = −8) gives −10 − 2 = −12; d = −6 gives −1.5, rounded to −2.
    #[test]
    fn leaky_relu_by_hand() {
        let q = |m| quantize_multiplier(m).unwrap();
        let mut y = [0i8; 4];
        leaky_relu(
            &[30, 10, 2, 4],
            &mut y,
            LayerIo::new(10, -10),
            q(1.0),
            q(0.25),
        );
        assert_eq!(y, [10, -10, -12, -12]);
    }

    /// Against dequantise → the f32 layer → quantise, over every input code and random
    /// maps.
    #[test]
    fn leaky_relu_matches_f32_layer_within_one() {
        let mut rng = Prng::new(4);
        let codes: [i8; 256] = core::array::from_fn(|k| (k as i32 - 128) as i8);
        for _ in 0..50 {
            let input = Affine {
                scale: real(&mut rng, 0.01, 0.05),
                zero_point: int(&mut rng, -60, 60) as i8,
            };
            let output = Affine {
                scale: real(&mut rng, 0.01, 0.05),
                zero_point: int(&mut rng, -60, 60) as i8,
            };
            let ratio = input.scale as f64 / output.scale as f64;
            let (pos, neg) = (
                quantize_multiplier(ratio).unwrap(),
                quantize_multiplier(0.2 * ratio).unwrap(),
            );
            let mut y = [0i8; 256];
            leaky_relu(
                &codes,
                &mut y,
                LayerIo::new(input.zero_point, output.zero_point),
                pos,
                neg,
            );
            let xr: [f32; 256] = codes.map(|q| input.dequantize(q));
            let mut yr = [[0.0f32; 256]];
            LeakyRelu::<[f32; 256]>::ZERO.forward(&[xr], &mut yr);
            for (k, (&q, &r)) in y.iter().zip(&yr[0]).enumerate() {
                let want = output.quantize(r);
                assert!(
                    (q as i32 - want as i32).abs() <= 1,
                    "code {}: {q} vs {want}",
                    k as i32 - 128
                );
            }
        }
    }

    /// tanh and the sigmoid by table equal the f32 layers' outputs quantised (the table
    /// is built in f64; within one code where f32 and f64 round differently), and the
    /// real 0 maps to tanh 0 and sigmoid ½ exactly.
    #[test]
    fn tables_match_f32_layers() {
        let input = Affine {
            scale: 0.03,
            zero_point: 7,
        };
        let codes: [i8; 256] = core::array::from_fn(|k| (k as i32 - 128) as i8);
        let xr = [codes.map(|q| input.dequantize(q))];
        let check = |t: [u8; 256], yr: [[f32; 256]; 1], out: Affine| {
            let mut y = [0i8; 256];
            lut(&codes, &mut y, &t);
            for (&q, &r) in y.iter().zip(&yr[0]) {
                assert!((q as i32 - out.quantize(r) as i32).abs() <= 1);
            }
            y
        };
        let mut yr = [[0.0f32; 256]];
        Tanh::<[f32; 256]>::ZERO.forward(&xr, &mut yr);
        let y = check(table(libm::tanh, input, TANH_OUTPUT), yr, TANH_OUTPUT);
        assert_eq!(y[7 + 128], 0);
        assert_eq!(y[0], -(libm::tanh(0.03 * 135.0) * 128.0).round() as i8);
        Sigmoid::<[f32; 256]>::ZERO.forward(&xr, &mut yr);
        let sigmoid = |v: f64| 1.0 / (1.0 + libm::exp(-v));
        let y = check(table(sigmoid, input, SIGMOID_OUTPUT), yr, SIGMOID_OUTPUT);
        assert_eq!(y[7 + 128], 0, "σ(0) = ½ = (0 + 128)/256");
        assert_eq!(y[255], 121, "σ(3.6) = 0.9734: round(249.2) − 128");
    }
}
