//! The generator architectures of the built-in presets, shared by the host (which trains
//! them) and the firmware (which runs them): a model file written for one of these types
//! deploys to a board without hand edits. Discriminators and training configs, which only
//! the host needs, live with the host's presets.

pub mod digits;
pub mod mixture;

#[cfg(test)]
mod tests {
    use super::digits::*;
    use super::mixture::*;
    use crate::Network;
    use crate::roundtrip::decodes_like_load_into;

    /// Counted by hand from the layer lists: ring8's G is 8·128 + 2·128·128 + 128·2; the
    /// digits G is a 32→512 dense, a transposed conv of 32×4×4 inputs each spreading over
    /// 16 channels × 4×4 taps, and a 16→1 3×3 conv at each of 8×8 outputs.
    #[test]
    fn generator_macs_per_sample() {
        assert_eq!(MixG::MACS, 34_048);
        assert_eq!(MixGBn::MACS, 34_048);
        assert_eq!(DigitsG::MACS, 16_384 + 131_072 + 9_216);
        assert_eq!(
            DigitsGWide::MACS,
            32 * 1024 + 64 * 16 * 32 * 16 + 64 * 32 * 9
        );
    }

    #[test]
    fn every_preset_generator_decodes_like_load_into() {
        decodes_like_load_into(MixG::from_model);
        decodes_like_load_into(MixGBn::from_model);
        decodes_like_load_into(MixGVbn::from_model);
        decodes_like_load_into(DigitsG::from_model);
        decodes_like_load_into(DigitsGBn::from_model);
        decodes_like_load_into(DigitsGVbn::from_model);
        decodes_like_load_into(DigitsGWide::from_model);
    }
}
