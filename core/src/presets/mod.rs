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
    use crate::model::{Embedded, Extras, ModelFile, encoded_len, write};
    use crate::rng::{Prng, fill_gaussian};
    use std::boxed::Box;
    use std::vec;

    /// A `G` with every tensor random and every buffer set, written to a model file and decoded
    /// with `from_model`, equals the network `load_into` reads from the same file.
    fn decodes_like_load_into<G: Network + crate::model::Fingerprint + PartialEq>(
        decode: fn(&Embedded<'_>) -> G,
    ) {
        let mut rng = Prng::new(11);
        let mut g = Box::new(G::ZERO);
        for i in 0..G::TENSORS {
            fill_gaussian(&mut rng, g.tensor_mut(i));
        }
        for i in 0..G::BUFFERS {
            for (k, v) in g.buffer_mut(i).iter_mut().enumerate() {
                *v = 0.5 + k as f32 + i as f32 / 8.0;
            }
        }
        let extras = Extras {
            scaling: None,
            metadata: &[("kind", "generator")],
        };
        let mut bytes = vec![0u8; encoded_len(&*g, &extras)];
        write(&*g, &extras, &mut bytes).unwrap();
        let mut loaded = Box::new(G::ZERO);
        ModelFile::parse(&bytes)
            .unwrap()
            .load_into(&mut *loaded)
            .unwrap();
        assert!(*loaded == *g, "load_into round trip");
        let decoded = Box::new(decode(&Embedded::new(&bytes)));
        assert!(*decoded == *loaded, "from_model differs from load_into");
    }

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
