//! `tinygan bench step`: one GAN training step (a D update and a G update, forward,
//! backward and Adam) for three reference models, against PyTorch in the same run.
//!
//! Models ([`super::models`], the same in `bench/pytorch_step.py`):
//! - PacGAN's 2-D model (Lin et al. 2018, arXiv:1712.04086, §5.1): G `z ∈ R² → 4 × (400,
//!   batch norm, ReLU) → 2`, D `2 → 3 × (200, ReLU) → 1`, batch 100;
//! - the digits model of [`crate::presets::digits`]: G [`DigitsGBn`] (dense, transposed
//!   conv, conv, batch norm), D [`DigitsDMbd`]: the preset's [`DigitsD`] (two strided
//!   convs, dense) with minibatch discrimination (K = 16 kernels of D = 8) before the
//!   logit, batch 64;
//! - `digits-small`: [`SmallG`] and [`SmallD`], the same structure at half the width
//!   (about a seventh of the FLOPs), batch 64: a model of the size where PyTorch's step
//!   is mostly framework overhead.
//!
//! Both sides use Adam (lr 2·10⁻⁴, β = (0.5, 0.999)) and the non-saturating BCE loss
//! ([`StepConfig::BASELINE`]), real batches cycled from a fixed pool.
//!
//! # FLOPs
//!
//! Counted analytically from the multiply-accumulates (MACs) per sample of the dense and
//! convolution layers (see [`super::models`]): 2 FLOPs per MAC forward, 2 for the input gradient
//! and 2 for the parameter gradient. Batch norm, activations, loss and Adam are not
//! counted (they are linear in the activations or parameters, not in the MACs). The step
//! counts only the work a step needs, which is what the PyTorch script computes:
//! - D update: G forward; D forward, input and parameter gradients on the real and the
//!   fake batch, except the input gradient of D's first layer;
//! - G update: G forward; D forward and input gradients (no D parameter gradients); G's
//!   input and parameter gradients, except the input gradient of G's first layer.
//!
//! tinygan's trainer skips the same work: D's parameter gradients in the G update
//! ([`Network::backward_input_from`]) and the first layers' input gradients of D in the D
//! update and of G in the G update ([`Network::backward_params`]).
//!
//! # Method
//!
//! Each model is timed in `reps` repetitions of `steps` steps after a warm-up, half of the
//! repetitions before the PyTorch run and half after, and the median is reported. PyTorch
//! runs single-threaded (`--threads 1`) and reports its own median.

use super::models::*;
use super::{median, rates};
use crate::heap::boxed_zero;
use crate::presets::digits::{DigitsD, DigitsDMbd, DigitsGBn};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::process::Command;
use tinygan_core::gan::Balance;
use tinygan_core::init;
use tinygan_core::optim::{AdamConfig, AnyOptimizer, OptimizerConfig};
use tinygan_core::rng::{Prng, fill_gaussian};
use tinygan_core::tensor::flat_mut;
use tinygan_core::train::{Gan, StepConfig};
use tinygan_core::{Network, Tensor};

/// FLOPs of one step (a D update and a G update) at batch `batch`; see the module docs.
pub fn step_flops(g: &[usize], d: &[usize], batch: usize) -> f64 {
    let sum = |m: &[usize]| m.iter().sum::<usize>();
    let (g_fwd, d_fwd) = (sum(g), sum(d));
    let first = |m: &[usize]| m.first().copied().unwrap_or(0);
    let d_update = g_fwd + 2 * (d_fwd + (d_fwd - first(d)) + d_fwd);
    let g_update = g_fwd + 2 * d_fwd + (g_fwd - first(g)) + g_fwd;
    2.0 * (batch * (d_update + g_update)) as f64
}

/// The PyTorch command-line arguments and our figures for one model.
struct Model {
    name: &'static str,
    flops: f64,
    /// Steps per second, one entry per repetition.
    rates: Vec<f64>,
}

/// A GAN as the benchmark trains it: Adam on both sides (chosen at run time, so that the
/// GAN is built in place), nothing else (the replay buffer needs one slot but is never
/// used).
type BenchGan<G, D, const B: usize> = Gan<G, D, AnyOptimizer<G>, AnyOptimizer<D>, (), (), B, 1>;

/// A freshly initialised GAN (Kaiming weights, seeded), built in place on the heap.
fn new_gan<G, D, const B: usize>() -> Box<BenchGan<G, D, B>>
where
    G: Network,
    D: Network<In = G::Out, Out = [f32; 1]>,
{
    let mut gan = boxed_zero::<BenchGan<G, D, B>>();
    let mut rng = Prng::new(1);
    init::kaiming_normal(&mut gan.g, &mut rng, 0.0);
    init::kaiming_normal(&mut gan.d, &mut rng, 0.0);
    let adam = OptimizerConfig::Adam(AdamConfig::DCGAN);
    gan.opt_g.configure(adam);
    gan.opt_d.configure(adam);
    gan.reset(StepConfig::BASELINE, Balance::fixed(1, 1), 2);
    gan
}

