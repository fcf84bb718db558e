//! The host training driver: builds a [`Gan`] from a config and runs it.

use crate::config::{HistoryKind, TrainConfig};
use anyhow::{Result, bail};
use tinygan_core::gan::{Ema, History, Window};
use tinygan_core::init;
use tinygan_core::optim::AnyOptimizer;
use tinygan_core::rng::Prng;
use tinygan_core::train::{Gan, StepStats};
use tinygan_core::{Network, Params, Zero};

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

/// Trains a GAN with `config` on batches from `fill_real`, calling `progress` after each
/// iteration. Fails on a non-finite loss, naming the iteration.
pub fn train<G, D, const B: usize, const CAP: usize>(
    config: &TrainConfig,
    mut fill_real: impl FnMut(&mut [D::In; B]),
    mut progress: impl FnMut(u32, &StepStats),
) -> Result<Box<HostGan<G, D, B, CAP>>>
where
    G: Generator,
    D: Discriminator<In = G::Out, Out = [f32; 1]>,
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
        config.step_config(D::FEATURE_LAYER, G::REFERENCE_ROWS),
        config.balance(),
        config.seed ^ 0x9E37_79B9,
    ));
    let mut g_ema = (config.g_ema > 0.0).then(|| Box::new(Ema::<G>::new(config.g_ema)));
    for it in 0..config.steps {
        let stats = gan.iteration(&mut fill_real);
        if let Some(avg) = &mut g_ema {
            avg.push(&gan.g);
        }
        if stats.diverged() {
            bail!(
                "training diverged at iteration {it}: D loss {:?}, G loss {:?} (try a lower learning rate)",
                stats.d_loss,
                stats.g_loss
            );
        }
        progress(it, &stats);
    }
    if let Some(avg) = &g_ema {
        for i in 0..G::TENSORS {
            gan.g.tensor_mut(i).copy_from_slice(avg.average().tensor(i));
        }
    }
    Ok(gan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::mixture::{BATCH, MixD, MixG, REPLAY};

    fn trained_g(steps: u32, g_ema: f32) -> MixG {
        let config = TrainConfig {
            steps,
            g_ema,
            ..TrainConfig::baseline()
        };
        let fill = |b: &mut [[f32; 2]; BATCH]| {
            for (i, p) in b.iter_mut().enumerate() {
                *p = [(i % 3) as f32 * 0.5 - 0.5, 0.25];
            }
        };
        // Building the GAN passes through the stack (see `run::run`).
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || {
                train::<MixG, MixD, BATCH, REPLAY>(&config, fill, |_, _| {})
                    .unwrap()
                    .g
            })
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn g_ema_saves_the_average_of_the_iterates() {
        let (first, second) = (trained_g(1, 0.0), trained_g(2, 0.0));
        let avg = trained_g(2, 0.5);
        for i in 0..MixG::TENSORS {
            for ((&a, &t1), &t2) in avg
                .tensor(i)
                .iter()
                .zip(first.tensor(i))
                .zip(second.tensor(i))
            {
                assert!(
                    (a - (0.5 * t1 + 0.5 * t2)).abs() < 1e-6,
                    "tensor {i}: {a} vs {t1}, {t2}"
                );
            }
        }
        assert_ne!(avg.tensor(0), second.tensor(0));
    }
}
