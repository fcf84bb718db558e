//! Per-tensor affine quantisation, `real = s · (q − z)`, on the quantiser's (host's) side.
//!
//! Calibration and table building use floating point; inference uses only the integers
//! these produce ([`Requant`](super::requant::Requant), zero points, tables).

use super::code::Code;

/// An affine map between activation codes (`i8`, or `i16` with `z = 0`) and reals:
/// `real = scale · (q − zero_point)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Affine {
    /// Real value of one code step (`s > 0`).
    pub scale: f32,
    /// Code of the real value 0.
    pub zero_point: i8,
}

impl Affine {
    /// The map whose codes −128..=127 cover `[lo, hi]` (widened to contain 0, so that 0
    /// is exactly a code, as padding and ReLU need): `s = (hi − lo)/255`,
    /// `z = round(−128 − lo/s)`. An empty range (`lo = hi = 0`) gets `s = 1/255`.
    pub fn from_range(lo: f32, hi: f32) -> Self {
        let (lo, hi) = (lo.min(0.0) as f64, hi.max(0.0) as f64);
        let scale = if hi > lo {
            (hi - lo) / 255.0
        } else {
            1.0 / 255.0
        };
        let zero = libm::round(-128.0 - lo / scale).clamp(-128.0, 127.0);
        Self {
            scale: scale as f32,
            zero_point: zero as i8,
        }
    }

    /// The symmetric `i16` map whose codes ±32767 cover `[lo, hi]` (and 0):
    /// `s = max(|lo|, |hi|)/32767`, `z = 0`, as TFLite's 16x8 scheme. An empty range gets
    /// `s = 1/32767`.
    pub fn symmetric16(lo: f32, hi: f32) -> Self {
        let m = (lo as f64).abs().max((hi as f64).abs());
        let scale = if m > 0.0 { m } else { 1.0 } / i16::MAX as f64;
        Self {
            scale: scale as f32,
            zero_point: 0,
        }
    }

    /// `clamp(round(v/s) + z)` to `C`'s range (halves away from zero).
    pub fn quantize<C: Code>(&self, v: f32) -> C {
        let q = libm::round(v as f64 / self.scale as f64) + self.zero_point as f64;
        C::saturate(q.clamp(C::MIN as f64, C::MAX as f64) as i32)
    }

    /// `s · (q − z)`.
    pub fn dequantize<C: Code>(&self, q: C) -> f32 {
        self.scale * (q.get() - self.zero_point as i32) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_maps_to_full_code_range() {
        // [−1, 1.55]: s = 2.55/255 = 0.01, z = round(−128 + 100) = −28.
        let a = Affine::from_range(-1.0, 1.55);
        assert!((a.scale - 0.01).abs() < 1e-8);
        assert_eq!(a.zero_point, -28);
        assert_eq!(a.quantize::<i8>(0.0), -28);
        assert_eq!(a.quantize::<i8>(-1.0), -128);
        assert_eq!(a.quantize::<i8>(1.55), 127);
        assert_eq!(a.quantize::<i8>(100.0), 127, "clamps");
        assert!((a.dequantize(-28i8 + 50) - 0.5).abs() < 1e-6);
        // A range entirely above 0 is widened to contain it: ReLU outputs get z = −128.
        let relu = Affine::from_range(0.5, 2.55);
        assert_eq!(relu.zero_point, -128);
        assert!((relu.scale - 0.01).abs() < 1e-8);
        // Nothing but zeros: a unit step of 1/255, 0 at −128.
        assert_eq!(Affine::from_range(0.0, 0.0).zero_point, -128);
    }

    #[test]
    fn symmetric16_covers_the_larger_side() {
        // [−0.5, 3.2767]: s = 3.2767/32767 = 1e-4, z = 0.
        let a = Affine::symmetric16(-0.5, 3.2767);
        assert!((a.scale - 1e-4).abs() < 1e-10);
        assert_eq!(a.zero_point, 0);
        assert_eq!(a.quantize::<i16>(-0.5), -5000);
        assert_eq!(a.quantize::<i16>(3.2767), 32_767);
        assert_eq!(a.quantize::<i16>(-4.0), -32_768, "clamps to i16");
        assert_eq!(a.quantize::<i8>(0.0123), 123, "and to i8");
        assert!((a.dequantize(1234i16) - 0.1234).abs() < 1e-6);
        assert!((Affine::symmetric16(0.0, 0.0).scale - 1.0 / 32767.0).abs() < 1e-12);
    }
}
