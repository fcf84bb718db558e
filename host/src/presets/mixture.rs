//! Models for the 2-D mixtures (ring8, grid25): the generators (from
//! [`tinygan_core::presets::mixture`], shared with the firmware), the discriminators and
//! the default config. D is at least as wide as G (the capacity rule).

use crate::config::{DiscArch, TrainConfig};
use crate::data::Toy;
use crate::train::{Discriminator, Generator};
use tinygan_core::layers::{Dense, LeakyRelu, MinibatchDiscrimination, Pack};
pub use tinygan_core::presets::mixture::*;

/// Hidden width of D.
pub const D_WIDTH: usize = 128;
/// Hidden width of the wide Ds (`discriminator = "wide"` / `"pack2wide"`): twice G's.
pub const WIDE_D_WIDTH: usize = 2 * D_WIDTH;
/// Training batch.
pub const BATCH: usize = 100;
/// Experience-replay capacity (past fakes).
pub const REPLAY: usize = 1000;
/// Minibatch-discrimination kernels (`B` in the paper).
pub const MBD_KERNELS: usize = 16;
/// Minibatch-discrimination kernel dimension (`C` in the paper).
pub const MBD_DIM: usize = 8;
/// Samples per pack of the packing discriminator (PacGAN4, the published grid25 bar).
pub const PACK: usize = 4;
/// Instance-noise σ₀ of the ring8 default config, in model units.
pub const NOISE: f32 = 0.05;
/// Iterations over which the ring8 default instance noise anneals to 0.
pub const NOISE_ANNEAL: u32 = 10_000;

/// Declares `$name`, a discriminator of 2-D samples: `2` inputs → 2 × (`$w`, LeakyReLU
/// 0.2) → 1 logit. With `pack M`, D rates each sample together with the next `M − 1` of
/// its batch, cyclically (PacGAN, arXiv:1712.04086), on `2·M` inputs. Its feature layer is
/// the second LeakyReLU.
macro_rules! dense_discriminator {
    ($name:ident, $acts:ident, $w:expr, $(pack $m:expr,)? $doc:literal) => {
        tinygan_core::network! {
            #[doc = $doc]
            pub struct $name, acts $acts {
                $(pack: Pack<2, { $m }, { 2 * $m }>,)?
                fc1: Dense<{ 2 $(* $m)? }, { $w }>,
                a1: LeakyRelu<[f32; $w]>,
                fc2: Dense<{ $w }, { $w }>,
                a2: LeakyRelu<[f32; $w]>,
                out: Dense<{ $w }, 1>,
            }
        }
        impl Discriminator for $name {
            /// The second LeakyReLU: the last hidden features (of packs, with packing).
            const FEATURE_LAYER: usize = 3 $(+ ($m > 0) as usize)?;
        }
    };
}

dense_discriminator!(
    MixD,
    MixDActs,
    D_WIDTH,
    "Discriminator: 2 → 2 × (128, LeakyReLU 0.2) → 1 logit."
);
dense_discriminator!(
    MixDWide,
    MixDWideActs,
    WIDE_D_WIDTH,
    "Discriminator twice as wide: 2 → 2 × (256, LeakyReLU 0.2) → 1 logit."
);

tinygan_core::network! {
    /// Discriminator with minibatch discrimination (16 kernels of dimension 8) before the
    /// logit.
    pub struct MixDMbd, acts MixDMbdActs {
        fc1: Dense<2, D_WIDTH>,
        a1: LeakyRelu<[f32; D_WIDTH]>,
        fc2: Dense<D_WIDTH, D_WIDTH>,
        a2: LeakyRelu<[f32; D_WIDTH]>,
        mbd: MinibatchDiscrimination<D_WIDTH, MBD_KERNELS, MBD_DIM, { D_WIDTH + MBD_KERNELS }>,
        out: Dense<{ D_WIDTH + MBD_KERNELS }, 1>,
    }
}

dense_discriminator!(
    MixDPack,
    MixDPackActs,
    D_WIDTH,
    pack PACK,
    "Packing discriminator of [`PACK`] samples (PacGAN4): 8 inputs → 2 × (128, LeakyReLU 0.2) → 1."
);
dense_discriminator!(
    MixDPack2,
    MixDPack2Acts,
    D_WIDTH,
    pack 2,
    "Packing discriminator of pairs (PacGAN2): 4 inputs → 2 × (128, LeakyReLU 0.2) → 1."
);
dense_discriminator!(
    MixDPack2Wide,
    MixDPack2WideActs,
    WIDE_D_WIDTH,
    pack 2,
    "Packing discriminator of pairs, twice as wide: 4 inputs → 2 × (256, LeakyReLU 0.2) → 1."
);

