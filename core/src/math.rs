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

#[cfg(test)]
mod tests {
    use super::*;

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
