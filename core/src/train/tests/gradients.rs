//! The gradients a training step computes, against values written down from the formulas
//! in the docs: each loss with its label smoothing, historical averaging, top-k, feature
//! matching and the semi-supervised head. The probe networks are affine, so every
//! gradient is a short sum over the batch.

use super::probe::*;
use crate::gan::{Ema, History, Loss, Smoothing, TopK};
use crate::layers::Dense;
use crate::net::Network;
use crate::tensor::Zero;
use crate::train::{GObjective, StepConfig};
use std::{boxed::Box, format, vec::Vec};

const N: usize = 16;

/// Every loss, BCE and minimax with and without smoothing.
const LOSSES: [Loss; 8] = [
    Loss::Bce {
        smoothing: Smoothing::NONE,
    },
    Loss::BCE_SMOOTHED,
    Loss::Bce {
        smoothing: Smoothing::one_sided(0.7),
    },
    Loss::Minimax {
        smoothing: Smoothing::one_sided(0.8),
    },
    Loss::LSGAN_CHI2,
    Loss::LSGAN_01,
    Loss::Hinge,
    Loss::Wasserstein,
];

/// `∂/∂x` of D's per-sample loss on a real output `x` (docs of [`Loss`]): BCE
/// `softplus(x) − α·x` gives `σ(x) − α` (one-sided smoothing: only here), LSGAN `x − b`,
/// hinge `−[x < 1]`, Wasserstein `−1`.
fn d_real(loss: Loss, x: f64) -> f64 {
    match loss {
        Loss::Bce { smoothing } | Loss::Minimax { smoothing } => {
            sigmoid(x) - f64::from(smoothing.real_target())
        }
        Loss::Lsgan { b, .. } => x - f64::from(b),
        Loss::Hinge => -f64::from(u8::from(x < 1.0)),
        Loss::Wasserstein => -1.0,
    }
}

/// `∂/∂x` of D's per-sample loss on a fake output: BCE `σ(x)` (target 0 whatever the
/// smoothing), LSGAN `x − a`, hinge `[x > −1]`, Wasserstein `1`.
fn d_fake(loss: Loss, x: f64) -> f64 {
    match loss {
        Loss::Bce { .. } | Loss::Minimax { .. } => sigmoid(x),
        Loss::Lsgan { a, .. } => x - f64::from(a),
        Loss::Hinge => f64::from(u8::from(x > -1.0)),
        Loss::Wasserstein => 1.0,
    }
}

/// `∂/∂x` of G's per-sample loss: non-saturating `softplus(−x)` gives `σ(x) − 1` (target 1,
/// never the smoothed one), minimax `−softplus(x)` gives `−σ(x)`, LSGAN `x − c`, hinge and
/// Wasserstein `−1`.
fn g_fake(loss: Loss, x: f64) -> f64 {
    match loss {
        Loss::Bce { .. } => sigmoid(x) - 1.0,
        Loss::Minimax { .. } => -sigmoid(x),
        Loss::Lsgan { c, .. } => x - f64::from(c),
        Loss::Hinge | Loss::Wasserstein => -1.0,
    }
}

/// D is `x ↦ 1.5x − 0.5`, G the identity.
const D_W: f32 = 1.5;
const D_B: f32 = -0.5;

fn affine_gan(config: StepConfig) -> Box<Probe<Lin1, Lin1, (), (), N>> {
    probe(lin(1.0, 0.0), lin(D_W, D_B), (), (), config)
}

/// D's output on each sample of `batch`, checked against the affine map, with the sample.
fn outputs<'a>(batch: &'a [[f32; 1]; N], acts: &'a Lin1Acts<N>) -> Vec<(f64, f64)> {
    batch
        .iter()
        .zip(Lin1::output(acts))
        .map(|(x, out)| {
            let want = f64::from(D_W) * f64::from(x[0]) + f64::from(D_B);
            assert_close(out[0], want, "D's output on the batch it was fed");
            (f64::from(x[0]), want)
        })
        .collect()
}

