//! Model-file round trips of networks and layers (tests only).

use crate::model::{Embedded, Extras, Fingerprint, ModelFile, encoded_len, write};
use crate::params::Params;
use crate::rng::{Prng, fill_gaussian};
use crate::tensor::Zero;
use std::boxed::Box;
use std::vec;

/// A `G` with every tensor random and every buffer set, written to a model file and decoded
/// with `decode` (a `from_model`), equals the value `load_into` reads from the same file.
pub fn decodes_like_load_into<G: Params + Zero + Fingerprint + PartialEq>(
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
