//! The GAN training step: plain functions over a generator, a discriminator, their
//! optimisers and a workspace, the same code on the host and on a device.
//!
//! [`Gan`] holds everything a training step mutates, as values of fixed size, so a whole
//! run can be a `static` on a device or one `Box` on the host; `size_of::<Gan<..>>()` is
//! the RAM bill of training. [`Zero::ZERO`] builds it in place and [`Gan::reset`] readies
//! it there, so it never passes through the stack. [`Run`] adds what a run does around the
//! steps: the learning-rate schedule ([`LrSchedule`]) and the EMA of G's weights.
//!
//! One iteration ([`Gan::iteration`]) is `n_d` D updates ([`Gan::d_step`]) and `n_g` G
//! updates ([`Gan::g_step`]), as [`Balance`] plans them. A D update:
//! 1. draws a real batch and its labels (the caller's closure) and `z ~ N(0, I)` (the first
//!    `reference_rows` rows are the fixed VBN reference `z`);
//! 2. runs G in training mode, copies its output as D's fake batch, replaces a share of it
//!    with replayed past fakes and stores the fresh ones it kept in the replay buffer;
//! 3. adds annealed instance noise to both batches and translates each image by its own
//!    random offset if asked;
//! 4. runs D on the real and the fake batch separately (minibatch layers never mix them),
//!    computes the loss (with one-sided label smoothing) on D's logits (a D with `K > 1`
//!    outputs is semi-supervised: its logit is [`classes`]' log-sum-exp, and the real
//!    batch adds the weighted cross-entropy against its labels), backpropagates both;
//! 5. adds historical averaging's `2λ(θ − θ̄)`, steps the optimiser, clips weights if asked,
//!    and records the new parameters in the history.
//!
//! A G update runs G, then D on the fakes (with noise and translation), takes the adversarial loss (only
//! on the fakes D rates best with top-k training) or feature matching on a D layer, backpropagates through D into G's output and G, adds
//! G's historical-averaging term and steps G's optimiser. That backward pass through D
//! skips D's parameter gradients where the layers allow it
//! ([`Network::backward_input_from`]); D's gradient buffer serves as scratch and is zeroed
//! before every D update.

mod config;
mod run;
mod schedule;

pub use config::{GObjective, StepConfig};
pub use run::{Run, RunConfig};
pub use schedule::LrSchedule;

use crate::gan::{
    Anneal, Balance, History, Replay, Shift, add_noise, classes, feature_matching_flat, keep_top_k,
};
use crate::net::Network;
use crate::optim::Optimizer;
use crate::params;
use crate::rng::{Prng, fill_gaussian};
use crate::tensor::{Tensor, Zero, flat, flat_mut};

/// Losses of one iteration: the last update of each side, `None` for a side the balance
/// rule rested.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepStats {
    /// D's loss (without the historical-averaging term).
    pub d_loss: Option<f32>,
    /// G's loss (adversarial or feature matching).
    pub g_loss: Option<f32>,
}

impl StepStats {
    /// Whether a side that was updated has a NaN or infinite loss.
    pub fn diverged(&self) -> bool {
        [self.d_loss, self.g_loss]
            .iter()
            .any(|l| l.is_some_and(|l| !l.is_finite()))
    }
}

/// Buffers of one training step for a batch of `B`: every activation and gradient.
pub struct Workspace<G: Network, D: Network, const B: usize> {
    /// Latent batch.
    pub z: [G::In; B],
    /// G's intermediates.
    pub g_acts: G::Acts<B>,
    /// Gradients of G's intermediates.
    pub g_dacts: G::Acts<B>,
    /// D's real input batch.
    pub real: [D::In; B],
    /// Class labels of the real batch (used by a semi-supervised D only).
    pub labels: [u8; B],
    /// D's fake input batch.
    pub fake: [D::In; B],
    /// D's intermediates on the real batch.
    pub d_real: D::Acts<B>,
    /// D's intermediates on the fake batch.
    pub d_fake: D::Acts<B>,
    /// Gradients of D's intermediates.
    pub d_dacts: D::Acts<B>,
    /// Gradient w.r.t. D's input.
    pub dx: [D::In; B],
    /// G's parameter gradients.
    pub g_grads: G,
    /// D's parameter gradients.
    pub d_grads: D,
}

