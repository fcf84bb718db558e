//! The reference models of `tinygan bench step` (the same in `bench/pytorch_step.py`) and
//! their multiply-accumulates (MACs) per sample, weighted layers first to last.
//!
//! A convolution's MACs are `cout·oh·ow·cin·kh·kw`, padding taps included, as the
//! frameworks count them; a transposed convolution's are those of the convolution it is
//! the adjoint of.

use crate::presets::digits;
use tinygan_core::layers::{
    BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, Dense, Flatten, LeakyRelu,
    MinibatchDiscrimination, Relu, Tanh, Unflatten,
};

/// Batch of the PacGAN model.
pub const PACGAN_BATCH: usize = 100;

tinygan_core::network! {
    /// PacGAN's 2-D generator: z ∈ R² → 4 × (400, batch norm, ReLU) → 2.
    pub struct PacganG, acts PacganGActs {
        fc1: Dense<2, 400>,
        bn1: BatchNorm1d<400>,
        a1: Relu<[f32; 400]>,
        fc2: Dense<400, 400>,
        bn2: BatchNorm1d<400>,
        a2: Relu<[f32; 400]>,
        fc3: Dense<400, 400>,
        bn3: BatchNorm1d<400>,
        a3: Relu<[f32; 400]>,
        fc4: Dense<400, 400>,
        bn4: BatchNorm1d<400>,
        a4: Relu<[f32; 400]>,
        out: Dense<400, 2>,
    }
}

tinygan_core::network! {
    /// PacGAN's 2-D discriminator: 2 → 3 × (200, ReLU) → 1 logit.
    pub struct PacganD, acts PacganDActs {
        fc1: Dense<2, 200>,
        a1: Relu<[f32; 200]>,
        fc2: Dense<200, 200>,
        a2: Relu<[f32; 200]>,
        fc3: Dense<200, 200>,
        a3: Relu<[f32; 200]>,
        out: Dense<200, 1>,
    }
}

/// MACs per sample of the weighted layers of PacGAN's G, first layer first.
pub const PACGAN_G_MACS: &[usize] = &[2 * 400, 400 * 400, 400 * 400, 400 * 400, 400 * 2];
/// MACs per sample of the weighted layers of PacGAN's D.
pub const PACGAN_D_MACS: &[usize] = &[2 * 200, 200 * 200, 200 * 200, 200];
/// MACs per sample of [`digits::DigitsGBn`]: dense, transposed conv (adjoint of a 16→32, 8×8→4×4,
/// k4 convolution), conv 16→1 k3 on 8×8.
pub const DIGITS_G_MACS: &[usize] = &[digits::Z * 512, 32 * 4 * 4 * 16 * 4 * 4, 8 * 8 * 16 * 3 * 3];
/// MACs per sample of [`digits::DigitsDMbd`]: conv 1→32 to 4×4, conv 32→64 to 2×2, the
/// projection 256 → 16×8 of minibatch discrimination (its pairwise distances and
/// exponentials are not MACs and not counted), dense 272→1.
pub const DIGITS_D_MACS: &[usize] = &[32 * 4 * 4 * 16, 64 * 2 * 2 * 32 * 16, 256 * 16 * 8, 272];

/// Batch of the digits models.
pub const DIGITS_BATCH: usize = digits::BATCH;
/// Latent size of the small digits model.
pub const SMALL_Z: usize = 16;
/// Minibatch-discrimination kernels and kernel dimension of the small digits model.
const SMALL_MBD: (usize, usize) = (16, 8);

tinygan_core::network! {
    /// The small digits generator, half the preset's width (7,009 trainable parameters,
    /// 28 KB as f32): z ∈ R¹⁶ → dense 256 (batch norm, ReLU) → 16×4×4 → transposed conv (k4, s2, p1) to 8×8×8 (batch norm, ReLU) → conv
    /// (k3, p1) to 1×8×8 → tanh.
    pub struct SmallG, acts SmallGActs {
        fc: Dense<SMALL_Z, 256>,
        bn1: BatchNorm1d<256>,
        a1: Relu<[f32; 256]>,
        unflat: Unflatten<16, 4, 4, 256>,
        up: ConvTranspose2d<16, 8, 4, 4, 4, 2, 1, 8, 8>,
        bn2: BatchNorm2d<8, 8, 8>,
        a2: Relu<[[[f32; 8]; 8]; 8]>,
        conv: Conv2d<8, 1, 8, 8, 3, 1, 1, 8, 8>,
        tanh: Tanh<digits::Image>,
    }
}

