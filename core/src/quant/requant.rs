//! Requantisation: multiplying an `i32` accumulator by a real number with integers only.
//!
//! A positive real multiplier `M` (for a layer, `M = s_in · s_w / s_out`) is stored as a
//! Q0.31 `multiplier` in `[2³⁰, 2³¹)` and a power-of-two `shift`:
//! `M ≈ multiplier · 2^(shift − 31)` ([`quantize_multiplier`], relative error at most
//! 2⁻³¹). `x · M` is then computed as in gemmlowp, TFLite and CMSIS-NN
//! (`MultiplyByQuantizedMultiplier`, `arm_nn_requantize`):
//!
//! - `shift ≥ 0`: `SRDHM(x · 2^shift, multiplier)` (the left shift saturates);
//! - `shift < 0`: `RDBP(SRDHM(x, multiplier), −shift)`;
//!
//! where `SRDHM(a, b) = ⌊a·b / 2³¹ + ½⌋` (saturating rounding doubling high multiply:
//! halves round up, and `SRDHM(i32::MIN, i32::MIN)` saturates to `i32::MAX`) and
//! `RDBP(x, e) = x / 2^e` rounded to nearest, halves away from zero (rounding divide by a
//! power of two). The result is within one unit of `round(x · M)`.
//!
//! This is the only requantisation arithmetic in the crate: the host's int8 simulation and
//! the firmware call the same functions, so they compute the same bits. Only
//! [`quantize_multiplier`] uses floating point, and only the quantiser calls it.

use core::fmt;

/// Smallest [`Requant::shift`]: multipliers down to `2⁻³²`.
pub const MIN_SHIFT: i32 = -31;
/// Largest [`Requant::shift`]: multipliers below `2³⁰`.
pub const MAX_SHIFT: i32 = 30;
/// Smallest [`Requant::multiplier`]: `2³⁰`, i.e. 0.5 in Q0.31.
pub const MIN_MULTIPLIER: i32 = 1 << 30;

/// A real multiplier `multiplier · 2^(shift − 31)` as two integers (see the
/// [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Requant {
    /// Q0.31 mantissa in `[2³⁰, 2³¹)`.
    pub multiplier: i32,
    /// Power of two in [`MIN_SHIFT`]`..=`[`MAX_SHIFT`].
    pub shift: i32,
}

/// Why a real multiplier has no [`Requant`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MultiplierError {
    /// Zero, negative, infinite or NaN.
    NotPositive(f64),
    /// Below `2⁻³²`: the shift would pass [`MIN_SHIFT`].
    TooSmall(f64),
    /// `2³⁰` or more: the shift would pass [`MAX_SHIFT`].
    TooLarge(f64),
}

impl fmt::Display for MultiplierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::NotPositive(m) => write!(f, "multiplier {m} is not a positive finite number"),
            Self::TooSmall(m) => write!(f, "multiplier {m:e} is below 2^-32"),
            Self::TooLarge(m) => write!(f, "multiplier {m:e} is 2^30 or more"),
        }
    }
}

impl core::error::Error for MultiplierError {}

/// The [`Requant`] of a real multiplier: `real = m · 2^e` with `m ∈ [0.5, 1)` (frexp),
/// `multiplier = round(m · 2³¹)` and `shift = e` (when `m` rounds up to 1, the multiplier
/// is halved and the shift raised by one).
///
/// Floating point: the quantiser's (host's) side only; inference never calls it.
pub fn quantize_multiplier(real: f64) -> Result<Requant, MultiplierError> {
    if !(real > 0.0 && real.is_finite()) {
        return Err(MultiplierError::NotPositive(real));
    }
    let (m, e) = libm::frexp(real);
    let mut q = libm::round(m * (1u64 << 31) as f64) as i64;
    let mut shift = e;
    if q == 1 << 31 {
        q /= 2;
        shift += 1;
    }
    if shift < MIN_SHIFT {
        return Err(MultiplierError::TooSmall(real));
    }
    if shift > MAX_SHIFT {
        return Err(MultiplierError::TooLarge(real));
    }
    Ok(Requant {
        multiplier: q as i32,
        shift,
    })
}

impl Requant {
    /// Whether the fields are in range (a multiplier in `[2³⁰, 2³¹)`, a shift in
    /// [`MIN_SHIFT`]`..=`[`MAX_SHIFT`]): what a model reader checks before use.
    pub const fn is_valid(&self) -> bool {
        self.multiplier >= MIN_MULTIPLIER && self.shift >= MIN_SHIFT && self.shift <= MAX_SHIFT
    }

    /// The real multiplier this stands for, `multiplier · 2^(shift − 31)` (exact in f64).
    /// For reports, tests and the int8 runner's input map (its one float step); no
    /// integer kernel calls it.
    pub fn real(&self) -> f64 {
        self.multiplier as f64 * pow2(self.shift.saturating_sub(31))
    }

