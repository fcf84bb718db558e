//! A layer's stored weight codes: `i8` (the int8 scheme) or `i16` (16-bit weights).
//!
//! Weights are symmetric per output channel, `w = s_w,c · q` with `q` in
//! `−(2^(b−1) − 1) ..= 2^(b−1) − 1` (zero point 0), stored little-endian in the layer's
//! layout. 16-bit weights (`b = 16`) are outside the TFLite / CMSIS-NN int8 scheme, which
//! keeps `b = 8`: they are offered for the few layers whose 8-bit weights alone cost most
//! of a generator's error (docs/RESULTS.md, "What limits int8 on the 2-D presets"). They
//! cost twice the flash and run on the reference kernels ([`super::fast`]).
//!
//! The `i32` accumulator bounds the taps: `taps · max|q_w| · max|q_x − z_x| + |bias|`
//! must stay below `2³¹`. With `i8` inputs (`|q_x − z_x| ≤ 255`) and 16-bit weights
//! (`|q_w| ≤ 32767`) that is at most [`MAX_TAPS16`] = 257 taps whatever the values: a
//! 128-input layer sums at most `128 · 32767 · 255 ≈ 1.07 · 2³⁰`, which leaves about
//! `0.93 · 2³⁰` for the bias. With `i16` inputs 16-bit weights fit only a single tap, so
//! the quantiser refuses them ([`super::code`]).

use super::code::Code;

/// Most taps a layer with 16-bit weights and 8-bit inputs may sum:
/// `257 · 32767 · 255 = 2 147 385 345 < 2³¹`, and 258 taps would not fit.
pub const MAX_TAPS16: usize = 257;

/// The stored weight codes of a layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weights<'a> {
    /// `i8` codes, one byte each.
    I8(&'a [u8]),
    /// `i16` codes, two little-endian bytes each.
    I16(&'a [u8]),
}

impl<'a> Weights<'a> {
    /// The stored bytes.
    pub const fn bytes(&self) -> &'a [u8] {
        match *self {
            Self::I8(b) | Self::I16(b) => b,
        }
    }

    /// Bits of a code: 8 or 16.
    pub const fn bits(&self) -> u32 {
        match self {
            Self::I8(_) => i8::BITS,
            Self::I16(_) => i16::BITS,
        }
    }

    /// Number of codes.
    pub const fn len(&self) -> usize {
        self.bytes().len() / (self.bits() as usize / 8)
    }

    /// Whether there are no codes.
    pub const fn is_empty(&self) -> bool {
        self.bytes().is_empty()
    }

    /// Code `k` as an `i32`, if there is one.
    pub fn get(&self, k: usize) -> Option<i32> {
        match *self {
            Self::I8(b) => code::<i8>(b, k),
            Self::I16(b) => code::<i16>(b, k),
        }
    }

    /// The largest symmetric code: `2^(b−1) − 1` (127 or 32767).
    pub const fn max_code(&self) -> i32 {
        (1 << (self.bits() - 1)) - 1
    }
}

/// Code `k` of the `W` codes stored in `b`.
fn code<W: Code>(b: &[u8], k: usize) -> Option<i32> {
    let at = k.checked_mul(W::BYTES)?;
    b.get(at..at + W::BYTES).map(|c| W::from_le(c).get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_count_and_read_by_type() {
        let b = [0x01, 0x80, 0xff, 0x7f];
        let (w8, w16) = (Weights::I8(&b), Weights::I16(&b));
        assert_eq!((w8.len(), w16.len()), (4, 2));
        assert_eq!(
            (w8.get(1), w8.get(3), w8.get(4)),
            (Some(-128), Some(127), None)
        );
        // 0x8001 = −32767, 0x7fff = 32767.
        assert_eq!(
            (w16.get(0), w16.get(1), w16.get(2)),
            (Some(-32767), Some(32767), None)
        );
        assert_eq!((w8.max_code(), w16.max_code()), (127, 32767));
    }

    /// The bound by hand: 257 taps of 32767 · 255 fit below 2³¹, 258 do not.
    #[test]
    fn max_taps16_is_the_largest_count_that_fits() {
        let worst = 32767u64 * 255;
        assert!(MAX_TAPS16 as u64 * worst < 1 << 31);
        assert!((MAX_TAPS16 as u64 + 1) * worst >= 1 << 31);
    }
}