// What the training driver needs to know of each preset.
impl Generator for MixG {
    const REFERENCE_ROWS: usize = 0;
}
impl Generator for MixGBn {
    const REFERENCE_ROWS: usize = 0;
}
impl Generator for MixGVbn {
    const REFERENCE_ROWS: usize = REFERENCE;
}
impl Discriminator for MixDMbd {
    /// The second LeakyReLU: the last hidden features.
    const FEATURE_LAYER: usize = 3;
}

/// The default config for the 2-D mixtures: the best combination of techniques found
/// (docs/RESULTS.md, "2-D mixtures: default training").
///
/// The plain GAN at the DCGAN setting (Adam 2·10⁻⁴, β₁ 0.5) for a few thousand iterations
/// spreads its samples almost uniformly. What made G sharp was a ten times higher learning
/// rate decayed linearly to 2 % of itself, many more iterations, and sampling an EMA
/// (β 0.999) of G's weights. What made it keep every mode was packing: D rates each sample
/// together with the next ones of its batch (PacGAN, Lin et al. 2018, arXiv:1712.04086).
///
/// - ring8: packs of four ([`MixDPack`]), experience replay (half of each fake batch),
///   30,000 iterations and instance noise on D's inputs, `N(0, σ²)` on real and fake alike
///   with σ annealed linearly from [`NOISE`] (model units; ring8's modes are 0.61 apart)
///   to 0 over the first [`NOISE_ANNEAL`] iterations (Sønderby et al. 2016,
///   arXiv:1610.04490; Arjovsky & Bottou 2017, arXiv:1701.04862 §4): 8/8 modes in each of
///   10 seeds at 97.8 % HQ or more.
/// - grid25: pairs judged by a D twice as wide as G ([`MixDPack2Wide`]) for 80,000
///   iterations. Packs of four kept all 25 modes but left a fifth of the samples on the
///   lines between modes (78 % HQ); pairs with the 128-wide D are sharper (93 %) but lost
///   modes in two seeds of ten; the wider D and the longer run give 24.9 modes, 96.1 % HQ
///   and reverse KL 0.023 (means over 10 seeds).
///
/// Batch norm in G, minibatch discrimination, LSGAN and hinge losses did not help.
pub fn config(toy: Toy) -> TrainConfig {
    let base = TrainConfig {
        lr_g: 2e-3,
        lr_d: 2e-3,
        lr_final: 0.02,
        ema_g: 0.999,
        ..TrainConfig::baseline()
    };
    match toy {
        Toy::Ring8 => TrainConfig {
            discriminator: DiscArch::Pack,
            steps: 30_000,
            replay: 0.5,
            instance_noise: NOISE,
            noise_anneal: NOISE_ANNEAL,
            ..base
        },
        Toy::Grid25 => TrainConfig {
            discriminator: DiscArch::Pack2Wide,
            steps: 80_000,
            ..base
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinygan_core::rng::{Prng, fill_gaussian};
    use tinygan_core::tensor::flat_mut;
    use tinygan_core::{Network, Zero, init};

    /// D's logits for `x`, then again with sample `changed` moved.
    fn logits<D: Network<In = [f32; 2], Out = [f32; 1]>>(changed: usize) -> [[f32; 8]; 2] {
        let mut rng = Prng::new(5);
        let mut d = Box::new(D::ZERO);
        init::kaiming_normal(&mut *d, &mut rng, 0.2);
        let mut x = [[0.0f32; 2]; 8];
        fill_gaussian(&mut rng, flat_mut(&mut x));
        let mut out = [[0.0; 8]; 2];
        for (k, o) in out.iter_mut().enumerate() {
            let mut acts = Box::new(D::Acts::<8>::ZERO);
            x[changed][0] += k as f32;
            d.forward(&x, &mut acts);
            *o = D::output(&acts).map(|l| l[0]);
        }
        out
    }

    /// A packing D rates each sample together with the next `M − 1` (cyclically): moving
    /// sample 4 changes the logits of samples 1 to 4 and no other with packs of four, of
    /// samples 3 and 4 with pairs (of either width); the plain D's only of sample 4.
    #[test]
    fn packing_discriminator_rates_sets_of_samples() {
        let changed =
            |[a, b]: [[f32; 8]; 2]| -> Vec<usize> { (0..8).filter(|&i| a[i] != b[i]).collect() };
        assert_eq!(changed(logits::<MixDPack>(4)), vec![1, 2, 3, 4]);
        assert_eq!(changed(logits::<MixDPack2>(4)), vec![3, 4]);
        assert_eq!(changed(logits::<MixDPack2Wide>(4)), vec![3, 4]);
        assert_eq!(changed(logits::<MixD>(4)), vec![4]);
    }
}
