//! Models for the 8×8 digits.
//!
//! G: z ∈ R³² → dense 512 → 32×4×4 → transposed conv (k4, s2, p1) to 16×8×8 → conv (k3,
//! p1) to 1×8×8 → tanh: about 25 k parameters (100 KB as f32, 25 KB as int8). D: 1×8×8 →
//! strided conv (k4, s2, p1) to 32×4×4 → strided conv to 64×2×2 → dense 1 logit, LeakyReLU
//! 0.2 between (DCGAN's rules: strided convolutions, no pooling, arXiv:1511.06434 §3).

use tinygan_core::layers::{
    BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, Dense, Flatten, LeakyRelu, Relu, Tanh,
    Unflatten,
};

/// Latent size.
pub const Z: usize = 32;
/// Training batch.
pub const BATCH: usize = 64;
/// Experience-replay capacity.
pub const REPLAY: usize = 640;

/// One 8×8 grey image, CHW.
pub type Image = [[[f32; 8]; 8]; 1];

tinygan_core::network! {
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

tinygan_core::network! {
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

tinygan_core::network! {
    /// Discriminator: two strided convolutions and a dense logit.
    pub struct DigitsD, acts DigitsDActs {
        c1: Conv2d<1, 32, 8, 8, 4, 2, 1, 4, 4>,
        a1: LeakyRelu<[[[f32; 4]; 4]; 32]>,
        c2: Conv2d<32, 64, 4, 4, 4, 2, 1, 2, 2>,
        a2: LeakyRelu<[[[f32; 2]; 2]; 64]>,
        flat: Flatten<64, 2, 2, 256>,
        out: Dense<256, 1>,
    }
}
