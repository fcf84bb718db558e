//! A training run around the step: the learning-rate schedule and the EMA of G's weights.

use super::{Gan, LrSchedule, StepConfig, StepStats};
use crate::gan::{Balance, Ema, History};
use crate::net::Network;
use crate::optim::Optimizer;
use crate::params;
use crate::tensor::Zero;

/// What a run does around the steps: base learning rates, their schedule, and the EMA of
/// G's weights.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunConfig {
    /// G's learning rate before the schedule's factor.
    pub lr_g: f32,
    /// D's learning rate before the schedule's factor.
    pub lr_d: f32,
    /// The factor per iteration.
    pub schedule: LrSchedule,
    /// Decay `β` of the EMA of G's weights, `θ̄ ← βθ̄ + (1 − β)θ` after every iteration
    /// (Yazici et al. 2018, "The Unusual Effectiveness of Averaging in GAN Training",
    /// arXiv:1806.04498, §3); `None` for none.
    pub ema_g: Option<f32>,
}

/// A training run: the [`Gan`], the iteration count, and the EMA of G's weights. Like
/// [`Gan`], it is built in place from [`Zero::ZERO`] (every byte zero with the run-time
/// optimisers and histories) and readied by [`Run::reset`].
pub struct Run<G, D, OG, OD, HG, HD, const B: usize, const CAP: usize>
where
    G: Network,
    D: Network<In = G::Out>,
{
    /// The GAN in training (G's last weights).
    pub gan: Gan<G, D, OG, OD, HG, HD, B, CAP>,
    /// Rates, schedule and EMA decay.
    pub config: RunConfig,
    ema: Ema<G>,
    iteration: u32,
}

impl<G, D, OG, OD, HG, HD, const B: usize, const CAP: usize> Zero
    for Run<G, D, OG, OD, HG, HD, B, CAP>
where
    G: Network,
    D: Network<In = G::Out>,
    Gan<G, D, OG, OD, HG, HD, B, CAP>: Zero,
{
    /// [`Gan::ZERO`], rates 0, no EMA: every byte zero when the GAN's are.
    const ZERO: Self = Self {
        gan: Gan::ZERO,
        config: RunConfig {
            lr_g: 0.0,
            lr_d: 0.0,
            schedule: LrSchedule {
                steps: 0,
                lr_final: 0.0,
                warmup: 0,
            },
            ema_g: None,
        },
        ema: Ema::ZERO,
        iteration: 0,
    };
}

impl<G, D, OG, OD, HG, HD, const B: usize, const CAP: usize> Run<G, D, OG, OD, HG, HD, B, CAP>
where
    G: Network,
    D: Network<In = G::Out>,
    OG: Optimizer<G>,
    OD: Optimizer<D>,
    HG: History<G>,
    HD: History<D>,
{
    /// Readies the run in place with the weights the GAN holds: [`Gan::reset`] with
    /// `step`, `balance` and `seed`, then `config`, an empty EMA and iteration 0. Panics if
    /// the EMA decay is outside `[0, 1)`.
    pub fn reset(&mut self, config: RunConfig, step: StepConfig, balance: Balance, seed: u64) {
        self.gan.reset(step, balance, seed);
        self.config = config;
        self.ema.restart(config.ema_g.unwrap_or(0.0));
        self.iteration = 0;
    }

    /// Iterations taken since [`Run::reset`].
    pub fn iterations(&self) -> u32 {
        self.iteration
    }

    /// One iteration ([`Gan::iteration`]) at the scheduled rates `lr · factor(it)`, then
    /// the EMA of G's weights takes the new weights.
    pub fn iteration(&mut self, fill_real: impl FnMut(&mut [D::In; B], &mut [u8; B])) -> StepStats {
        let c = self.config;
        let f = c.schedule.factor(self.iteration);
        self.gan.opt_g.set_lr(c.lr_g * f);
        self.gan.opt_d.set_lr(c.lr_d * f);
        let stats = self.gan.iteration(fill_real);
        if c.ema_g.is_some() {
            self.ema.push(&self.gan.g);
        }
        self.iteration = self.iteration.saturating_add(1);
        stats
    }

    /// Writes the generator to sample and save into `out`: G's last weights, with the
    /// trainable tensors replaced by their EMA when the run keeps one (buffers, such as
    /// batch-norm statistics, stay the last weights').
    pub fn generator_into(&self, out: &mut G) {
        params::copy(out, &self.gan.g);
        if self.config.ema_g.is_some() {
            for i in 0..G::TENSORS {
                out.tensor_mut(i)
                    .copy_from_slice(self.ema.average().tensor(i));
            }
        }
    }
}
