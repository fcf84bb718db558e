//! Each discriminator preset's feature-matching layer is the one its docs name, "the second
//! LeakyReLU" (the last hidden features): the slot `FEATURE_LAYER` selects is the `a2`
//! field of the activations, found by name rather than by a counted index, with the width
//! of that layer.

use super::digits::*;
use super::mixture::*;
use crate::train::Discriminator;
use tinygan_core::Zero;
use tinygan_core::tensor::flat;

/// Asserts that `D::FEATURE_LAYER`'s output slot is the named activation `a2` of a batch
/// of one, `width` features wide.
macro_rules! feature_layer_is_a2 {
    ($($d:ty, $acts:ident, $width:expr;)+) => {$({
        let acts = $acts::<1>::ZERO;
        let slot = <$d>::layer_output(&acts, <$d as Discriminator>::FEATURE_LAYER);
        let a2 = flat(&acts.a2);
        assert!(
            std::ptr::eq(slot, a2),
            "{}: FEATURE_LAYER {} is not the second LeakyReLU",
            stringify!($d),
            <$d as Discriminator>::FEATURE_LAYER
        );
        assert_eq!(slot.len(), $width, "{}: feature width", stringify!($d));
    })+};
}

#[test]
fn every_feature_layer_is_the_second_leaky_relu() {
    use tinygan_core::Network;
    feature_layer_is_a2!(
        MixD, MixDActs, D_WIDTH;
        MixDWide, MixDWideActs, WIDE_D_WIDTH;
        MixDMbd, MixDMbdActs, D_WIDTH;
        MixDPack, MixDPackActs, D_WIDTH;
        MixDPack2, MixDPack2Acts, D_WIDTH;
        MixDPack2Wide, MixDPack2WideActs, WIDE_D_WIDTH;
        // 64 (128 for the wide one) channels of 2×2 after the second strided convolution.
        DigitsD, DigitsDActs, 64 * 2 * 2;
        DigitsDClasses, DigitsDClassesActs, 64 * 2 * 2;
        DigitsDWide, DigitsDWideActs, 128 * 2 * 2;
        DigitsDMbd, DigitsDMbdActs, 64 * 2 * 2;
    );
}