    /// `x · M`, rounded (see the [module docs](self)). Shifts outside the valid range are
    /// clamped to it, so no input panics.
    ///
    /// A shift of at most 0 (every multiplier below 0.5, the usual case) skips the left
    /// shift, a positive one the right: each is the identity there.
    #[inline]
    pub fn apply(self, x: i32) -> i32 {
        if self.shift <= 0 {
            let right = self.shift.saturating_neg().min(-MIN_SHIFT);
            rounding_divide_by_pot(
                saturating_rounding_doubling_high_mul(x, self.multiplier),
                right,
            )
        } else {
            let left = self.shift.min(MAX_SHIFT);
            saturating_rounding_doubling_high_mul(x.saturating_mul(1 << left), self.multiplier)
        }
    }
}

/// `2^e` exactly, built from its IEEE 754 bits (subnormal below `2⁻¹⁰²²`, 0 below
/// `2⁻¹⁰⁷⁴`, infinite above `2¹⁰²³`): a few integer instructions where `libm::exp2`
/// would bring its 4 KB table into a firmware image.
fn pow2(e: i32) -> f64 {
    match e {
        -1022..=1023 => f64::from_bits(((e + 1023) as u64) << 52),
        -1074..=-1023 => f64::from_bits(1 << (e + 1074)),
        1024.. => f64::INFINITY,
        _ => 0.0,
    }
}

/// `⌊a·b / 2³¹ + ½⌋`, the high half of the doubled product rounded to nearest (halves
/// up); the one overflowing case, `a = b = i32::MIN`, saturates to `i32::MAX`.
///
/// gemmlowp writes it as `(a·b + nudge) / 2³¹` truncated toward zero with
/// `nudge = 2³⁰` for `a·b ≥ 0` and `1 − 2³⁰` below; for `a·b < 0` truncation is
/// `⌈(a·b + 1 − 2³⁰) / 2³¹⌉ = ⌊(a·b + 2³⁰) / 2³¹⌋`, so both cases are the one floor
/// computed here by an arithmetic shift (a multiply, a 64-bit add and a shift on a
/// Cortex-M4, no division).
#[inline]
pub fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == i32::MIN && b == i32::MIN {
        return i32::MAX;
    }
    ((a as i64 * b as i64 + (1 << 30)) >> 31) as i32
}

