//! The map from a generator's output codes to data units, in fixed point.
//!
//! The f32 model maps its output `v` (model units, usually tanh's) to data units by
//! `data = offset_e + scale_e · v`, per output element `e` (cycling when fewer maps than
//! elements). With `v = s_y · (q − z_y)` for `b`-bit codes `q` (8 or 16) this is, in
//! Q15.16 fixed point (`data = y / 2^`[`DATA_FRAC_BITS`]):
//!
//! `y = M_e · (bias_e + (q − z_y) · 2^(24 − b))`, `M_e = scale_e · s_y · 2^(b − 8)`,
//! `bias_e = round(offset_e · 2¹⁶ / M_e)`,
//!
//! one stored [`Channel`] per map, run by the same requantisation as every layer (the
//! shift `24 − b` keeps `(q − z_y) · 2^(24 − b)` below 2²⁴). `y` is within one unit of
//! `2¹⁶ · data` (the bias rounding adds at most `M_e / 2`).

use super::channel::{Channel, ChannelBytes};
use super::code::Code;
use super::params::Affine;
use super::requant::{MultiplierError, quantize_multiplier};

/// Fractional bits of the fixed-point data units: `data = y / 65536`.
pub const DATA_FRAC_BITS: u32 = 16;

/// `2^(24 − b)`'s exponent for `b`-bit codes.
const fn code_shift<C: Code>() -> u32 {
    24 - C::BITS
}

/// `y[k] = M_e · (bias_e + (x[k] − z_y) · 2^(24 − b))`, `e = k mod maps.len()`
/// (overwrites `y`).
pub fn to_data<C: Code>(x: &[C], zero: i8, maps: &[ChannelBytes], y: &mut [i32]) {
    for (k, (yk, &q)) in y.iter_mut().zip(x).enumerate() {
        let m = Channel::from_le_bytes(&maps[k % maps.len().max(1)]);
        let v = (q.get() - zero as i32) << code_shift::<C>();
        *yk = m.requant.apply(m.bias.saturating_add(v));
    }
}

/// The stored map of `data = offset + scale · v` for `C` codes `v` quantised by `output`
/// (quantiser's side). `scale` must be positive and the offset within about 2¹⁴ data
/// units of the outputs' scale (else the bias leaves `i32`: [`MultiplierError::TooLarge`]).
pub fn map<C: Code>(
    offset: f64,
    scale: f64,
    output: Affine,
) -> Result<ChannelBytes, MultiplierError> {
    let m = scale * output.scale as f64 * libm::exp2((C::BITS - 8) as f64);
    let requant = quantize_multiplier(m)?;
    let bias = libm::round(offset * (1u32 << DATA_FRAC_BITS) as f64 / m);
    if bias.abs() >= (1u64 << 30) as f64 {
        return Err(MultiplierError::TooLarge(bias));
    }
    Ok(Channel {
        bias: bias as i32,
        requant,
    }
    .to_le_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::activation::{TANH_OUTPUT, UNIT_OUTPUT16};

    /// tanh codes to the data range [−4.2, 4.2] (offset 0, scale 4.2) and to [0, 16]
    /// (offset 8, scale 8): by hand, the code 64 is ½, so 2.1 and 12 data units.
    #[test]
    fn maps_by_hand() {
        let maps = [
            map::<i8>(0.0, 4.2, TANH_OUTPUT).unwrap(),
            map::<i8>(8.0, 8.0, TANH_OUTPUT).unwrap(),
        ];
        let mut y = [0i32; 4];
        to_data(&[64i8, 64, -128, 0], 0, &maps, &mut y);
        assert_eq!(y[0], (2.1f64 * 65536.0).round() as i32);
        assert_eq!(y[1], 12 << 16);
        assert_eq!(y[2], (-4.2f64 * 65536.0).round() as i32);
        assert_eq!(y[3], 8 << 16);
    }

    /// Every code, random maps: within one unit of `2¹⁶ · (offset + scale · v)`.
    #[test]
    fn matches_the_real_map_within_one_unit() {
        let codes: [i8; 256] = core::array::from_fn(|k| (k as i32 - 128) as i8);
        let out = Affine {
            scale: 0.013,
            zero_point: -9,
        };
        for (offset, scale) in [(0.0, 1.0), (-3.7, 0.4), (250.0, 31.0), (0.5, 0.01)] {
            let maps = [map::<i8>(offset, scale, out).unwrap()];
            let mut y = [0i32; 256];
            to_data(&codes, out.zero_point, &maps, &mut y);
            for (&q, &v) in codes.iter().zip(&y) {
                let want = (offset + scale * out.scale as f64 * (q as f64 + 9.0)) * 65536.0;
                assert!(
                    (v as f64 - want).abs() <= 1.0,
                    "{offset} {scale} code {q}: {v} vs {want}"
                );
            }
        }
    }

    #[test]
    fn unrepresentable_maps_are_errors() {
        assert!(map::<i8>(0.0, -1.0, TANH_OUTPUT).is_err());
        assert!(map::<i8>(1e6, 1e-3, TANH_OUTPUT).is_err());
    }

    /// `i16` tanh codes (s = 1/32768) to [0, 16] (offset 8, scale 8): by hand, the code
    /// 16384 is ½, so 12 data units; −32768 is −1, so 0; and 1 is 8 + 8/32768.
    #[test]
    fn maps_i16_codes_by_hand() {
        let maps = [map::<i16>(8.0, 8.0, UNIT_OUTPUT16).unwrap()];
        let mut y = [0i32; 3];
        to_data(&[16384i16, -32768, 1], 0, &maps, &mut y);
        assert_eq!(y, [12 << 16, 0, (8 << 16) + 16]);
    }
}