tinygan_core::network! {
    /// The small digits discriminator: 1×8×8 → strided conv (k4, s2, p1) to 16×4×4 →
    /// strided conv to 32×2×2 (LeakyReLU 0.2 after each) → flatten 128 → minibatch
    /// discrimination (16 kernels of 8) → dense 1 logit.
    pub struct SmallD, acts SmallDActs {
        c1: Conv2d<1, 16, 8, 8, 4, 2, 1, 4, 4>,
        a1: LeakyRelu<[[[f32; 4]; 4]; 16]>,
        c2: Conv2d<16, 32, 4, 4, 4, 2, 1, 2, 2>,
        a2: LeakyRelu<[[[f32; 2]; 2]; 32]>,
        flat: Flatten<32, 2, 2, 128>,
        mbd: MinibatchDiscrimination<128, { SMALL_MBD.0 }, { SMALL_MBD.1 }, { 128 + SMALL_MBD.0 }>,
        out: Dense<{ 128 + SMALL_MBD.0 }, 1>,
    }
}

/// MACs per sample of [`SmallG`]: dense, transposed conv (adjoint of an 8→16, 8×8→4×4,
/// k4 convolution), conv 8→1 k3 on 8×8.
pub const SMALL_G_MACS: &[usize] = &[SMALL_Z * 256, 16 * 4 * 4 * 8 * 4 * 4, 8 * 8 * 8 * 3 * 3];
/// MACs per sample of [`SmallD`]: conv 1→16 to 4×4, conv 16→32 to 2×2, the projection
/// 128 → 16×8 of minibatch discrimination, dense 144→1.
pub const SMALL_D_MACS: &[usize] = &[16 * 4 * 4 * 16, 32 * 2 * 2 * 16 * 16, 128 * 16 * 8, 144];

#[cfg(test)]
mod tests {
    use super::*;
    use tinygan_core::{Network, Zero};

    /// Lengths of every trainable tensor of `n`, in order.
    fn lengths<N: Network>(n: &N) -> Vec<usize> {
        (0..N::TENSORS).map(|i| n.tensor(i).len()).collect()
    }

    /// The MAC counts follow from the weight tensors: a dense layer's MACs are its
    /// weights, a convolution's its weights times its output plane (the input plane for
    /// the transposed one).
    #[test]
    fn small_model_macs_match_the_weights() {
        let g = lengths(&SmallG::ZERO);
        // fc w, b; bn1 γ, β; up w, b; bn2 γ, β; conv w, b.
        assert_eq!(g.len(), 10);
        assert_eq!(g.iter().sum::<usize>(), 7009);
        assert_eq!(SMALL_G_MACS, &[g[0], g[4] * 4 * 4, g[8] * 8 * 8]);
        let d = lengths(&SmallD::ZERO);
        // c1 w, b; c2 w, b; mbd T; out w, b.
        assert_eq!(d.len(), 7);
        assert_eq!(SMALL_D_MACS, &[d[0] * 4 * 4, d[2] * 2 * 2, d[4], d[5]]);
    }

    #[test]
    fn preset_digits_macs_match_the_weights() {
        let g = lengths(&digits::DigitsGBn::ZERO);
        assert_eq!(DIGITS_G_MACS, &[g[0], g[4] * 4 * 4, g[8] * 8 * 8]);
        let d = lengths(&digits::DigitsDMbd::ZERO);
        assert_eq!(DIGITS_D_MACS, &[d[0] * 4 * 4, d[2] * 2 * 2, d[4], d[5]]);
    }
}
