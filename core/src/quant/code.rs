//! The integer types activations are coded in: `i8`, and `i16` for the 16x8 scheme.
//!
//! In the 16x8 scheme (TFLite's "int16 activations with int8 weights", CMSIS-NN's `s16`
//! kernels) weights stay `i8` and activations are `i16` codes, symmetric (zero point 0),
//! 256 times finer than `i8` over the same range. The accumulator stays `i32`: a layer of
//! `n` inputs sums at most `n · 127 · 32768` plus its bias, which the quantiser checks
//! against `i32` before it gives a layer `i16` inputs (`n` up to about 500 with a bias
//! below `2³⁰`).

/// An activation code type: its range, and its value as an `i32`.
pub trait Code: Copy + Default + PartialEq + core::fmt::Debug + 'static {
    /// Smallest code.
    const MIN: i32;
    /// Largest code.
    const MAX: i32;
    /// Bits of the code.
    const BITS: u32;
    /// The code as an `i32`.
    fn get(self) -> i32;
    /// `v` clamped to `MIN..=MAX`.
    fn saturate(v: i32) -> Self;
}

/// `Code` for a primitive signed integer of `$bits` bits.
macro_rules! code {
    ($t:ty, $bits:expr) => {
        impl Code for $t {
            const MIN: i32 = <$t>::MIN as i32;
            const MAX: i32 = <$t>::MAX as i32;
            const BITS: u32 = $bits;
            #[inline]
            fn get(self) -> i32 {
                self as i32
            }
            #[inline]
            fn saturate(v: i32) -> Self {
                v.clamp(<Self as Code>::MIN, <Self as Code>::MAX) as $t
            }
        }
    };
}

code!(i8, 8);
code!(i16, 16);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturate_clamps_to_the_type() {
        assert_eq!(<i8 as Code>::saturate(200), 127);
        assert_eq!(<i8 as Code>::saturate(-129), -128);
        assert_eq!(<i8 as Code>::saturate(-5), -5);
        assert_eq!(<i16 as Code>::saturate(40_000), 32_767);
        assert_eq!(<i16 as Code>::saturate(-40_000), -32_768);
        assert_eq!(<i16 as Code>::saturate(300), 300);
    }
}
