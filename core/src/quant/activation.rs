//! Activation kernels: ReLU, leaky ReLU, and any function by a table.
//!
//! Shapes: `x, y: [len]` (any tensor, flat). tanh and sigmoid run as tables built once on
//! the quantiser's side: on `i8` codes a 256-entry table ([`lut`], [`table`]) onto the
//! fixed output maps of TFLite's int8 specification, [`TANH_OUTPUT`] and
//! [`SIGMOID_OUTPUT`]; on `i16` codes a 513-entry table read with linear interpolation
//! ([`lut16`], [`table16`], as TFLite's int16 tanh and logistic) onto [`UNIT_OUTPUT16`].

use super::channel::LayerIo;
use super::code::Code;
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

/// tanh's and the sigmoid's outputs on `i16` codes: `s = 1/32768`, `z = 0` (codes cover
/// [−1, 32767/32768]).
pub const UNIT_OUTPUT16: Affine = Affine {
    scale: 1.0 / 32768.0,
    zero_point: 0,
};

/// Entries of an `i16` table: 512 segments of 128 codes, and the end of the last.
pub const TABLE16_LEN: usize = 513;

/// `y = max(x, z)`: ReLU on codes whose input and output share one map with zero point `z`.
pub fn relu<C: Code>(x: &[C], y: &mut [C], zero: i8) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = if xi.get() < zero as i32 {
            C::saturate(zero as i32)
        } else {
            xi
        };
    }
}

/// Leaky ReLU between two maps: `y = clamp(z_y + M · (x − z_x), min, max)` with
/// `M = positive` (`s_x/s_y`) where `x ≥ z_x` and `M = negative` (`slope · s_x/s_y`,
/// applied to `−(x − z_x)` and negated, so the multiplier stays positive) below.
pub fn leaky_relu<X: Code, Y: Code>(
    x: &[X],
    y: &mut [Y],
    io: LayerIo,
    positive: Requant,
    negative: Requant,
) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        let d = io.centred(xi);
        *yi = if d >= 0 {
            io.output(d, positive)
        } else {
            io.clamp((io.output_zero as i32).saturating_sub(negative.apply(-d)))
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
        output.quantize::<i8>(f(input.dequantize(q) as f64) as f32) as u8
    })
}

/// `y = t[k] + round((t[k+1] − t[k]) · f / 128)` with `x + 32768 = 128·k + f`: any
/// element-wise function of `i16` codes, by linear interpolation between the 513 knots of
/// [`table16`].
pub fn lut16(x: &[i16], y: &mut [i16], table: &[i16; TABLE16_LEN]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        let u = xi as i32 + 32768;
        let (k, f) = ((u >> 7) as usize, u & 127);
        let (a, b) = (table[k] as i32, table[k + 1] as i32);
        // Between a and b, so within i16.
        *yi = (a + (((b - a) * f + 64) >> 7)) as i16;
    }
}

/// The knots of `f` between two `i16` maps: entry `k` is
/// `output.quantize(f(input.scale · (128·k − 32768 − z)))` (`f` in f64; the last knot is
/// one code past the largest). Quantiser's side. For tanh over inputs `±R` the knots are
/// `h = 2R/512` apart and linear interpolation errs by at most `h²/8 · max|tanh″|`
/// (`max|tanh″| = 0.770`), that is `0.048 · R²` output codes of 1/32768, plus one for the
/// roundings of the knots and of the result.
pub fn table16(f: impl Fn(f64) -> f64, input: Affine, output: Affine) -> [i16; TABLE16_LEN] {
    core::array::from_fn(|k| {
        let q = 128 * k as i64 - 32768 - input.zero_point as i64;
        output.quantize::<i16>(f(input.scale as f64 * q as f64) as f32)
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
            &[30i8, 10, 2, 4],
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
                let want: i8 = output.quantize(r);
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
                assert!((q as i32 - out.quantize::<i8>(r) as i32).abs() <= 1);
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

    #[test]
    fn relu_on_i16_codes() {
        let mut y = [0i16; 3];
        relu(&[-30_000i16, 0, 12_345], &mut y, 0);
        assert_eq!(y, [0, 0, 12_345]);
    }

    /// Interpolation by hand: knots `128·k − 32768` make the identity (the last knot,
    /// 32768, is clamped to 32767, so the last code gives 32640 + round(127·127/128) =
    /// 32766), and between knots 100 and 300 a quarter of the way (f = 32) is 150.
    #[test]
    fn lut16_interpolates_by_hand() {
        let identity: [i16; TABLE16_LEN] =
            core::array::from_fn(|k| (128 * k as i32 - 32768).min(32767) as i16);
        let x = [-32768i16, -1, 0, 5, 32767];
        let mut y = [0i16; 5];
        lut16(&x, &mut y, &identity);
        assert_eq!(y, [-32768, -1, 0, 5, 32766]);
        let mut t = [0i16; TABLE16_LEN];
        (t[256], t[257]) = (100, 300);
        lut16(&[32, 0, 127], &mut y[..3], &t);
        assert_eq!(&y[..3], &[150, 100, 298]);
    }

    /// tanh on `i16` codes over the input range ±6 against tanh in f64: every code
    /// within the bound of [`table16`]'s docs, `0.048 · 6² + 1 = 2.73` output codes.
    #[test]
    fn tanh16_matches_f64_within_two_codes() {
        let input = Affine::symmetric16(-6.0, 6.0);
        let t = table16(libm::tanh, input, UNIT_OUTPUT16);
        let x: std::vec::Vec<i16> = (i16::MIN..=i16::MAX).step_by(7).collect();
        let mut y = std::vec![0i16; x.len()];
        lut16(&x, &mut y, &t);
        for (&q, &r) in x.iter().zip(&y) {
            let want = libm::tanh(input.scale as f64 * q as f64) * 32768.0;
            assert!((r as f64 - want).abs() <= 2.73, "code {q}: {r} vs {want}");
        }
    }
}
