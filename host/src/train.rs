//! The host training driver: builds a [`Run`] from a config, in place on the heap, and
//! runs it. The run itself (schedule, EMA of G, historical averaging, optimisers) is core's;
//! this module maps the config onto it and reports progress.

use crate::config::TrainConfig;
use crate::heap::boxed_zero;
use anyhow::{Result, bail};
use tinygan_core::gan::AnyHistory;
use tinygan_core::optim::AnyOptimizer;
use tinygan_core::rng::Prng;
use tinygan_core::tensor::Tensor;
use tinygan_core::train::{Run, StepStats};
use tinygan_core::{Network, Params, init};

/// Snapshots in the windowed historical average.
pub const HISTORY_WINDOW: usize = 16;

/// A training run as the host runs it: optimisers and historical averages chosen at run
/// time.
pub type HostRun<G, D, const B: usize, const CAP: usize> = Run<
    G,
    D,
    AnyOptimizer<G>,
    AnyOptimizer<D>,
    AnyHistory<G, HISTORY_WINDOW>,
    AnyHistory<D, HISTORY_WINDOW>,
    B,
    CAP,
>;

/// What a D preset tells the driver.
pub trait Discriminator: Network {
    /// Layer whose output feature matching compares (the last hidden features).
    const FEATURE_LAYER: usize;
    /// D's input as an image, `[C][H][W]` and the background value in model units, for the
    /// translation augmentation; `None` when the input is not an image.
    const IMAGE: Option<Image> = None;
}

/// An image input: channels, height, width and the value of an empty pixel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Image {
    /// Channels.
    pub channels: usize,
    /// Height.
    pub height: usize,
    /// Width.
    pub width: usize,
    /// Background value in model units (what translation fills in).
    pub background: f32,
}

/// What a G preset tells the driver.
pub trait Generator: Network {
    /// Rows of each batch that hold the fixed virtual-batch-norm reference (0 without VBN).
    const REFERENCE_ROWS: usize;
}

/// Initial weights: Kaiming-normal for G (ReLU), Kaiming with slope 0.2 for D (LeakyReLU),
/// biases 0, gains 1, batch-norm running variance 1.
pub fn init_weights<P: Params>(p: &mut P, rng: &mut Prng, slope: f32) {
    init::kaiming_normal(p, rng, slope);
}

/// A finished training run.
pub struct Trained<G, D, const B: usize, const CAP: usize>
where
    G: Generator,
    D: Discriminator<In = G::Out>,
{
    /// The run as training left it (G's last weights).
    pub run: Box<HostRun<G, D, B, CAP>>,
    /// The generator to sample and save: G's weights averaged by the EMA `ema_g` (with the
    /// last weights' buffers), or a copy of the last weights when `ema_g` is 0.
    pub generator: Box<G>,
}

/// Trains a GAN with `config` on batches from `fill_real`, calling `progress` after each
/// iteration: learning rates follow [`TrainConfig::lr_schedule`], and with `ema_g` > 0 an
/// EMA of G's weights is taken after every iteration. The state is built in place on the
/// heap (no big copy on the stack: any thread will do). Fails on a non-finite loss, naming
/// the iteration.
pub fn train<G, D, const B: usize, const CAP: usize>(
    config: &TrainConfig,
    mut fill_real: impl FnMut(&mut [D::In; B], &mut [u8; B]),
    mut progress: impl FnMut(u32, &StepStats),
) -> Result<Trained<G, D, B, CAP>>
where
    G: Generator,
    D: Discriminator<In = G::Out>,
{
    let step = config.step_config(
        D::FEATURE_LAYER,
        G::REFERENCE_ROWS,
        D::IMAGE,
        <D::Out as Tensor>::LEN,
    )?;
    let mut run = boxed_zero::<HostRun<G, D, B, CAP>>();
    let gan = &mut run.gan;
    let mut rng = Prng::new(config.seed);
    init_weights(&mut gan.g, &mut rng, 0.0);
    init_weights(&mut gan.d, &mut rng, 0.2);
    gan.opt_g.configure(config.optimizer(config.lr_g));
    gan.opt_d.configure(config.optimizer(config.lr_d));
    gan.hist_g.choose(config.averaging());
    gan.hist_d.choose(config.averaging());
    run.reset(
        config.run_config(),
        step,
        config.balance(),
        config.seed ^ 0x9E37_79B9,
    );
    for it in 0..config.steps {
        let stats = run.iteration(&mut fill_real);
        if stats.diverged() {
            bail!(
                "training diverged at iteration {it}: D loss {:?}, G loss {:?} (try a lower learning rate)",
                stats.d_loss,
                stats.g_loss
            );
        }
        progress(it, &stats);
    }
    let mut generator = boxed_zero::<G>();
    run.generator_into(&mut generator);
    Ok(Trained { run, generator })
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Toy;
    use crate::presets::mixture::{MixD, MixG};

    /// G after training `steps` iterations on ring8 with `config`.
    fn trained(config: &TrainConfig, steps: u32) -> Box<MixG> {
        let config = TrainConfig {
            steps,
            ..config.clone()
        };
        let mut rng = Prng::new(7);
        let fill = move |b: &mut [[f32; 2]; 4], _: &mut [u8; 4]| {
            b.copy_from_slice(&Toy::Ring8.sample_model(&mut rng, 4));
        };
        train::<MixG, MixD, 4, 8>(&config, fill, |_, _| {})
            .unwrap()
            .generator
    }

    fn tensors(g: &MixG) -> Vec<f32> {
        (0..MixG::TENSORS)
            .flat_map(|i| g.tensor(i).to_vec())
            .collect()
    }

    #[test]
    fn ema_generator_is_the_average_of_the_iterates() {
        let plain = TrainConfig {
            lr_g: 1e-2,
            ..TrainConfig::baseline()
        };
        let g: Vec<Vec<f32>> = (1..=3).map(|k| tensors(&trained(&plain, k))).collect();
        assert_ne!(g[0], g[2]);
        let beta = 0.75;
        let ema = TrainConfig {
            ema_g: beta,
            ..plain.clone()
        };
        let got = tensors(&trained(&ema, 3));
        for (i, &v) in got.iter().enumerate() {
            let want = (g[0][i] * beta + g[1][i] * (1.0 - beta)) * beta + g[2][i] * (1.0 - beta);
            assert!((v - want).abs() < 1e-6, "tensor element {i}: {v} vs {want}");
        }
    }

    #[test]
    fn lr_final_scales_the_last_update() {
        let config = TrainConfig {
            lr_final: 0.0,
            ..TrainConfig::baseline()
        };
        // The second (last) iteration runs at rate 0: nothing moves.
        assert_eq!(tensors(&trained(&config, 2)), tensors(&trained(&config, 1)));
        let constant = TrainConfig::baseline();
        assert_ne!(
            tensors(&trained(&constant, 2)),
            tensors(&trained(&constant, 1))
        );
    }
}