/// `x / 2^exponent` rounded to nearest, halves away from zero, for `exponent` in
/// `0..=31` (larger exponents are taken as 31).
#[inline]
pub fn rounding_divide_by_pot(x: i32, exponent: i32) -> i32 {
    let e = exponent.clamp(0, 31);
    let mask = (1u32 << e).wrapping_sub(1) as i32;
    let remainder = x & mask;
    let threshold = (mask >> 1) + (x < 0) as i32;
    (x >> e) + (remainder > threshold) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Prng;

    /// `⌊a·b/2³¹ + ½⌋` in exact integer arithmetic, saturated to i32.
    fn srdhm_exact(a: i32, b: i32) -> i32 {
        let v = (a as i128 * b as i128 + (1 << 30)).div_euclid(1 << 31);
        v.clamp(i32::MIN as i128, i32::MAX as i128) as i32
    }

    /// `x / 2^e`, halves away from zero, in exact arithmetic.
    fn rdbp_exact(x: i32, e: u32) -> i32 {
        let (q, r) = ((x as i128).abs() / (1 << e), (x as i128).abs() % (1 << e));
        let q = if 2 * r >= (1 << e) && e > 0 { q + 1 } else { q };
        (q * (x as i128).signum()) as i32
    }

    /// The definition in the module docs, computed with exact rationals.
    fn apply_exact(r: Requant, x: i32) -> i32 {
        if r.shift >= 0 {
            let shifted = (x as i64 * (1i64 << r.shift)).clamp(i32::MIN as i64, i32::MAX as i64);
            srdhm_exact(shifted as i32, r.multiplier)
        } else {
            rdbp_exact(srdhm_exact(x, r.multiplier), (-r.shift) as u32)
        }
    }

    #[test]
    fn multipliers_by_hand() {
        // 0.5 = 0.5·2⁰: 2³⁰, shift 0. 1 = 0.5·2¹. 0.75 = 0.75·2⁰: 3·2²⁹.
        let q = |m| quantize_multiplier(m).unwrap();
        assert_eq!(
            q(0.5),
            Requant {
                multiplier: 1 << 30,
                shift: 0
            }
        );
        assert_eq!(
            q(1.0),
            Requant {
                multiplier: 1 << 30,
                shift: 1
            }
        );
        assert_eq!(
            q(0.75),
            Requant {
                multiplier: 3 << 29,
                shift: 0
            }
        );
        // 2⁻¹⁰ = 0.5·2⁻⁹.
        assert_eq!(
            q(1.0 / 1024.0),
            Requant {
                multiplier: 1 << 30,
                shift: -9
            }
        );
        // 1/3 = (2/3)·2⁻¹: round(2/3·2³¹) = 1431655765.
        assert_eq!(
            q(1.0 / 3.0),
            Requant {
                multiplier: 1_431_655_765,
                shift: -1
            }
        );
        // Just below 1: the mantissa rounds up to 1, so it becomes 0.5·2¹.
        assert_eq!(
            q(1.0 - 1e-12),
            Requant {
                multiplier: 1 << 30,
                shift: 1
            }
        );
    }

    #[test]
    fn multiplier_range_edges() {
        // The extremes of the shift range: 2⁻³² = 0.5·2⁻³¹ and just below 2³⁰.
        let low = quantize_multiplier(libm::exp2(-32.0)).unwrap();
        assert_eq!(
            low,
            Requant {
                multiplier: 1 << 30,
                shift: MIN_SHIFT
            }
        );
        let high = quantize_multiplier(libm::exp2(30.0) * 0.75).unwrap();
        assert_eq!(
            high,
            Requant {
                multiplier: 3 << 29,
                shift: MAX_SHIFT
            }
        );
        assert!(low.is_valid() && high.is_valid());
        assert_eq!(
            quantize_multiplier(libm::exp2(-33.0)),
            Err(MultiplierError::TooSmall(libm::exp2(-33.0)))
        );
        assert_eq!(
            quantize_multiplier(libm::exp2(30.0)),
            Err(MultiplierError::TooLarge(libm::exp2(30.0)))
        );
        for bad in [0.0, -1.0, f64::INFINITY] {
            assert_eq!(
                quantize_multiplier(bad),
                Err(MultiplierError::NotPositive(bad))
            );
        }
        assert!(quantize_multiplier(f64::NAN).is_err());
        assert!(
            !Requant {
                multiplier: (1 << 30) - 1,
                shift: 0
            }
            .is_valid()
        );
        assert!(
            !Requant {
                multiplier: 1 << 30,
                shift: 31
            }
            .is_valid()
        );
        assert!(
            !Requant {
                multiplier: 1 << 30,
                shift: -32
            }
            .is_valid()
        );
    }

    #[test]
    fn quantized_multiplier_is_within_2_to_the_minus_31() {
        let mut rng = Prng::new(3);
        for _ in 0..10_000 {
            let u = rng.next_u32() as f64 / u32::MAX as f64;
            let real = libm::exp2(-30.0 + 58.0 * u);
            let r = quantize_multiplier(real).unwrap();
            assert!(r.is_valid(), "{real}: {r:?}");
            assert!(
                (r.real() - real).abs() <= real * libm::exp2(-31.0),
                "{real}: {r:?}"
            );
        }
    }

    /// Powers of two from their bits against exact constants: the extremes of the normal
    /// range, the subnormals and past them.
    #[test]
    fn powers_of_two_are_exact() {
        assert_eq!(pow2(0), 1.0);
        assert_eq!(pow2(-31), 1.0 / 2_147_483_648.0);
        assert_eq!(pow2(10), 1024.0);
        assert_eq!(pow2(1023), f64::MAX / (2.0 - f64::EPSILON));
        assert_eq!(pow2(-1022), f64::MIN_POSITIVE);
        assert_eq!(pow2(-1074), f64::from_bits(1));
        assert_eq!(pow2(-1023), f64::MIN_POSITIVE / 2.0);
        assert_eq!((pow2(1024), pow2(-1075)), (f64::INFINITY, 0.0));
        for e in -1074..=1023 {
            assert_eq!(pow2(e), libm::exp2(e as f64), "2^{e}");
        }
        assert_eq!(
            Requant {
                multiplier: 3 << 29,
                shift: -1
            }
            .real(),
            0.375,
            "0.75 · 2^-1"
        );
    }

    #[test]
    fn high_mul_by_hand() {
        let half = 1 << 30; // 0.5 in Q0.31
        assert_eq!(saturating_rounding_doubling_high_mul(10, half), 5);
        // 3·0.5 = 1.5 rounds up to 2; −3·0.5 = −1.5 rounds up to −1; −1·0.5 to 0.
        assert_eq!(saturating_rounding_doubling_high_mul(3, half), 2);
        assert_eq!(saturating_rounding_doubling_high_mul(-3, half), -1);
        assert_eq!(saturating_rounding_doubling_high_mul(-1, half), 0);
        // The one overflow saturates; MIN·MAX is just above MIN.
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MIN, i32::MIN),
            i32::MAX
        );
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MIN, i32::MAX),
            -i32::MAX
        );
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MAX, i32::MAX),
            i32::MAX - 1
        );
    }

    #[test]
    fn divide_by_power_of_two_by_hand() {
        // Halves away from zero.
        assert_eq!(rounding_divide_by_pot(3, 1), 2);
        assert_eq!(rounding_divide_by_pot(-3, 1), -2);
        assert_eq!(rounding_divide_by_pot(-1, 1), -1);
        assert_eq!(rounding_divide_by_pot(5, 2), 1); // 1.25
        assert_eq!(rounding_divide_by_pot(-5, 2), -1);
        assert_eq!(rounding_divide_by_pot(6, 2), 2); // 1.5
        assert_eq!(rounding_divide_by_pot(-6, 2), -2);
        assert_eq!(rounding_divide_by_pot(7, 0), 7);
        // The largest exponent, and an out-of-range one taken as 31.
        assert_eq!(rounding_divide_by_pot(i32::MAX, 31), 1);
        assert_eq!(rounding_divide_by_pot(i32::MIN, 31), -1);
        assert_eq!(rounding_divide_by_pot(1 << 29, 31), 0);
        assert_eq!(rounding_divide_by_pot(i32::MAX, 40), 1);
        assert_eq!(rounding_divide_by_pot(-1, 31), 0);
    }

    #[test]
    fn primitives_match_exact_arithmetic() {
        let mut rng = Prng::new(11);
        let edges = [
            0,
            1,
            -1,
            2,
            -2,
            i32::MAX,
            i32::MIN,
            i32::MAX - 1,
            i32::MIN + 1,
            1 << 30,
        ];
        for &a in &edges {
            for &b in &edges {
                assert_eq!(
                    saturating_rounding_doubling_high_mul(a, b),
                    srdhm_exact(a, b),
                    "{a}·{b}"
                );
            }
        }
        for _ in 0..100_000 {
            let (a, b) = (rng.next_u32() as i32, rng.next_u32() as i32);
            assert_eq!(
                saturating_rounding_doubling_high_mul(a, b),
                srdhm_exact(a, b),
                "{a}·{b}"
            );
            let e = rng.next_u32() % 32;
            assert_eq!(
                rounding_divide_by_pot(a, e as i32),
                rdbp_exact(a, e),
                "{a}/2^{e}"
            );
        }
    }

    /// Over random accumulators and multipliers spanning the whole shift range, the
    /// integer result is the documented two-step rounding exactly and, where the left
    /// shift does not saturate, within one unit of `x · M` rounded in f64.
    #[test]
    fn apply_matches_exact_definition_and_f64_within_one() {
        let mut rng = Prng::new(7);
        for i in 0..200_000 {
            let u = rng.next_u32() as f64 / u32::MAX as f64;
            let real = libm::exp2(-31.9 + 61.8 * u);
            let r = quantize_multiplier(real).unwrap();
            // Accumulators of every size: a random i32 shifted right by 0..31 bits.
            let x = (rng.next_u32() as i32) >> (i % 32);
            let got = r.apply(x);
            assert_eq!(got, apply_exact(r, x), "x {x}, {r:?}");
            if (x as i64) << r.shift.max(0) != x.saturating_mul(1 << r.shift.max(0)) as i64 {
                continue;
            }
            let want = (x as f64 * real).round();
            assert!(
                (got as f64 - want).abs() <= 1.0,
                "x {x}, real {real}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn apply_by_hand() {
        let q = |m| quantize_multiplier(m).unwrap();
        assert_eq!(q(0.5).apply(7), 4); // 3.5: halves up, then exact
        assert_eq!(q(0.5).apply(-7), -3); // −3.5: SRDHM rounds half up
        assert_eq!(q(0.25).apply(-6), -2); // −1.5: RDBP rounds half away from zero
        assert_eq!(q(0.25).apply(6), 2);
        assert_eq!(q(3.0).apply(100), 300);
        assert_eq!(q(1.0 / 3.0).apply(300), 100);
        // Left shifts saturate instead of wrapping: 1000 = 0.9765625·2¹⁰, and
        // (2³¹ − 1)·0.9765625 = 2097151999.02, −2³¹·0.9765625 = −2097152000.
        assert_eq!(q(1000.0).apply(i32::MAX / 2), 2_097_151_999);
        assert_eq!(q(1000.0).apply(i32::MIN / 2), -2_097_152_000);
    }

    #[test]
    fn out_of_range_fields_do_not_panic() {
        for shift in [i32::MIN, -100, -32, 31, 100, i32::MAX] {
            for x in [i32::MIN, -1, 0, 1, i32::MAX] {
                let _ = Requant {
                    multiplier: 0,
                    shift,
                }
                .apply(x);
                let _ = Requant {
                    multiplier: i32::MIN,
                    shift,
                }
                .apply(x);
            }
        }
    }
}