/// Eight real batches of Gaussian noise, handed out in turn.
fn real_pool<T: Tensor, const B: usize>() -> impl FnMut(&mut [T; B], &mut [u8; B]) {
    let mut rng = Prng::new(3);
    let pool: Vec<Box<[T; B]>> = (0..8)
        .map(|_| {
            let mut b = boxed_zero::<[T; B]>();
            fill_gaussian(&mut rng, flat_mut(&mut *b));
            b
        })
        .collect();
    let mut i = 0;
    move |batch: &mut [T; B], _: &mut [u8; B]| {
        *batch = *pool[i % pool.len()];
        i += 1;
    }
}

/// Steps per second of `reps` repetitions of `steps` training steps (after `steps / 5`
/// warm-up steps), or of D updates alone if `d_only`.
fn time_steps<G, D, const B: usize>(steps: usize, reps: usize, d_only: bool) -> Vec<f64>
where
    G: Network,
    D: Network<In = G::Out, Out = [f32; 1]>,
{
    let mut gan = new_gan::<G, D, B>();
    let mut real = real_pool::<D::In, B>();
    let mut step = || {
        gan.d_step(&mut real);
        if !d_only {
            gan.g_step(&mut real);
        }
    };
    rates(1, steps / 5 + 1, &mut step);
    rates(reps, steps, step)
}

/// Ours for the three models, `reps` repetitions of `steps` steps.
fn ours(steps: usize, reps: usize) -> [Vec<f64>; 3] {
    [
        time_steps::<PacganG, PacganD, PACGAN_BATCH>(steps, reps, false),
        time_steps::<DigitsGBn, DigitsDMbd, DIGITS_BATCH>(steps, reps, false),
        time_steps::<SmallG, SmallD, DIGITS_BATCH>(steps, reps, false),
    ]
}

/// What `bench/pytorch_step.py --json` reports.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct TorchRun {
    /// PyTorch version.
    pub torch: String,
    /// Vector extension PyTorch dispatched to (e.g. AVX512).
    pub capability: String,
    /// Median steps per second.
    pub steps_per_s: f64,
    /// D updates per second without minibatch discrimination and with it (fused and
    /// materialised); digits only.
    #[serde(default)]
    pub d_steps_per_s: Option<std::collections::BTreeMap<String, f64>>,
}

/// Runs the PyTorch script for `model`; `Err` says why it could not.
fn torch(model: &str, steps: usize, reps: usize) -> Result<TorchRun> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/pytorch_step.py");
    let out = Command::new("python3")
        .args([
            script,
            "--model",
            model,
            "--threads",
            "1",
            "--json",
            "--mbd",
            "fused",
        ])
        .args(["--steps", &steps.to_string(), "--reps", &reps.to_string()])
        .output()
        .context("could not run python3")?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        bail!("{}", err.lines().last().unwrap_or("python3 failed"));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).with_context(|| format!("unexpected output: {last}"))
}

/// One model's row of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// Model name.
    pub model: String,
    /// FLOPs of one step (see the module docs).
    pub flops_per_step: f64,
    /// Our median steps per second.
    pub ours_steps_per_s: f64,
    /// Our steps per second, every repetition.
    pub ours_reps: Vec<f64>,
    /// PyTorch's run, or why there is none.
    pub torch: Result<TorchRun, String>,
}

impl Row {
    /// Our steps/s over PyTorch's.
    pub fn ratio(&self) -> Option<f64> {
        self.torch
            .as_ref()
            .ok()
            .map(|t| self.ours_steps_per_s / t.steps_per_s)
    }
}

/// The whole report of `tinygan bench step`.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Steps per repetition.
    pub steps: usize,
    /// Repetitions (ours: before and after PyTorch).
    pub reps: usize,
    /// One row per model.
    pub rows: Vec<Row>,
    /// Our D updates per second for the digits model, without minibatch discrimination.
    pub ours_digits_d_steps_per_s: f64,
    /// The same with minibatch discrimination.
    pub ours_digits_d_mbd_steps_per_s: f64,
}