/// D's gradient is the sum of the real batch's and the fake batch's loss derivatives, each
/// `/B`, times `∂out/∂(w, b) = (x, 1)`: real targets smoothed, fake targets not.
#[test]
fn d_gradient_is_each_loss_on_its_own_batch() {
    for loss in LOSSES {
        let mut gan = affine_gan(StepConfig {
            loss,
            ..StepConfig::BASELINE
        });
        gan.d_step(&mut normal::<N>(0.5, 1.0, 3));
        let ws = &gan.ws;
        let (mut gw, mut gb) = (0.0, 0.0);
        let real = outputs(&ws.real, &ws.d_real)
            .into_iter()
            .map(|(x, o)| (x, d_real(loss, o)));
        let fake = outputs(&ws.fake, &ws.d_fake)
            .into_iter()
            .map(|(x, o)| (x, d_fake(loss, o)));
        for (x, dl) in real.chain(fake) {
            gw += dl / N as f64 * x;
            gb += dl / N as f64;
        }
        assert_close(ws.d_grads.fc.w[0][0], gw, &format!("{loss:?}: ∂/∂w"));
        assert_close(ws.d_grads.fc.b[0], gb, &format!("{loss:?}: ∂/∂b"));
    }
}

/// G's gradient: `∂L/∂x_i = g'(out_i)/B · 1.5` through D, times `∂x/∂(w, b) = (z, 1)`.
#[test]
fn g_gradient_is_each_loss_through_d() {
    for loss in LOSSES {
        let mut gan = affine_gan(StepConfig {
            loss,
            ..StepConfig::BASELINE
        });
        gan.g_step(&mut unused);
        let ws = &gan.ws;
        let (mut gw, mut gb) = (0.0, 0.0);
        let fakes = outputs(Lin1::output(&ws.g_acts), &ws.d_fake);
        for ((_, out), z) in fakes.into_iter().zip(&ws.z) {
            let dx = g_fake(loss, out) / N as f64 * f64::from(D_W);
            gw += dx * f64::from(z[0]);
            gb += dx;
        }
        assert_close(ws.g_grads.fc.w[0][0], gw, &format!("{loss:?}: ∂/∂w"));
        assert_close(ws.g_grads.fc.b[0], gb, &format!("{loss:?}: ∂/∂b"));
    }
}

/// With `θ̄` set before the update, each network's gradient is the plain one plus
/// `2λ(θ − θ̄)`: D (`λ = 0.25`) `θ = (1.5, −0.5)`, `θ̄ = (2, 1)` adds `(−0.25, −0.75)`; G
/// (`λ = 0.5`) `θ = (1, 0)`, `θ̄ = (0.5, 0.25)` adds `(0.5, −0.25)`. After its update each history
/// holds `½θ̄ + ½θ_new` (EMA, β = ½): the new parameters are recorded.
#[test]
fn historical_averaging_adds_two_lambda_theta_minus_average_to_both_gradients() {
    let make = |history_d: f32, history_g: f32| {
        let config = StepConfig {
            history_d,
            history_g,
            ..StepConfig::BASELINE
        };
        let (g, d) = (lin(1.0, 0.0), lin(D_W, D_B));
        let mut gan = probe::<_, _, _, _, N>(g, d, Ema::new(0.5), Ema::new(0.5), config);
        gan.opt_d.config.lr = 0.1;
        gan.opt_g.config.lr = 0.1;
        gan.hist_d.push(&lin(2.0, 1.0));
        gan.hist_g.push(&lin(0.5, 0.25));
        gan
    };
    let (mut plain, mut averaged) = (make(0.0, 0.0), make(0.25, 0.5));
    plain.d_step(&mut normal::<N>(0.5, 1.0, 3));
    averaged.d_step(&mut normal::<N>(0.5, 1.0, 3));
    let (p, a) = (&plain.ws, &averaged.ws);
    let bar_d = averaged.hist_d.average();
    assert_history(
        "D",
        &p.d_grads,
        &a.d_grads,
        (-0.25, -0.75),
        &averaged.d,
        (2.0, 1.0),
        bar_d,
    );

    // G's update at the same D in both runs.
    plain.d = lin(D_W, D_B);
    averaged.d = lin(D_W, D_B);
    plain.g_step(&mut unused);
    averaged.g_step(&mut unused);
    let (p, a) = (&plain.ws, &averaged.ws);
    let bar_g = averaged.hist_g.average();
    assert_history(
        "G",
        &p.g_grads,
        &a.g_grads,
        (0.5, -0.25),
        &averaged.g,
        (0.5, 0.25),
        bar_g,
    );
}