impl<G: Network, D: Network, const B: usize> Zero for Workspace<G, D, B> {
    const ZERO: Self = Self {
        z: [G::In::ZERO; B],
        g_acts: G::Acts::<B>::ZERO,
        g_dacts: G::Acts::<B>::ZERO,
        real: [D::In::ZERO; B],
        labels: [0; B],
        fake: [D::In::ZERO; B],
        d_real: D::Acts::<B>::ZERO,
        d_fake: D::Acts::<B>::ZERO,
        d_dacts: D::Acts::<B>::ZERO,
        dx: [D::In::ZERO; B],
        g_grads: G::ZERO,
        d_grads: D::ZERO,
    };
}

/// A GAN in training: both networks, their optimisers and historical averages, the
/// replay buffer of `CAP` past fakes, the PRNG and the step's buffers for a batch of `B`.
pub struct Gan<G, D, OG, OD, HG, HD, const B: usize, const CAP: usize>
where
    G: Network,
    D: Network<In = G::Out>,
{
    /// The generator.
    pub g: G,
    /// The discriminator.
    pub d: D,
    /// G's optimiser.
    pub opt_g: OG,
    /// D's optimiser.
    pub opt_d: OD,
    /// G's historical average.
    pub hist_g: HG,
    /// D's historical average.
    pub hist_d: HD,
    /// Past fakes for experience replay.
    pub replay: Replay<G::Out, CAP>,
    /// Fixed reference `z` for virtual batch norm (first `reference_rows` rows used).
    pub z_ref: [G::In; B],
    /// The step's buffers.
    pub ws: Workspace<G, D, B>,
    /// Techniques and schedule.
    pub config: StepConfig,
    /// Source of `z`, noise and replay choices.
    pub rng: Prng,
    /// D and G updates taken so far (the clock of the noise schedule).
    pub step: u32,
    /// D/G schedule: updates per iteration and the adaptive rule, with its state.
    pub balance: Balance,
}

impl<G, D, OG, OD, HG, HD, const B: usize, const CAP: usize> Zero
    for Gan<G, D, OG, OD, HG, HD, B, CAP>
where
    G: Network,
    D: Network<In = G::Out>,
    OG: Zero,
    OD: Zero,
    HG: Zero,
    HD: Zero,
{
    /// Zero weights, optimiser state and buffers, and placeholder settings: every byte is
    /// zero when the networks', optimisers' and histories' `ZERO`s are (as for
    /// [`AnyOptimizer`](crate::optim::AnyOptimizer) and
    /// [`AnyHistory`](crate::gan::AnyHistory)), so a `static` of it lives in `.bss` and a
    /// heap copy is a zeroed allocation. Not ready to train: initialise the weights and
    /// call [`Gan::reset`].
    const ZERO: Self = Self {
        g: G::ZERO,
        d: D::ZERO,
        opt_g: OG::ZERO,
        opt_d: OD::ZERO,
        hist_g: HG::ZERO,
        hist_d: HD::ZERO,
        replay: Replay::new(),
        z_ref: [G::In::ZERO; B],
        ws: Workspace::ZERO,
        config: StepConfig::UNSET,
        rng: Prng::UNSEEDED,
        step: 0,
        balance: Balance::UNSET,
    };
}

