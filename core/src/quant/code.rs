//! The integer types activations and weights are coded in: `i8`, and `i16` for the 16x8
//! scheme's activations and for 16-bit weights ([`super::weights`]).
//!
//! In the 16x8 scheme (TFLite's "int16 activations with int8 weights", CMSIS-NN's `s16`
//! kernels) weights stay `i8` and activations are `i16` codes, symmetric (zero point 0),
//! 256 times finer than `i8` over the same range. The accumulator stays `i32`: a layer of
//! `n` inputs sums at most `n · 127 · 32768` plus its bias, which the quantiser checks
//! against `i32` before it gives a layer `i16` inputs (`n` up to about 500 with a bias
//! below `2³⁰`).

/// A code type: its range, its value as an `i32`, and its stored (little-endian) form.
pub trait Code: Copy + Default + PartialEq + core::fmt::Debug + 'static {
    /// Smallest code.
    const MIN: i32;
    /// Largest code.
    const MAX: i32;
    /// Bits of the code.
    const BITS: u32;
    /// Bytes of a stored code (`BITS / 8`).
    const BYTES: usize;
    /// The code as an `i32`.
    fn get(self) -> i32;
    /// `v` clamped to `MIN..=MAX`.
    fn saturate(v: i32) -> Self;
    /// The code stored little-endian in `b[..BYTES]` (`b` holds at least `BYTES` bytes).
    fn from_le(b: &[u8]) -> Self;
    /// Code `k` of the codes stored little-endian in `w`, as an `i32`.
    #[inline]
    fn load(w: &[u8], k: usize) -> i32 {
        Self::from_le(&w[k * Self::BYTES..(k + 1) * Self::BYTES]).get()
    }
}

/// `Code` for a primitive signed integer of `$bits` bits.
macro_rules! code {
    ($t:ty, $bits:expr) => {
        impl Code for $t {
            const MIN: i32 = <$t>::MIN as i32;
            const MAX: i32 = <$t>::MAX as i32;
            const BITS: u32 = $bits;
            const BYTES: usize = $bits / 8;
            #[inline]
            fn get(self) -> i32 {
                self as i32
            }
            #[inline]
            fn saturate(v: i32) -> Self {
                v.clamp(<Self as Code>::MIN, <Self as Code>::MAX) as $t
            }
            #[inline]
            fn from_le(b: &[u8]) -> Self {
                let mut le = [0; $bits / 8];
                le.copy_from_slice(&b[..$bits / 8]);
                <$t>::from_le_bytes(le)
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

    /// Stored codes are little-endian two's complement: 0xfe is −2 in 8 bits, the bytes
    /// 0x34 0x12 are 0x1234 = 4660 and 0x00 0x80 are −32768 in 16.
    #[test]
    fn codes_read_little_endian() {
        assert_eq!(<i8 as Code>::from_le(&[0xfe, 9]), -2);
        assert_eq!(<i16 as Code>::from_le(&[0x34, 0x12, 9]), 4660);
        assert_eq!(<i16 as Code>::from_le(&[0x00, 0x80]), -32768);
        assert_eq!((<i8 as Code>::BYTES, <i16 as Code>::BYTES), (1, 2));
    }
}
