//! Models for the 8×8 digits: the generators (from [`tinygan_core::presets::digits`],
//! shared with the firmware), the discriminators and the default config. D: 1×8×8 →
//! strided conv (k4, s2, p1) to 32×4×4 → strided conv to 64×2×2 → dense 1 logit, LeakyReLU
//! 0.2 between (DCGAN's rules: strided convolutions, no pooling, arXiv:1511.06434 §3); the
//! semi-supervised D (the default) ends in 10 class logits instead.

use crate::config::{DiscArch, TrainConfig};
use crate::train::{Discriminator, Generator, Image as InputImage};
use tinygan_core::layers::{Conv2d, Dense, Flatten, LeakyRelu, MinibatchDiscrimination};
pub use tinygan_core::presets::digits::*;

/// Training batch.
pub const BATCH: usize = 64;
/// Experience-replay capacity.
pub const REPLAY: usize = 640;
/// Digit classes (outputs of the semi-supervised D).
pub const CLASSES: usize = 10;
/// Minibatch-discrimination kernels.
pub const MBD_KERNELS: usize = 16;
/// Minibatch-discrimination kernel dimension.
pub const MBD_DIM: usize = 8;

/// D's input: one grey 8×8 image, background (data 0) at −1 in model units.
const DIGIT: InputImage = InputImage {
    channels: 1,
    height: 8,
    width: 8,
    background: -1.0,
};

/// A digits discriminator with `$c1` and `$c2` channels and `$out` logits: 1×8×8 → strided
/// conv (k4, s2, p1) to `$c1`×4×4 → strided conv to `$c2`×2×2 (LeakyReLU 0.2 after each) →
/// flatten → dense `$out`. Its feature-matching layer is the second LeakyReLU.
macro_rules! conv_discriminator {
    ($name:ident, $acts:ident, $c1:literal, $c2:literal, $out:expr, $doc:literal) => {
        tinygan_core::network! {
            #[doc = $doc]
            pub struct $name, acts $acts {
                c1: Conv2d<1, $c1, 8, 8, 4, 2, 1, 4, 4>,
                a1: LeakyRelu<[[[f32; 4]; 4]; $c1]>,
                c2: Conv2d<$c1, $c2, 4, 4, 4, 2, 1, 2, 2>,
                a2: LeakyRelu<[[[f32; 2]; 2]; $c2]>,
                flat: Flatten<$c2, 2, 2, { 4 * $c2 }>,
                out: Dense<{ 4 * $c2 }, { $out }>,
            }
        }
        impl Discriminator for $name {
            /// The second LeakyReLU: the last hidden features.
            const FEATURE_LAYER: usize = 3;
            const IMAGE: Option<InputImage> = Some(DIGIT);
        }
    };
}

conv_discriminator!(
    DigitsD,
    DigitsDActs,
    32,
    64,
    1,
    "Discriminator: two strided convolutions (32, 64 channels) and a dense logit."
);
conv_discriminator!(
    DigitsDClasses,
    DigitsDClassesActs,
    32,
    64,
    CLASSES,
    "Semi-supervised discriminator: the plain layers with one logit per digit class (Salimans et al. 2016, §5; its GAN logit is their log-sum-exp)."
);
conv_discriminator!(
    DigitsDWide,
    DigitsDWideActs,
    64,
    128,
    1,
    "Wide discriminator: the plain one with twice the channels (64×4×4, then 128×2×2)."
);

tinygan_core::network! {
    /// Discriminator with minibatch discrimination before the logit.
    pub struct DigitsDMbd, acts DigitsDMbdActs {
        c1: Conv2d<1, 32, 8, 8, 4, 2, 1, 4, 4>,
        a1: LeakyRelu<[[[f32; 4]; 4]; 32]>,
        c2: Conv2d<32, 64, 4, 4, 4, 2, 1, 2, 2>,
        a2: LeakyRelu<[[[f32; 2]; 2]; 64]>,
        flat: Flatten<64, 2, 2, 256>,
        mbd: MinibatchDiscrimination<256, MBD_KERNELS, MBD_DIM, { 256 + MBD_KERNELS }>,
        out: Dense<{ 256 + MBD_KERNELS }, 1>,
    }
}

// What the training driver needs to know of each preset.
impl Generator for DigitsG {
    const REFERENCE_ROWS: usize = 0;
}
impl Generator for DigitsGBn {
    const REFERENCE_ROWS: usize = 0;
}
impl Generator for DigitsGVbn {
    const REFERENCE_ROWS: usize = REFERENCE;
}
impl Generator for DigitsGWide {
    const REFERENCE_ROWS: usize = 0;
}
impl Discriminator for DigitsDMbd {
    /// The second LeakyReLU: the last hidden features.
    const FEATURE_LAYER: usize = 3;
    const IMAGE: Option<InputImage> = Some(DIGIT);
}

/// The default config for digits: the best combination of techniques found (docs/RESULTS.md,
/// "Digits: default training", its second round and "Semi-supervised D"): the plain G, the
/// semi-supervised D ([`DigitsDClasses`], its cross-entropy on the real digits' labels
/// weighted 0.5), non-saturating BCE, Adam with G's learning rate twenty times D's (4e-3
/// against 2e-4) decaying linearly to half at the last of 6,000 iterations, instance noise
/// σ = 0.1 annealed to 0 over the run, and G sampled from an EMA of its weights with decay
/// 0.99 (an average over about the last 100 iterations).
pub fn config() -> TrainConfig {
    TrainConfig {
        steps: 6000,
        discriminator: DiscArch::Classes,
        supervised: 0.5,
        instance_noise: 0.1,
        lr_g: 4e-3,
        lr_d: 2e-4,
        ema_g: 0.99,
        lr_final: 0.5,
        ..TrainConfig::baseline()
    }
}
