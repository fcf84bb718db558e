//! Every config key that reaches the training step, through [`TrainConfig::step_config`],
//! [`TrainConfig::balance`], [`TrainConfig::optimizer`] and the historical average, against
//! the step's values written out by hand from the keys' docs.

use crate::config::TrainConfig;
use crate::train::Image;
use tinygan_core::gan::{Anneal, Averaging, Balance, Loss, Share, Smoothing, TopK, Translate};
use tinygan_core::optim::{AdamConfig, OptimizerConfig, RmsPropConfig, SgdConfig};
use tinygan_core::train::{GObjective, StepConfig};

/// The digits input: 1 × 8 × 8, background −1.
const DIGIT: Image = Image {
    channels: 1,
    height: 8,
    width: 8,
    background: -1.0,
};

fn read(toml: &str) -> TrainConfig {
    TrainConfig::baseline().merge_str(toml).unwrap()
}

/// Every step key set away from its default. Schedules count updates: 1,000 iterations of
/// 2 + 3 updates are 5,000 updates, `noise_anneal = 40` iterations are 200.
#[test]
fn every_step_key_reaches_the_step() {
    let c = read(
        "steps = 1000\nd_steps = 2\ng_steps = 3\nloss = \"minimax\"\nlabel_smoothing = 0.8\n\
         feature_matching = true\ninstance_noise = 0.3\nnoise_anneal = 40\nreplay = 0.25\n\
         history = 0.5\nclip = 0.02\ntranslate = 2\ntop_k = 0.5\nsupervised = 0.7\n",
    );
    let want = StepConfig {
        loss: Loss::Minimax {
            smoothing: Smoothing::one_sided(0.8),
        },
        g_objective: GObjective::FeatureMatching { layer: 3 },
        noise: Some(Anneal::linear(0.3, 200)),
        replay: Share::Fraction(0.25),
        history_d: 0.5,
        history_g: 0.5,
        clip_d: Some(0.02),
        translate: Some(Translate {
            channels: 1,
            height: 8,
            width: 8,
            max: 2,
            fill: -1.0,
        }),
        top_k: Some(TopK::linear(0.5, 5000)),
        supervised: 0.7,
        reference_rows: 16,
    };
    assert_eq!(c.step_config(3, 16, Some(DIGIT), 10).unwrap(), want);
}

/// The defaults are the plain GAN; `noise_anneal = 0` anneals over the whole run and
/// `top_k_anneal` counts iterations like it.
#[test]
fn defaults_are_the_baseline_and_zero_anneal_is_the_run() {
    let c = TrainConfig::baseline();
    let want = StepConfig {
        replay: Share::Fraction(0.0),
        ..StepConfig::BASELINE
    };
    assert_eq!(c.step_config(3, 0, None, 1).unwrap(), want);
    let c = read("steps = 300\ninstance_noise = 0.1\ntop_k = 0.25\ntop_k_anneal = 100\n");
    let step = c.step_config(3, 0, None, 1).unwrap();
    assert_eq!(step.noise, Some(Anneal::linear(0.1, 600)));
    assert_eq!(step.top_k, Some(TopK::linear(0.25, 200)));
}

#[test]
fn each_loss_name_is_its_loss() {
    let none = Smoothing::NONE;
    let cases = [
        ("loss = \"bce\"", Loss::Bce { smoothing: none }),
        ("loss = \"minimax\"", Loss::Minimax { smoothing: none }),
        ("loss = \"lsgan\"", Loss::LSGAN_CHI2),
        ("loss = \"hinge\"", Loss::Hinge),
        ("loss = \"wasserstein\"\nclip = 0.01", Loss::Wasserstein),
    ];
    for (toml, loss) in cases {
        let c = read(toml);
        assert_eq!(c.step_config(3, 0, None, 1).unwrap().loss, loss, "{toml}");
    }
    let smoothed = read("label_smoothing = 0.9\n");
    assert_eq!(smoothed.loss(), Loss::BCE_SMOOTHED);
}

/// Compared by their `Debug` text: a fresh schedule's last losses are NaN, never `==`.
#[test]
fn balance_keys_give_the_schedule() {
    let same = |a: Balance, b: Balance| assert_eq!(format!("{a:?}"), format!("{b:?}"));
    let c = read("d_steps = 2\ng_steps = 3\nd_floor = 0.3\ng_floor = 0.5\nmax_skips = 4\n");
    same(c.balance(), Balance::adaptive(2, 3, 0.3, 0.5, 4));
    // Without floors nothing ever rests: the floors are −∞ (`max_skips` keeps its 5).
    let inf = f32::NEG_INFINITY;
    same(
        read("d_steps = 5\n").balance(),
        Balance::adaptive(5, 1, inf, inf, 5),
    );
}

/// Adam takes `beta1` and `beta2`, SGD takes `beta1` as its momentum, RMSProp neither.
#[test]
fn optimizer_keys_give_the_optimiser() {
    let adam = read("beta1 = 0.7\nbeta2 = 0.9\n").optimizer(0.125);
    let want = AdamConfig {
        beta1: 0.7,
        beta2: 0.9,
        ..AdamConfig::new(0.125)
    };
    assert_eq!(adam, OptimizerConfig::Adam(want));
    let sgd = read("optimizer = \"sgd\"\nbeta1 = 0.6\n").optimizer(0.25);
    let want = SgdConfig {
        momentum: 0.6,
        ..SgdConfig::new(0.25)
    };
    assert_eq!(sgd, OptimizerConfig::Sgd(want));
    let rms = read("optimizer = \"rmsprop\"\n").optimizer(0.5);
    assert_eq!(rms, OptimizerConfig::RmsProp(RmsPropConfig::new(0.5)));
}

/// `history = 0` is no average; otherwise `history_kind` picks the EMA (with
/// `history_beta`) or the window.
#[test]
fn history_keys_give_the_average() {
    assert_eq!(
        read("history_kind = \"window\"\n").averaging(),
        Averaging::Off
    );
    assert_eq!(
        read("history = 0.5\nhistory_beta = 0.75\n").averaging(),
        Averaging::Ema(0.75),
        "history = 0.5 is an EMA by default"
    );
    assert_eq!(
        read("history = 0.5\nhistory_kind = \"window\"\n").averaging(),
        Averaging::Window
    );
}

/// `supervised` needs a D with at least two class outputs: one output is an error naming
/// the key, two are enough.
#[test]
fn supervised_needs_two_classes() {
    let c = read("supervised = 0.5\n");
    let msg = format!("{:#}", c.step_config(3, 0, None, 1).unwrap_err());
    assert!(
        msg.starts_with("config key `supervised` = 0.5 needs a discriminator with class outputs"),
        "{msg}"
    );
    assert_eq!(c.step_config(3, 0, None, 2).unwrap().supervised, 0.5);
}