/// Asserts that `averaged − plain` gradients are `added` and that the average holds
/// `½·old + ½·new` for the network's new parameters (EMA, β = ½).
fn assert_history(
    what: &str,
    plain: &Lin1,
    averaged: &Lin1,
    added: (f32, f32),
    new: &Lin1,
    old: (f64, f64),
    average: &Lin1,
) {
    let dw = averaged.fc.w[0][0] - plain.fc.w[0][0];
    let db = averaged.fc.b[0] - plain.fc.b[0];
    assert_close(dw, f64::from(added.0), &format!("{what}: 2λ(w − w̄)"));
    assert_close(db, f64::from(added.1), &format!("{what}: 2λ(b − b̄)"));
    let want_w = 0.5 * old.0 + 0.5 * f64::from(new.fc.w[0][0]);
    let want_b = 0.5 * old.1 + 0.5 * f64::from(new.fc.b[0]);
    assert_close(average.fc.w[0][0], want_w, &format!("{what}: w̄"));
    assert_close(average.fc.b[0], want_b, &format!("{what}: b̄"));
}

/// Top-k keeps `k = ⌈share·16⌉` fakes: share 0.25 gives 4; at step 4 of 8 with floor 0.5
/// the share is `1 − 0.5·4/8 = 0.75`, 12; past the schedule 0.5, 8; share 1 keeps all 16.
/// The kept fakes are those D rates most real, each with `(σ(s) − 1)/k` (the batch mean
/// over the kept ones); every other fake gets exactly 0.
#[test]
fn top_k_zeroes_the_gradient_of_the_fakes_d_rates_worst() {
    let cases = [
        (TopK::linear(0.25, 0), 0, 4),
        (TopK::linear(0.5, 8), 4, 12),
        (TopK::linear(0.5, 8), 100, 8),
        (TopK::linear(1.0, 8), 3, 16),
    ];
    for (top_k, step, keep) in cases {
        let config = StepConfig {
            top_k: Some(top_k),
            ..StepConfig::BASELINE
        };
        // D the identity: its score of a fake is the fake, and ∂s/∂x = 1.
        let mut gan = probe::<_, _, (), (), N>(lin(1.0, 0.0), lin(1.0, 0.0), (), (), config);
        gan.step = step;
        gan.g_step(&mut unused);
        let ws = &gan.ws;
        let scores: Vec<f32> = Lin1::output(&ws.d_fake).iter().map(|s| s[0]).collect();
        let mut ranked = scores.clone();
        ranked.sort_by(|a, b| b.total_cmp(a));
        let cut = ranked[keep - 1];
        for (s, dx) in scores.iter().zip(&ws.dx) {
            let want = if *s >= cut {
                (sigmoid(f64::from(*s)) - 1.0) / keep as f64
            } else {
                0.0
            };
            assert_close(dx[0], want, &format!("k = {keep}, score {s}"));
        }
        assert_eq!(ws.dx.iter().filter(|d| d[0] != 0.0).count(), keep);
    }
}

/// Feature matching on layer 1 of `fc1 → LeakyReLU → fc2`: the features are
/// `h_k(x) = lrelu(a_k x + c_k)`, the loss `Σ_k (mean h_k(fake) − mean h_k(real))²`, and
/// `∂L/∂x_j = Σ_k 2(mean h_k(fake) − mean h_k(real))/B · h_k'(x_j)` with
/// `h_k' = a_k` (or `0.2·a_k` below the kink). Layer 0 (before the LeakyReLU) or 2 (the
/// logit) gives other values.
#[test]
fn feature_matching_matches_the_means_of_the_configured_layer() {
    let (a, c) = ([1.0, -1.0, 0.5, -0.5], [0.0, 0.5, -1.0, 1.0]);
    let mut d = Fm3::ZERO;
    d.fc1 = Dense {
        w: a.map(|a| [a]),
        b: c,
    };
    d.fc2 = Dense {
        w: [[0.3, -0.2, 0.7, 0.1]],
        b: [0.05],
    };
    let config = StepConfig {
        g_objective: GObjective::FeatureMatching { layer: 1 },
        ..StepConfig::BASELINE
    };
    let mut gan = probe::<_, _, (), (), N>(lin(1.0, 0.0), d, (), (), config);
    let loss = gan.g_step(&mut normal::<N>(2.0, 0.5, 5));
    let ws = &gan.ws;
    let pre = |k: usize, x: f32| f64::from(a[k]) * f64::from(x) + f64::from(c[k]);
    let h = |k: usize, x: f32| pre(k, x) * if pre(k, x) > 0.0 { 1.0 } else { 0.2 };
    let slope = |k: usize, x: f32| f64::from(a[k]) * if pre(k, x) > 0.0 { 1.0 } else { 0.2 };
    let mean = |k: usize, b: &[[f32; 1]; N]| b.iter().map(|x| h(k, x[0])).sum::<f64>() / N as f64;
    let fakes = Lin1::output(&ws.g_acts);
    let diff: Vec<f64> = (0..4).map(|k| mean(k, fakes) - mean(k, &ws.real)).collect();
    assert_close(loss, diff.iter().map(|d| d * d).sum(), "the loss");
    let (mut gw, mut gb) = (0.0, 0.0);
    for (x, z) in fakes.iter().zip(&ws.z) {
        let dx: f64 = (0..4)
            .map(|k| 2.0 * diff[k] / N as f64 * slope(k, x[0]))
            .sum();
        gw += dx * f64::from(z[0]);
        gb += dx;
    }
    assert_close(ws.g_grads.fc.w[0][0], gw, "∂/∂w");
    assert_close(ws.g_grads.fc.b[0], gb, "∂/∂b");
}

