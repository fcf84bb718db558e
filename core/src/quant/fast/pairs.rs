//! Packed pairs of 16-bit values and the operation the packed kernels build on, [`mac4`]:
//! four `i8` of a weight word widened to two pairs ([`portable::sxtb16`],
//! [`portable::sxtb16_ror8`]) and multiplied into an accumulator with two pairs of the
//! column, two 16×16-bit multiply-accumulates at a time ([`portable::smlad`]).
//!
//! On targets with the DSP extension [`mac4`] is the four instructions themselves
//! ([`super::dsp`]); elsewhere the [`portable`] twin, plain Rust with the same bits, so the
//! packed kernels compile and are tested everywhere.
//!
//! A word `w` holding the `i8` bytes `b0 b1 b2 b3` (little-endian) widens to
//! `sxtb16(w) = (b0, b2)` and `sxtb16_ror8(w) = (b1, b3)` (low halfword first); a packed
//! kernel lays its other operand out in the same order.

/// The instructions' semantics in plain Rust.
pub mod portable {
    /// Halfword `k` (0 low, 1 high) of `x` as `i32`.
    #[inline(always)]
    fn half(x: u32, k: u32) -> i32 {
        (x >> (16 * k)) as u16 as i16 as i32
    }

    /// `(lo, hi)` as the halfwords of a word.
    #[inline(always)]
    pub fn pack(lo: i32, hi: i32) -> u32 {
        (lo as u16 as u32) | ((hi as u16 as u32) << 16)
    }

    /// `acc + a.lo·b.lo + a.hi·b.hi` (halfwords as `i16`), modulo 2³² like SMLAD.
    #[inline(always)]
    pub fn smlad(a: u32, b: u32, acc: i32) -> i32 {
        acc.wrapping_add(half(a, 0) * half(b, 0))
            .wrapping_add(half(a, 1) * half(b, 1))
    }

    /// Bytes 0 and 2 of `x`, sign-extended into the low and high halfwords.
    #[inline(always)]
    pub fn sxtb16(x: u32) -> u32 {
        pack(x as u8 as i8 as i32, (x >> 16) as u8 as i8 as i32)
    }

    /// Bytes 1 and 3 of `x`, sign-extended into the low and high halfwords.
    #[inline(always)]
    pub fn sxtb16_ror8(x: u32) -> u32 {
        sxtb16(x.rotate_right(8))
    }

    /// `acc + sxtb16(w)·c[0] + sxtb16_ror8(w)·c[1]`, pairwise, by two [`smlad`].
    #[inline(always)]
    pub fn mac4(acc: i32, w: u32, c: [u32; 2]) -> i32 {
        smlad(sxtb16_ror8(w), c[1], smlad(sxtb16(w), c[0], acc))
    }
}

pub use portable::pack;

#[cfg(all(target_arch = "arm", target_feature = "dsp"))]
pub use super::dsp::mac4;

#[cfg(not(all(target_arch = "arm", target_feature = "dsp")))]
pub use portable::mac4;

/// Words whose bytes and halfwords sit at the edges (0, ±1, the extremes of `i8` and
/// `i16`): the values on which the self-test compares [`mac4`] with [`portable::mac4`].
pub const EDGE_WORDS: [u32; 10] = [
    0x0000_0000,
    0xffff_ffff,
    0x8080_8080,
    0x7f7f_7f7f,
    0x807f_7f80,
    0x8000_8000,
    0x7fff_7fff,
    0x8000_7fff,
    0x0001_ffff,
    0x12ab_cd34,
];

#[cfg(test)]
mod tests {
    use super::portable::*;

    /// Bytes of `0x80_7f_ff_01`: b0 = 1, b1 = −1, b2 = 127, b3 = −128.
    #[test]
    fn widening_by_hand() {
        let w = 0x807f_ff01;
        assert_eq!(sxtb16(w), pack(1, 127));
        assert_eq!(sxtb16(w), 0x007f_0001);
        assert_eq!(sxtb16_ror8(w), pack(-1, -128));
        assert_eq!(sxtb16_ror8(w), 0xff80_ffff);
    }

    #[test]
    fn smlad_by_hand() {
        // 10 + 3·(−4) + (−2)·5 = −12.
        assert_eq!(smlad(pack(3, -2), pack(-4, 5), 10), -12);
        // (−32768)² twice overflows i32: 2³¹ wraps to i32::MIN.
        let m = pack(-32768, -32768);
        assert_eq!(smlad(m, m, 0), i32::MIN);
        assert_eq!(smlad(pack(1, 0), pack(1, 0), i32::MAX), i32::MIN);
    }

    /// Bytes 1, −1, 127, −128 against the column pairs (2, 3) and (5, 7):
    /// `4 + 1·2 + 127·3 + (−1)·5 + (−128)·7 = −514`.
    #[test]
    fn mac4_by_hand() {
        assert_eq!(mac4(4, 0x807f_ff01, [pack(2, 3), pack(5, 7)]), -514);
    }
}
