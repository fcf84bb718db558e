//! Scalar maths shared by the kernels and the optimisers.

/// `√x`, correctly rounded as IEEE 754 requires: with the `std` feature the compiler's
/// square root, which becomes the vector instruction inside loops (`vsqrtps`); without it
/// libm's, which is a scalar instruction or a software routine. Both round correctly, so
/// both give the same bits and host and device agree.
#[inline(always)]
pub fn sqrt(x: f32) -> f32 {
    #[cfg(feature = "std")]
    {
        x.sqrt()
    }
    #[cfg(not(feature = "std"))]
    {
        libm::sqrtf(x)
    }
}

/// `e^(−min(x, 87))` for `x ≥ 0`, relative error below 4e-7.
///
/// `x = n ln 2 + r` with `n` the nearest integer and `|r| ≤ ln 2 / 2` (`ln 2` split in two
/// so `n ln 2` is exact), then `e^(−x) = 2^(−n) e^(−r)` with a degree-7 Taylor polynomial
/// (truncation below 6e-9). `n` is rounded by adding `1.5·2²³`, which leaves it in the
/// low mantissa bits, and `2^(−n)` is built from those bits. Plain `f32` and `u32`
/// arithmetic without branches, conversions or tables, so that loops over it vectorise
/// and host and device agree bit for bit; `libm::expf` made minibatch discrimination's
/// pairwise loops several times slower. Past 87 (`e^(−87) ≈ 1.6e-38`) the value stays at about `2^(−126)`.
#[inline]
pub fn exp_neg(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    const ROUND: f32 = 12_582_912.0;
    let x = x.min(87.0);
    let t = x * core::f32::consts::LOG2_E + ROUND;
    let n = t - ROUND;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let p = 1.0
        - r * (1.0
            - r * (1.0 / 2.0
                - r * (1.0 / 6.0
                    - r * (1.0 / 24.0
                        - r * (1.0 / 120.0 - r * (1.0 / 720.0 - r * (1.0 / 5040.0)))))));
    p * f32::from_bits((127u32 << 23).wrapping_sub(t.to_bits() << 23))
}

/// `tanh x`, within 3e-7 of the exact value (relative error below 1e-6).
///
/// For `|x| < 0.3` the Taylor series to `x¹¹` (truncation below 1e-9 relative); above,
/// `(1 − e)/(1 + e)` with `e = e^(−2|x|)` from [`exp_neg`] (where `1 − e` loses at most a
/// few bits to cancellation); the sign of `x` restored, NaN passed through. Plain `f32`
/// arithmetic and selects, so that loops over it vectorise and host and device agree
/// bit for bit; `libm::tanhf` is a scalar call per element.
#[inline]
pub fn tanh(x: f32) -> f32 {
    const SIGN: u32 = 0x8000_0000;
    let a = f32::from_bits(x.to_bits() & !SIGN);
    let e = exp_neg(2.0 * a);
    let far = (1.0 - e) / (1.0 + e);
    let s = a * a;
    let near = a + a
        * s
        * (-1.0 / 3.0
            + s * (2.0 / 15.0
                + s * (-17.0 / 315.0 + s * (62.0 / 2835.0 + s * (-1382.0 / 155_925.0)))));
    let r = if a < 0.3 { near } else { far };
    let signed = f32::from_bits(r.to_bits() | (x.to_bits() & SIGN));
    if a.is_nan() { x } else { signed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_neg_matches_exp() {
        for i in 0..87_000 {
            let x = i as f32 * 1e-3;
            let want = (-(x as f64)).exp();
            let rel = ((exp_neg(x) as f64 - want) / want).abs();
            assert!(rel < 4e-7, "x = {x}: relative error {rel}");
        }
        assert_eq!(exp_neg(0.0), 1.0);
        assert!(exp_neg(1e4) < 2e-38);
    }

    #[test]
    fn tanh_matches_tanh() {
        let mut worst = (0.0f64, 0.0f64);
        for i in -100_000..=100_000 {
            let x = i as f32 * 1e-4;
            let want = (x as f64).tanh();
            let err = (tanh(x) as f64 - want).abs();
            worst.0 = worst.0.max(err);
            if want != 0.0 {
                worst.1 = worst.1.max(err / want.abs());
            }
        }
        assert!(worst.0 < 3e-7 && worst.1 < 1e-6, "abs, rel error {worst:?}");
        assert_eq!(tanh(0.0), 0.0);
        assert_eq!(tanh(1e-20), 1e-20);
        assert_eq!((tanh(50.0), tanh(-50.0)), (1.0, -1.0));
        assert!(tanh(f32::NAN).is_nan());
    }

    #[test]
    fn agrees_with_libm_bit_for_bit() {
        let mut x = 1e-30f32;
        while x < 1e30 {
            for v in [x, x * 1.000_001, x * 2.718_281_7] {
                assert_eq!(sqrt(v).to_bits(), libm::sqrtf(v).to_bits(), "√{v}");
            }
            x *= 1.37;
        }
        assert_eq!(sqrt(0.0), 0.0);
        assert!(sqrt(-1.0).is_nan());
    }
}
