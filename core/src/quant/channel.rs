//! The per-layer and per-output-channel integers of an int8 layer, and their stored form.
//!
//! A layer's output code is `q_y = clamp(z_y + M_c · acc, min, max)` where
//! `acc = bias_c + Σ w_q · (q_x − z_x)` is the `i32` accumulator of output channel `c`,
//! `M_c = s_x · s_w,c / s_y` its [`Requant`], `z_x` and `z_y` the activations' zero points
//! and `[min, max]` the clamp that also applies a fused ReLU (`min = z_y`).
//!
//! Channel records are stored as 12 little-endian bytes (bias, multiplier, shift), so a
//! model's bytes can be used in place, from flash, without a copy: kernels take
//! `&[ChannelBytes]` and decode one record per output channel.

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
    pub fn output(&self, acc: i32, io: LayerIo) -> i8 {
        io.output(self.bias.saturating_add(acc), self.requant)
    }
}

/// Little-endian `i32` number `k` of a record.
#[inline]
const fn le_word(b: &ChannelBytes, k: usize) -> i32 {
    i32::from_le_bytes([b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3]])
}

/// The activation side of an int8 layer: the zero points of its input and output codes
/// and the clamp of its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LayerIo {
    /// `z_x`: the input code of the real value 0.
    pub input_zero: i8,
    /// `z_y`: the output code of the real value 0.
    pub output_zero: i8,
    /// Smallest output code (`z_y` for a fused ReLU, else −128).
    pub min: i8,
    /// Largest output code.
    pub max: i8,
}

impl LayerIo {
    /// No clamp beyond int8, given zero points.
    pub const fn new(input_zero: i8, output_zero: i8) -> Self {
        Self {
            input_zero,
            output_zero,
            min: i8::MIN,
            max: i8::MAX,
        }
    }

    /// `clamp(z_y + M · acc, min, max)`. Saturates instead of overflowing, and a `min`
    /// above `max` gives `max`, so no input panics.
    #[inline]
    pub fn output(self, acc: i32, m: Requant) -> i8 {
        let q = m.apply(acc).saturating_add(self.output_zero as i32);
        q.max(self.min as i32).min(self.max as i32) as i8
    }

    /// `q_x − z_x`, the input code as an offset from the real 0.
    #[inline]
    pub fn centred(self, q: i8) -> i32 {
        q as i32 - self.input_zero as i32
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
        assert_eq!(io.output(40, half), 10); // −10 + 20
        assert_eq!(io.output(1000, half), 127);
        assert_eq!(io.output(-1000, half), -128);
        let relu = LayerIo { min: -10, ..io };
        assert_eq!(
            relu.output(-4, half),
            -10,
            "a fused ReLU clamps at the zero point"
        );
        let inverted = LayerIo {
            min: 5,
            max: 0,
            ..io
        };
        assert_eq!(inverted.output(0, half), 0);
        assert_eq!(
            io.output(
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
