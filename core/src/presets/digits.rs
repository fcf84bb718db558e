//! Generators for the 8×8 digits.
//!
//! z ∈ R³² → dense 512 → 32×4×4 → transposed conv (k4, s2, p1) to 16×8×8 → conv (k3, p1)
//! to 1×8×8 → tanh: about 25 k parameters (100 KB as f32, 25 KB as int8).

use crate::layers::{
    BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, Dense, Relu, Tanh, Unflatten,
    VirtualBatchNorm1d, VirtualBatchNorm2d,
};

/// Latent size.
pub const Z: usize = 32;
/// Reference rows of each G batch for virtual batch norm.
pub const REFERENCE: usize = 16;

/// One 8×8 grey image, CHW.
pub type Image = [[[f32; 8]; 8]; 1];

crate::network! {
    /// Generator without normalisation.
    pub struct DigitsG, acts DigitsGActs {
        fc: Dense<Z, 512>,
        a1: Relu<[f32; 512]>,
        unflat: Unflatten<32, 4, 4, 512>,
        up: ConvTranspose2d<32, 16, 4, 4, 4, 2, 1, 8, 8>,
        a2: Relu<[[[f32; 8]; 8]; 16]>,
        conv: Conv2d<16, 1, 8, 8, 3, 1, 1, 8, 8>,
        tanh: Tanh<Image>,
    }
}

crate::network! {
    /// Generator with batch norm after the dense and the transposed conv.
    pub struct DigitsGBn, acts DigitsGBnActs {
        fc: Dense<Z, 512>,
        bn1: BatchNorm1d<512>,
        a1: Relu<[f32; 512]>,
        unflat: Unflatten<32, 4, 4, 512>,
        up: ConvTranspose2d<32, 16, 4, 4, 4, 2, 1, 8, 8>,
        bn2: BatchNorm2d<16, 8, 8>,
        a2: Relu<[[[f32; 8]; 8]; 16]>,
        conv: Conv2d<16, 1, 8, 8, 3, 1, 1, 8, 8>,
        tanh: Tanh<Image>,
    }
}

crate::network! {
    /// Generator with virtual batch norm after the dense and the transposed conv.
    pub struct DigitsGVbn, acts DigitsGVbnActs {
        fc: Dense<Z, 512>,
        bn1: VirtualBatchNorm1d<512, REFERENCE>,
        a1: Relu<[f32; 512]>,
        unflat: Unflatten<32, 4, 4, 512>,
        up: ConvTranspose2d<32, 16, 4, 4, 4, 2, 1, 8, 8>,
        bn2: VirtualBatchNorm2d<16, 8, 8, REFERENCE>,
        a2: Relu<[[[f32; 8]; 8]; 16]>,
        conv: Conv2d<16, 1, 8, 8, 3, 1, 1, 8, 8>,
        tanh: Tanh<Image>,
    }
}

crate::network! {
    /// Wide generator: the plain one with twice the channels (64×4×4 after the dense,
    /// 32×8×8 after the transposed conv).
    pub struct DigitsGWide, acts DigitsGWideActs {
        fc: Dense<Z, 1024>,
        a1: Relu<[f32; 1024]>,
        unflat: Unflatten<64, 4, 4, 1024>,
        up: ConvTranspose2d<64, 32, 4, 4, 4, 2, 1, 8, 8>,
        a2: Relu<[[[f32; 8]; 8]; 32]>,
        conv: Conv2d<32, 1, 8, 8, 3, 1, 1, 8, 8>,
        tanh: Tanh<Image>,
    }
}