/// The semi-supervised head (docs of [`classes`](crate::gan::classes)): logits
/// `l = (x, −0.5x + 0.2)`, GAN logit `s = ln Σ eˡ`, `p = softmax(l)`. D's gradient on
/// logit `k` is `∂L/∂s · p_k`, plus `(λ/B)(p_k − [k = y])` on the labelled real batch
/// only; G's is `(σ(s) − 1)/B · p_k` with no supervised term.
#[test]
fn supervised_head_adds_the_cross_entropy_on_real_labels_only() {
    let (w, b) = ([1.0f32, -0.5], [0.0f32, 0.2]);
    let d = Class2 {
        fc: Dense {
            w: w.map(|w| [w]),
            b,
        },
    };
    for lambda in [0.0, 0.5] {
        let config = StepConfig {
            supervised: lambda,
            ..StepConfig::BASELINE
        };
        let mut gan = probe::<_, _, (), (), N>(lin(1.0, 0.0), d.clone(), (), (), config);
        let head = |x: f32| {
            let l = [0, 1].map(|k| f64::from(w[k]) * f64::from(x) + f64::from(b[k]));
            let s = libm::log(libm::exp(l[0]) + libm::exp(l[1]));
            (s, l.map(|l| libm::exp(l - s)))
        };
        gan.d_step(&mut normal::<N>(0.5, 1.0, 3));
        let ws = &gan.ws;
        let (mut gw, mut gb) = ([0.0; 2], [0.0; 2]);
        let real = ws.real.iter().zip(ws.labels.map(Some));
        for (x, y) in real.chain(ws.fake.iter().zip([None; N])) {
            let (s, p) = head(x[0]);
            let ds = match y {
                Some(_) => sigmoid(s) - 1.0,
                None => sigmoid(s),
            } / N as f64;
            for k in 0..2 {
                let ce = y.map_or(0.0, |y| p[k] - f64::from(u8::from(usize::from(y) == k)));
                let dl = ds * p[k] + f64::from(lambda) / N as f64 * ce;
                gw[k] += dl * f64::from(x[0]);
                gb[k] += dl;
            }
        }
        for k in 0..2 {
            assert_close(
                ws.d_grads.fc.w[k][0],
                gw[k],
                &format!("λ {lambda}: D ∂/∂w{k}"),
            );
            assert_close(ws.d_grads.fc.b[k], gb[k], &format!("λ {lambda}: D ∂/∂b{k}"));
        }

        gan.g_step(&mut unused);
        let ws = &gan.ws;
        let (mut gw, mut gb) = (0.0, 0.0);
        for (x, z) in Lin1::output(&ws.g_acts).iter().zip(&ws.z) {
            let (s, p) = head(x[0]);
            let ds = (sigmoid(s) - 1.0) / N as f64;
            let dx: f64 = (0..2).map(|k| ds * p[k] * f64::from(w[k])).sum();
            gw += dx * f64::from(z[0]);
            gb += dx;
        }
        assert_close(ws.g_grads.fc.w[0][0], gw, &format!("λ {lambda}: G ∂/∂w"));
        assert_close(ws.g_grads.fc.b[0], gb, &format!("λ {lambda}: G ∂/∂b"));
    }
}
