//! The per-layer and per-output-channel integers of an int8 layer, and their stored form.
//!
//! A layer's output code is `q_y = clamp(z_y + M_c · acc, min, max)` where
//! `acc = bias_c + Σ w_q · (q_x − z_x)` is the `i32` accumulator of output channel `c`,
//! `M_c = s_x · s_w,c / s_y` its [`Requant`], `z_x` and `z_y` the activations' zero points
//! and `[min, max]` the clamp that also applies a fused ReLU (`min = z_y`). Input and
//! output codes are `i8` or `i16` ([`Code`]); zero points are `i8` (an `i16` map is
//! symmetric, zero point 0).
//!
//! Channel records are stored as 12 little-endian bytes (bias, multiplier, shift), so a
//! model's bytes can be used in place, from flash, without a copy: kernels take
//! `&[ChannelBytes]` and decode one record per output channel.

use super::code::Code;
use super::requant::Requant;

/// Bytes of one stored [`Channel`].
pub const CHANNEL_BYTES: usize = 12;
/// One stored [`Channel`]: bias, multiplier and shift as little-endian `i32`.
pub type ChannelBytes = [u8; CHANNEL_BYTES];

/// An output channel's bias (in units of `s_x · s_w,c`) and requantisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Channel {
    /// Added to the accumulator before requantisation.
    pub bias: i32,
    /// `M_c`, the accumulator's scale over the output's.
    pub requant: Requant,
}

impl Channel {
    /// Decodes a stored record.
    #[inline]
    pub const fn from_le_bytes(b: &ChannelBytes) -> Self {
        Self {
            bias: le_word(b, 0),
            requant: Requant {
                multiplier: le_word(b, 1),
                shift: le_word(b, 2),
            },
        }
    }

    /// The stored record.
    pub const fn to_le_bytes(&self) -> ChannelBytes {
        let mut out = [0; CHANNEL_BYTES];
        let words = [self.bias, self.requant.multiplier, self.requant.shift];
        let mut k = 0;
        while k < 3 {
            let b = words[k].to_le_bytes();
            out[4 * k] = b[0];
            out[4 * k + 1] = b[1];
            out[4 * k + 2] = b[2];
            out[4 * k + 3] = b[3];
            k += 1;
        }
        out
    }

    /// `bias + acc` requantised: `clamp(z_y + M · (bias + acc), min, max)` (see
    /// [`LayerIo::output`]).
    #[inline]
    pub fn output<Y: Code>(&self, acc: i32, io: LayerIo) -> Y {
        io.output(self.bias.saturating_add(acc), self.requant)
    }
}

/// Little-endian `i32` number `k` of a record.
#[inline]
const fn le_word(b: &ChannelBytes, k: usize) -> i32 {
    i32::from_le_bytes([b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3]])
}

/// The activation side of a layer: the zero points of its input and output codes and the
/// clamp of its output (which the output type's range narrows further).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LayerIo {
    /// `z_x`: the input code of the real value 0.
    pub input_zero: i8,
    /// `z_y`: the output code of the real value 0.
    pub output_zero: i8,
    /// Smallest output code (`z_y` for a fused ReLU, else `i32::MIN`: the type's).
    pub min: i32,
    /// Largest output code (`i32::MAX`: the type's).
    pub max: i32,
}

impl LayerIo {
    /// No clamp beyond the output type's range, given zero points.
    pub const fn new(input_zero: i8, output_zero: i8) -> Self {
        Self {
            input_zero,
            output_zero,
            min: i32::MIN,
            max: i32::MAX,
        }
    }

    /// `clamp(z_y + M · acc, min, max)`, then to `Y`'s range. Saturates instead of
    /// overflowing, and a `min` above `max` gives `max`, so no input panics.
    #[inline]
    pub fn output<Y: Code>(self, acc: i32, m: Requant) -> Y {
        self.clamp(m.apply(acc).saturating_add(self.output_zero as i32))
    }

    /// `q` clamped to `[min, max]` and to `Y`'s range (`max` wins over `min`).
    #[inline]
    pub fn clamp<Y: Code>(self, q: i32) -> Y {
        Y::saturate(q.max(self.min).min(self.max))
    }

    /// `q_x − z_x`, the input code as an offset from the real 0.
    #[inline]
    pub fn centred<X: Code>(self, q: X) -> i32 {
        q.get() - self.input_zero as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_little_endian() {
        let c = Channel {
            bias: -2,
            requant: Requant {
                multiplier: 0x4000_0001,
                shift: -3,
            },
        };
        let b = c.to_le_bytes();
        assert_eq!(
            b,
            [
                0xfe, 0xff, 0xff, 0xff, 1, 0, 0, 0x40, 0xfd, 0xff, 0xff, 0xff
            ]
        );
        assert_eq!(Channel::from_le_bytes(&b), c);
    }

    #[test]
    fn output_adds_zero_point_and_clamps() {
        let half = Requant {
            multiplier: 1 << 30,
            shift: 0,
        };
        let io = LayerIo::new(0, -10);
        assert_eq!(io.output::<i8>(40, half), 10); // −10 + 20
        assert_eq!(io.output::<i8>(1000, half), 127);
        assert_eq!(io.output::<i8>(-1000, half), -128);
        assert_eq!(io.output::<i16>(1000, half), 490, "−10 + 500 fits i16");
        assert_eq!(io.output::<i16>(100_000, half), 32_767);
        let relu = LayerIo { min: -10, ..io };
        assert_eq!(
            relu.output::<i8>(-4, half),
            -10,
            "a fused ReLU clamps at the zero point"
        );
        let inverted = LayerIo {
            min: 5,
            max: 0,
            ..io
        };
        assert_eq!(inverted.output::<i8>(0, half), 0);
        assert_eq!(
            io.output::<i8>(
                i32::MAX,
                Requant {
                    multiplier: i32::MAX,
                    shift: 30
                }
            ),
            127
        );
    }
}
