//! Conv networks declared with `network!`: a digits-sized generator and discriminator
//! chain dense, reshape, (transposed) convolution and pixel shuffle layers, and their
//! backward passes match finite differences end to end.

use crate::gradcheck::{check_network, randomize};
use crate::layers::{
    Conv2d, ConvTranspose2d, Dense, Flatten, PixelShuffle, PixelUnshuffle, Unflatten,
};
use crate::net::Network;
use crate::params::{Params, TensorKind};
use crate::tensor::Zero;

crate::network! {
    /// z: 4 -> 8×2×2 -> 4×4×4 (transposed conv) -> 8×4×4 -> 2×8×8 (pixel shuffle) -> 1×8×8.
    struct Gen, acts GenActs {
        fc: Dense<4, 32>,
        unflat: Unflatten<8, 2, 2, 32>,
        up: ConvTranspose2d<8, 4, 2, 2, 4, 2, 1, 4, 4>,
        conv: Conv2d<4, 8, 4, 4, 3, 1, 1, 4, 4>,
        shuffle: PixelShuffle<8, 4, 4, 2, 2, 8, 8>,
        out: Conv2d<2, 1, 8, 8, 3, 1, 1, 8, 8>,
    }
}

crate::network! {
    /// 1×8×8 -> 4×4×4 (strided conv) -> 16×2×2 (pixel unshuffle) -> 64 -> one logit.
    struct Disc, acts DiscActs {
        down: Conv2d<1, 4, 8, 8, 4, 2, 1, 4, 4>,
        unshuffle: PixelUnshuffle<4, 4, 4, 2, 16, 2, 2>,
        flat: Flatten<16, 2, 2, 64>,
        fc: Dense<64, 1>,
    }
}

/// Random parameters with weights of variance `1/fan_in`, so activations stay near unit
/// size through the stack and f32 rounding stays well below the finite-difference
/// tolerance.
fn randomize_unit_gain<P: Params>(p: &mut P, seed: u64) {
    randomize(p, seed);
    for i in 0..P::TENSORS {
        if let TensorKind::Weight { fan_in, .. } = p.tensor_kind(i) {
            let scale = 2.0 / libm::sqrtf(fan_in as f32);
            p.tensor_mut(i).iter_mut().for_each(|v| *v *= scale);
        }
    }
}

#[test]
fn generator_and_discriminator_chain() {
    assert_eq!(Gen::LAYERS, 6);
    assert_eq!(Gen::TENSORS, 8);
    let g = Gen::ZERO;
    let mut acts = GenActs::<3>::ZERO;
    g.forward(&[[1.0; 4]; 3], &mut acts);
    assert_eq!(Gen::output(&acts), &[[[[0.0; 8]; 8]]; 3]);
    let mut d = Disc::ZERO;
    d.fc.b = [0.5];
    let mut dacts = DiscActs::<3>::ZERO;
    d.forward(Gen::output(&acts), &mut dacts);
    assert_eq!(Disc::output(&dacts), &[[0.5]; 3]);
}

#[test]
fn generator_backward_matches_finite_differences() {
    let mut g = Gen::ZERO;
    randomize_unit_gain(&mut g, 11);
    check_network::<_, 2>(&mut g, 12);
}

#[test]
fn discriminator_backward_matches_finite_differences() {
    let mut d = Disc::ZERO;
    randomize_unit_gain(&mut d, 13);
    check_network::<_, 2>(&mut d, 14);
}

/// The input-only backward of `N` gives the input gradients of the full one and leaves
/// the scratch parameters at zero (every layer with parameters here skips them).
fn check_backward_input<N: Network + Clone + PartialEq + core::fmt::Debug>(net: &N, seed: u64)
where
    N::Acts<2>: Clone + PartialEq + core::fmt::Debug,
    [N::In; 2]: PartialEq + core::fmt::Debug,
{
    let x = *crate::gradcheck::random_batch::<N::In, 2>(seed);
    let mut acts = N::Acts::<2>::ZERO;
    net.forward(&x, &mut acts);
    let mut full = N::Acts::<2>::ZERO;
    *N::output_mut(&mut full) = *crate::gradcheck::random_batch::<N::Out, 2>(seed + 1);
    let mut input_only = full.clone();
    let (mut dx, mut dx_only) = ([N::In::ZERO; 2], [N::In::ZERO; 2]);
    let (mut grads, mut scratch) = (N::ZERO, N::ZERO);
    net.backward(&x, &acts, &mut full, &mut dx, &mut grads);
    net.backward_input_from(
        N::LAYERS - 1,
        &x,
        &acts,
        &mut input_only,
        &mut dx_only,
        &mut scratch,
    );
    assert_eq!(dx_only, dx);
    assert_eq!(input_only, full);
    assert_eq!(scratch, N::ZERO);
}

#[test]
fn input_only_backward_matches_the_full_one() {
    let (mut g, mut d) = (Gen::ZERO, Disc::ZERO);
    randomize_unit_gain(&mut g, 15);
    randomize_unit_gain(&mut d, 16);
    check_backward_input(&g, 17);
    check_backward_input(&d, 18);
}
