//! The host training driver: builds a [`Gan`] from a config and runs it.

use crate::config::{HistoryKind, TrainConfig};
use anyhow::{Result, bail};
use tinygan_core::gan::{Ema, History, Window};
use tinygan_core::optim::AnyOptimizer;
use tinygan_core::rng::Prng;
use tinygan_core::tensor::Tensor;
use tinygan_core::train::{Gan, StepStats};
use tinygan_core::{Network, Params, Zero, init, params};

/// Snapshots in the windowed historical average.
pub const HISTORY_WINDOW: usize = 16;

/// The historical average chosen by the config (off, EMA or window), on the heap.
pub enum AnyHistory<P: Params + Zero> {
    /// No averaging.
    Off,
    /// Exponential moving average.
    Ema(Box<Ema<P>>),
    /// Mean of the last [`HISTORY_WINDOW`] snapshots.
    Window(Box<Window<P, HISTORY_WINDOW>>),
}

impl<P: Params + Zero> AnyHistory<P> {
    /// The average `config` asks for.
    pub fn new(config: &TrainConfig) -> Self {
        match (config.history > 0.0, config.history_kind) {
            (false, _) => Self::Off,
            (true, HistoryKind::Ema) => Self::Ema(Box::new(Ema::new(config.history_beta))),
            (true, HistoryKind::Window) => Self::Window(Box::new(Window::new())),
        }
    }
}

impl<P: Params + Zero> History<P> for AnyHistory<P> {
    fn push(&mut self, theta: &P) {
        match self {
            Self::Off => {}
            Self::Ema(h) => h.push(theta),
            Self::Window(h) => h.push(theta),
        }
    }

    fn add_grad(&self, theta: &P, lambda: f32, grads: &mut P) -> f32 {
        match self {
            Self::Off => 0.0,
            Self::Ema(h) => h.add_grad(theta, lambda, grads),
            Self::Window(h) => h.add_grad(theta, lambda, grads),
        }
    }
}

/// A GAN as the host trains it: run-time optimisers and historical averages.
pub type HostGan<G, D, const B: usize, const CAP: usize> =
    Gan<G, D, AnyOptimizer<G>, AnyOptimizer<D>, AnyHistory<G>, AnyHistory<D>, B, CAP>;

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
    /// The GAN as training left it (G's last weights).
    pub gan: Box<HostGan<G, D, B, CAP>>,
    /// The generator to sample and save: G's weights averaged by the EMA `ema_g` (with the
    /// last weights' buffers), or a copy of the last weights when `ema_g` is 0.
    pub generator: Box<G>,
}

/// Sets the learning rate of whichever optimiser `opt` is.
fn set_lr<P>(opt: &mut AnyOptimizer<P>, lr: f32) {
    match opt {
        AnyOptimizer::Sgd(o) => o.config.lr = lr,
        AnyOptimizer::Adam(o) => o.config.lr = lr,
        AnyOptimizer::RmsProp(o) => o.config.lr = lr,
    }
}

/// A copy of `live` whose trainable tensors are `ema`'s average (buffers stay `live`'s).
fn averaged<G: Params + Zero>(live: &G, ema: &Ema<G>) -> Box<G> {
    let mut g = Box::new(G::ZERO);
    params::copy(&mut *g, live);
    for i in 0..G::TENSORS {
        g.tensor_mut(i).copy_from_slice(ema.average().tensor(i));
    }
    g
}

/// Trains a GAN with `config` on batches from `fill_real`, calling `progress` after each
/// iteration: learning rates follow [`TrainConfig::lr_factor`], and with `ema_g` > 0 an EMA
/// of G's weights is taken after every iteration. Fails on a non-finite loss, naming the
/// iteration.
pub fn train<G, D, const B: usize, const CAP: usize>(
    config: &TrainConfig,
    mut fill_real: impl FnMut(&mut [D::In; B], &mut [u8; B]),
    mut progress: impl FnMut(u32, &StepStats),
) -> Result<Trained<G, D, B, CAP>>
where
    G: Generator,
    D: Discriminator<In = G::Out>,
{
    let mut rng = Prng::new(config.seed);
    let mut g = Box::new(G::ZERO);
    let mut d = Box::new(D::ZERO);
    init_weights(&mut *g, &mut rng, 0.0);
    init_weights(&mut *d, &mut rng, 0.2);
    let mut gan = Box::new(Gan::new(
        *g,
        *d,
        AnyOptimizer::new(config.optimizer(config.lr_g)),
        AnyOptimizer::new(config.optimizer(config.lr_d)),
        AnyHistory::new(config),
        AnyHistory::new(config),
        config.step_config(
            D::FEATURE_LAYER,
            G::REFERENCE_ROWS,
            D::IMAGE,
            <D::Out as Tensor>::LEN,
        )?,
        config.balance(),
        config.seed ^ 0x9E37_79B9,
    ));
    let mut ema = (config.ema_g > 0.0).then(|| Box::new(Ema::<G>::new(config.ema_g)));
    for it in 0..config.steps {
        let f = config.lr_factor(it);
        set_lr(&mut gan.opt_g, config.lr_g * f);
        set_lr(&mut gan.opt_d, config.lr_d * f);
        let stats = gan.iteration(&mut fill_real);
        if stats.diverged() {
            bail!(
                "training diverged at iteration {it}: D loss {:?}, G loss {:?} (try a lower learning rate)",
                stats.d_loss,
                stats.g_loss
            );
        }
        if let Some(ema) = ema.as_mut() {
            ema.push(&gan.g);
        }
        progress(it, &stats);
    }
    let generator = match &ema {
        Some(ema) => averaged(&gan.g, ema),
        None => {
            let mut g = Box::new(G::ZERO);
            params::copy(&mut *g, &gan.g);
            g
        }
    };
    Ok(Trained { gan, generator })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Toy;
    use crate::presets::mixture::{MixD, MixG};

    /// G after training `steps` iterations on ring8 with `config` (on a thread with a big
    /// stack: `Gan::new` builds the whole GAN by value before boxing it).
    fn trained(config: &TrainConfig, steps: u32) -> Box<MixG> {
        let config = TrainConfig {
            steps,
            ..config.clone()
        };
        let run = move || {
            let mut rng = Prng::new(7);
            let fill = move |b: &mut [[f32; 2]; 4], _: &mut [u8; 4]| {
                b.copy_from_slice(&Toy::Ring8.sample_model(&mut rng, 4));
            };
            train::<MixG, MixD, 4, 8>(&config, fill, |_, _| {})
                .unwrap()
                .generator
        };
        std::thread::Builder::new()
            .stack_size(32 << 20)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap()
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