/// Runs the benchmark: ours, PyTorch, ours again, for both models.
pub fn run(steps: usize, reps: usize) -> Report {
    let before = ours(steps, reps.div_ceil(2));
    let models = [
        Model {
            name: "pacgan",
            flops: step_flops(PACGAN_G_MACS, PACGAN_D_MACS, PACGAN_BATCH),
            rates: vec![],
        },
        Model {
            name: "digits",
            flops: step_flops(DIGITS_G_MACS, DIGITS_D_MACS, DIGITS_BATCH),
            rates: vec![],
        },
        Model {
            name: "digits-small",
            flops: step_flops(SMALL_G_MACS, SMALL_D_MACS, DIGITS_BATCH),
            rates: vec![],
        },
    ];
    let torch: Vec<_> = models
        .iter()
        .map(|m| torch(m.name, steps, reps).map_err(|e| format!("{e:#}")))
        .collect();
    let after = ours(steps, reps / 2);
    let d_only = time_steps::<DigitsGBn, DigitsD, DIGITS_BATCH>(steps, reps, true);
    let d_mbd = time_steps::<DigitsGBn, DigitsDMbd, DIGITS_BATCH>(steps, reps, true);
    let rows = models
        .into_iter()
        .zip(before.into_iter().zip(after))
        .zip(torch)
        .map(|((mut m, (b, a)), torch)| {
            m.rates = [b, a].concat();
            Row {
                model: m.name.into(),
                flops_per_step: m.flops,
                ours_steps_per_s: median(&m.rates),
                ours_reps: m.rates,
                torch,
            }
        })
        .collect();
    Report {
        steps,
        reps,
        rows,
        ours_digits_d_steps_per_s: median(&d_only),
        ours_digits_d_mbd_steps_per_s: median(&d_mbd),
    }
}

/// The report as a table.
pub fn table(r: &Report) -> String {
    let mut s = format!(
        "{:<12} {:>10} {:>12} {:>13} {:>7} {:>11} {:>12}\n",
        "model", "MFLOP/step", "ours step/s", "torch step/s", "ratio", "ours GF/s", "torch GF/s"
    );
    for row in &r.rows {
        let gf = |rate: f64| rate * row.flops_per_step * 1e-9;
        let (t, tg, ratio) = match &row.torch {
            Ok(t) => (
                format!("{:.1}", t.steps_per_s),
                format!("{:.1}", gf(t.steps_per_s)),
                format!("{:.2}", row.ours_steps_per_s / t.steps_per_s),
            ),
            Err(_) => ("-".into(), "-".into(), "-".into()),
        };
        s += &format!(
            "{:<12} {:>10.1} {:>12.1} {:>13} {:>7} {:>11.1} {:>12}\n",
            row.model,
            row.flops_per_step * 1e-6,
            row.ours_steps_per_s,
            t,
            ratio,
            gf(row.ours_steps_per_s),
            tg
        );
    }
    s += &format!(
        "digits: ours D update with MBD / without: {:.2}× the time ({:.1}/s, {:.1}/s)\n",
        r.ours_digits_d_steps_per_s / r.ours_digits_d_mbd_steps_per_s,
        r.ours_digits_d_mbd_steps_per_s,
        r.ours_digits_d_steps_per_s
    );
    for row in &r.rows {
        match &row.torch {
            Err(e) => s += &format!("{}: PyTorch not measured: {e}\n", row.model),
            Ok(t) => {
                if let Some(d) = &t.d_steps_per_s {
                    let base = d.get("none").copied().unwrap_or(f64::NAN);
                    for (k, v) in d.iter().filter(|(k, _)| *k != "none") {
                        s += &format!(
                            "{}: PyTorch D update with MBD ({k}) / without: {:.2}× the time\n",
                            row.model,
                            base / v
                        );
                    }
                }
            }
        }
    }
    if let Some(Ok(t)) = r.rows.first().map(|r| &r.torch) {
        s += &format!("PyTorch {} ({}), 1 thread\n", t.torch, t.capability);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One dense layer each side, by hand: D update `g + 2·(d + 0 + d)`, G update
    /// `g + 2·d + 0 + g` MACs per sample (first layers have no input gradient).
    #[test]
    fn flops_by_hand() {
        let (g, d) = (10, 3);
        assert_eq!(
            step_flops(&[g], &[d], 2),
            2.0 * 2.0 * ((g + 4 * d) + (2 * g + 2 * d)) as f64
        );
    }

    #[test]
    fn pacgan_models_have_the_sizes_of_the_paper() {
        use tinygan_core::{Params, Zero};
        let count = |p: &dyn Fn(usize) -> usize, n: usize| (0..n).map(p).sum::<usize>();
        let g = PacganG::ZERO;
        let d = PacganD::ZERO;
        let macs_g: usize = count(&|i| g.tensor(i).len(), PacganG::TENSORS);
        // Weights + biases + BN gains and offsets.
        let dense = PACGAN_G_MACS.iter().sum::<usize>() + 4 * 400 + 2;
        assert_eq!(macs_g, dense + 4 * 2 * 400);
        let macs_d: usize = count(&|i| d.tensor(i).len(), PacganD::TENSORS);
        assert_eq!(macs_d, PACGAN_D_MACS.iter().sum::<usize>() + 3 * 200 + 1);
    }

    /// A few steps run and stay finite (the timing path, tiny).
    #[test]
    fn timing_runs() {
        let r = time_steps::<PacganG, PacganD, 4>(2, 1, false);
        assert_eq!(r.len(), 1);
        assert!(r[0] > 0.0);
    }
}
