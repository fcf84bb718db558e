//! Models for the 2-D mixtures (ring8, grid25).
//!
//! Sized for the boards: the generator has about 34 k parameters (136 KB as f32, well
//! inside an STM32F405's 1 MB flash; about 34 KB as int8 for a Cortex-M0's 256 KB), and a
//! batch-of-one forward pass needs under 2 KB of activations. D is at least as wide as G
//! (the capacity rule).

use tinygan_core::layers::{BatchNorm1d, Dense, LeakyRelu, Relu, Tanh};

/// Latent size.
pub const Z: usize = 8;
/// Hidden width of G.
pub const G_WIDTH: usize = 128;
/// Hidden width of D.
pub const D_WIDTH: usize = 128;
/// Training batch.
pub const BATCH: usize = 100;
/// Experience-replay capacity (past fakes).
pub const REPLAY: usize = 1000;

tinygan_core::network! {
    /// Generator: z ∈ R⁸ → 3 × (128, ReLU) → 2, tanh.
    pub struct MixG, acts MixGActs {
        fc1: Dense<Z, G_WIDTH>,
        a1: Relu<[f32; G_WIDTH]>,
        fc2: Dense<G_WIDTH, G_WIDTH>,
        a2: Relu<[f32; G_WIDTH]>,
        fc3: Dense<G_WIDTH, G_WIDTH>,
        a3: Relu<[f32; G_WIDTH]>,
        out: Dense<G_WIDTH, 2>,
        tanh: Tanh<[f32; 2]>,
    }
}

tinygan_core::network! {
    /// Generator with batch norm after each hidden layer (DCGAN's rule, arXiv:1511.06434 §3).
    pub struct MixGBn, acts MixGBnActs {
        fc1: Dense<Z, G_WIDTH>,
        bn1: BatchNorm1d<G_WIDTH>,
        a1: Relu<[f32; G_WIDTH]>,
        fc2: Dense<G_WIDTH, G_WIDTH>,
        bn2: BatchNorm1d<G_WIDTH>,
        a2: Relu<[f32; G_WIDTH]>,
        fc3: Dense<G_WIDTH, G_WIDTH>,
        bn3: BatchNorm1d<G_WIDTH>,
        a3: Relu<[f32; G_WIDTH]>,
        out: Dense<G_WIDTH, 2>,
        tanh: Tanh<[f32; 2]>,
    }
}

tinygan_core::network! {
    /// Discriminator: 2 → 2 × (128, LeakyReLU 0.2) → 1 logit.
    pub struct MixD, acts MixDActs {
        fc1: Dense<2, D_WIDTH>,
        a1: LeakyRelu<[f32; D_WIDTH]>,
        fc2: Dense<D_WIDTH, D_WIDTH>,
        a2: LeakyRelu<[f32; D_WIDTH]>,
        out: Dense<D_WIDTH, 1>,
    }
}
