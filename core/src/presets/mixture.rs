//! Generators for the 2-D mixtures (ring8, grid25).
//!
//! Sized for the boards: about 34 k parameters (136 KB as f32, well inside an STM32F405's
//! 1 MB flash; about 34 KB as int8 for a Cortex-M0's 256 KB), and a batch-of-one forward
//! pass needs under 2 KB of activations.

use crate::layers::{BatchNorm1d, Dense, Relu, Tanh, VirtualBatchNorm1d};

/// Latent size.
pub const Z: usize = 8;
/// Hidden width of G.
pub const G_WIDTH: usize = 128;
/// Reference rows of each G batch for virtual batch norm.
pub const REFERENCE: usize = 25;

crate::network! {
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

crate::network! {
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

crate::network! {
    /// Generator with virtual batch norm after each hidden layer (reference: the first
    /// [`REFERENCE`] rows of each batch).
    pub struct MixGVbn, acts MixGVbnActs {
        fc1: Dense<Z, G_WIDTH>,
        bn1: VirtualBatchNorm1d<G_WIDTH, REFERENCE>,
        a1: Relu<[f32; G_WIDTH]>,
        fc2: Dense<G_WIDTH, G_WIDTH>,
        bn2: VirtualBatchNorm1d<G_WIDTH, REFERENCE>,
        a2: Relu<[f32; G_WIDTH]>,
        fc3: Dense<G_WIDTH, G_WIDTH>,
        bn3: VirtualBatchNorm1d<G_WIDTH, REFERENCE>,
        a3: Relu<[f32; G_WIDTH]>,
        out: Dense<G_WIDTH, 2>,
        tanh: Tanh<[f32; 2]>,
    }
}