impl<G, D, OG, OD, HG, HD, const B: usize, const CAP: usize> Gan<G, D, OG, OD, HG, HD, B, CAP>
where
    G: Network,
    D: Network<In = G::Out>,
    OG: Optimizer<G>,
    OD: Optimizer<D>,
    HG: History<G>,
    HD: History<D>,
{
    /// A GAN ready to train: empty replay buffer and workspace, PRNG seeded with `seed`, and
    /// the VBN reference `z` drawn first from it (see [`Gan::reset`]; the optimisers and
    /// histories are reset too). Builds the whole value on the stack: for a big model,
    /// start from [`Zero::ZERO`] in place (a `static`, or a zeroed heap value) and call
    /// [`Gan::reset`] instead.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        g: G,
        d: D,
        opt_g: OG,
        opt_d: OD,
        hist_g: HG,
        hist_d: HD,
        config: StepConfig,
        balance: Balance,
        seed: u64,
    ) -> Self {
        let mut gan = Self {
            g,
            d,
            opt_g,
            opt_d,
            hist_g,
            hist_d,
            replay: Replay::new(),
            z_ref: [G::In::ZERO; B],
            ws: Workspace::ZERO,
            config,
            rng: Prng::UNSEEDED,
            step: 0,
            balance: Balance::UNSET,
        };
        gan.reset(config, balance, seed);
        gan
    }

    /// Makes the GAN ready to train, in place, with the weights it holds: optimiser state
    /// zeroed (their hyperparameters kept), historical averages and replay buffer emptied,
    /// `config` and `balance` set, step count 0, PRNG seeded with `seed` and the VBN
    /// reference `z` drawn first from it. The workspace holds no state across steps and is
    /// left as it is.
    pub fn reset(&mut self, config: StepConfig, balance: Balance, seed: u64) {
        self.opt_g.reset();
        self.opt_d.reset();
        self.hist_g.clear();
        self.hist_d.clear();
        self.replay.clear();
        self.config = config;
        self.balance = balance;
        self.step = 0;
        self.rng = Prng::new(seed);
        self.draw_reference();
    }

    /// Draws the fixed VBN reference `z` from the current PRNG state.
    pub fn draw_reference(&mut self) {
        fill_gaussian(&mut self.rng, flat_mut(&mut self.z_ref));
    }

    fn sample_z(&mut self) {
        let ws = &mut self.ws;
        fill_gaussian(&mut self.rng, flat_mut(&mut ws.z));
        let r = self.config.reference_rows.min(B);
        ws.z[..r].copy_from_slice(&self.z_ref[..r]);
    }

    fn sigma(&self) -> f32 {
        self.config
            .noise
            .as_ref()
            .map_or(0.0, |a: &Anneal| a.sigma_at(self.step))
    }

    /// One D update on the real batch (and its labels) that `fill_real` writes. Returns the
    /// GAN loss (without historical averaging and the supervised term).
    pub fn d_step(&mut self, fill_real: &mut impl FnMut(&mut [D::In; B], &mut [u8; B])) -> f32 {
        fill_real(&mut self.ws.real, &mut self.ws.labels);
        self.sample_z();
        let sigma = self.sigma();
        let ws = &mut self.ws;
        self.g.forward_train(&ws.z, &mut ws.g_acts);
        ws.fake = *G::output(&ws.g_acts);
        self.replay
            .mix(&mut self.rng, &mut ws.fake, self.config.replay);
        add_noise(&mut self.rng, &mut ws.real, sigma);
        add_noise(&mut self.rng, &mut ws.fake, sigma);
        if let Some(t) = self.config.translate {
            let mut shifts = [(0, 0); B];
            for batch in [&mut ws.real, &mut ws.fake] {
                t.draw(&mut self.rng, &mut shifts);
                t.apply(batch, &shifts);
            }
        }

        self.d.forward_train(&ws.real, &mut ws.d_real);
        self.d.forward_train(&ws.fake, &mut ws.d_fake);
        let k = <D::Out as Tensor>::LEN;
        let (mut sr, mut sf) = ([0.0f32; B], [0.0f32; B]);
        classes::gan_logits(k, flat(D::output(&ws.d_real)), &mut sr);
        classes::gan_logits(k, flat(D::output(&ws.d_fake)), &mut sf);
        let (mut dr, mut df) = ([0.0f32; B], [0.0f32; B]);
        let loss = self.config.loss.d_loss(&sr, &sf, &mut dr, &mut df);
        params::zero(&mut ws.d_grads);
        let real = (&ws.real, &ws.d_real, &sr, &dr, Some(&ws.labels[..]));
        let fake = (&ws.fake, &ws.d_fake, &sf, &df, None);
        for (batch, acts, logits, grad, labels) in [real, fake] {
            classes::backward(
                k,
                flat(D::output(acts)),
                logits,
                grad,
                labels,
                self.config.supervised,
                flat_mut(D::output_mut(&mut ws.d_dacts)),
            );
            // D's input is data: no input gradient wanted.
            self.d
                .backward_params(batch, acts, &mut ws.d_dacts, &mut ws.d_grads);
        }
        if self.config.history_d > 0.0 {
            self.hist_d
                .add_grad(&self.d, self.config.history_d, &mut ws.d_grads);
        }
        self.opt_d.step(&mut self.d, &ws.d_grads);
        if let Some(c) = self.config.clip_d {
            crate::optim::clip_value(&mut self.d, c);
        }
        if self.config.history_d > 0.0 {
            self.hist_d.push(&self.d);
        }
        self.step = self.step.wrapping_add(1);
        loss
    }

    /// One G update; `fill_real` is called only for feature matching.
    pub fn g_step(&mut self, fill_real: &mut impl FnMut(&mut [D::In; B], &mut [u8; B])) -> f32 {
        self.sample_z();
        let sigma = self.sigma();
        let ws = &mut self.ws;
        self.g.forward_train(&ws.z, &mut ws.g_acts);
        ws.fake = *G::output(&ws.g_acts);
        add_noise(&mut self.rng, &mut ws.fake, sigma);
        let mut shifts: [Shift; B] = [(0, 0); B];
        if let Some(t) = self.config.translate {
            t.draw(&mut self.rng, &mut shifts);
            t.apply(&mut ws.fake, &shifts);
        }
        self.d.forward_train(&ws.fake, &mut ws.d_fake);

        let (loss, layer) = match self.config.g_objective {
            GObjective::Adversarial => {
                let k = <D::Out as Tensor>::LEN;
                let out = flat(D::output(&ws.d_fake));
                let mut scores = [0.0f32; B];
                classes::gan_logits(k, out, &mut scores);
                let mut df = [0.0f32; B];
                let loss = self.config.loss.g_loss(&scores, &mut df);
                if let Some(top_k) = self.config.top_k {
                    keep_top_k(&scores, &mut df, top_k.keep(self.step, B));
                }
                let dout = flat_mut(D::output_mut(&mut ws.d_dacts));
                classes::backward(k, out, &scores, &df, None, 0.0, dout);
                (loss, D::LAYERS - 1)
            }
            GObjective::FeatureMatching { layer } => {
                fill_real(&mut ws.real, &mut ws.labels);
                add_noise(&mut self.rng, &mut ws.real, sigma);
                if let Some(t) = self.config.translate {
                    let mut real_shifts = [(0, 0); B];
                    t.draw(&mut self.rng, &mut real_shifts);
                    t.apply(&mut ws.real, &real_shifts);
                }
                self.d.forward_train(&ws.real, &mut ws.d_real);
                let real = D::layer_output(&ws.d_real, layer);
                let features = real.len() / B;
                let loss = feature_matching_flat(
                    real,
                    D::layer_output(&ws.d_fake, layer),
                    features,
                    D::layer_output_mut(&mut ws.d_dacts, layer),
                );
                (loss, layer)
            }
        };
        // D's parameter gradients are not wanted here: d_grads is only scratch.
        self.d.backward_input_from(
            layer,
            &ws.fake,
            &ws.d_fake,
            &mut ws.d_dacts,
            &mut ws.dx,
            &mut ws.d_grads,
        );
        if let Some(t) = self.config.translate {
            t.adjoint(&mut ws.dx, &shifts);
        }
        params::zero(&mut ws.g_grads);
        *G::output_mut(&mut ws.g_dacts) = ws.dx;
        // G's input is noise: no input gradient wanted.
        self.g
            .backward_params(&ws.z, &ws.g_acts, &mut ws.g_dacts, &mut ws.g_grads);
        if self.config.history_g > 0.0 {
            self.hist_g
                .add_grad(&self.g, self.config.history_g, &mut ws.g_grads);
        }
        self.opt_g.step(&mut self.g, &ws.g_grads);
        if self.config.history_g > 0.0 {
            self.hist_g.push(&self.g);
        }
        self.step = self.step.wrapping_add(1);
        loss
    }

    /// One iteration: the D and G updates that the balance rule plans from the last
    /// losses.
    pub fn iteration(
        &mut self,
        mut fill_real: impl FnMut(&mut [D::In; B], &mut [u8; B]),
    ) -> StepStats {
        let plan = self.balance.plan();
        let mut stats = StepStats {
            d_loss: None,
            g_loss: None,
        };
        for _ in 0..plan.d {
            let l = self.d_step(&mut fill_real);
            self.balance.record_d(l);
            stats.d_loss = Some(l);
        }
        for _ in 0..plan.g {
            let l = self.g_step(&mut fill_real);
            self.balance.record_g(l);
            stats.g_loss = Some(l);
        }
        stats
    }
}

#[cfg(test)]
mod tests;
