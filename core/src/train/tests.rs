//! Training-step tests: a seeded run that learns, and one run per technique showing that it
//! changes the update (and does what it says).

use super::*;
use crate::gan::{Ema, Loss, Share, Smoothing, TopK, Translate, Window};
use crate::layers::Dense;
use crate::optim::{Adam, AdamConfig};
use crate::params::Params;
use crate::rng::gaussian;

crate::network! {
    /// Affine generator: z ∈ R¹ → x ∈ R¹.
    struct LinG, acts LinGActs {
        fc: Dense<1, 1>,
    }
}

crate::network! {
    /// Two-layer linear discriminator (so feature matching has a middle layer).
    struct LinD, acts LinDActs {
        fc1: Dense<1, 4>,
        fc2: Dense<4, 1>,
    }
}

crate::network! {
    /// The two-layer linear discriminator with two class outputs (semi-supervised).
    struct ClassD, acts ClassDActs {
        fc1: Dense<1, 4>,
        fc2: Dense<4, 2>,
    }
}

const B: usize = 16;
type TestGan<HG, HD, D = LinD> = Gan<LinG, D, Adam<LinG>, Adam<D>, HG, HD, B, 64>;

fn gan<HG: History<LinG>, HD: History<LinD>>(
    config: StepConfig,
    hist_g: HG,
    hist_d: HD,
) -> TestGan<HG, HD> {
    with_d(config, hist_g, hist_d)
}

/// G the identity, D random from a fixed seed.
fn with_d<D: Network<In = [f32; 1]>, HG: History<LinG>, HD: History<D>>(
    config: StepConfig,
    hist_g: HG,
    hist_d: HD,
) -> TestGan<HG, HD, D> {
    let mut g = LinG::ZERO;
    g.fc.w = [[1.0]];
    let mut d = D::ZERO;
    crate::gradcheck::randomize(&mut d, 4);
    let opt = AdamConfig::new(0.01);
    Gan::new(
        g,
        d,
        Adam::new(opt),
        Adam::new(opt),
        hist_g,
        hist_d,
        config,
        Balance::fixed(1, 1),
        7,
    )
}

/// Real data: N(3, 0.25²), from its own seeded stream, every label 0.
fn real_source(seed: u64) -> impl FnMut(&mut [[f32; 1]; B], &mut [u8; B]) {
    let mut rng = Prng::new(seed);
    move |batch: &mut [[f32; 1]; B], labels: &mut [u8; B]| {
        for x in batch.iter_mut() {
            x[0] = 3.0 + 0.25 * gaussian(&mut rng);
        }
        *labels = [0; B];
    }
}

/// Labelled real data: class 0 is N(2, 0.25²), class 1 is N(4, 0.25²), alternating.
fn two_classes(seed: u64) -> impl FnMut(&mut [[f32; 1]; B], &mut [u8; B]) {
    let mut rng = Prng::new(seed);
    move |batch: &mut [[f32; 1]; B], labels: &mut [u8; B]| {
        for (i, (x, y)) in batch.iter_mut().zip(labels.iter_mut()).enumerate() {
            *y = (i % 2) as u8;
            x[0] = 2.0 + 2.0 * f32::from(*y) + 0.25 * gaussian(&mut rng);
        }
    }
}

fn run<HG: History<LinG>, HD: History<D>, D: Network<In = [f32; 1]>>(
    gan: &mut TestGan<HG, HD, D>,
    iterations: usize,
) {
    run_on(gan, real_source(1), iterations);
}

fn run_on<HG: History<LinG>, HD: History<D>, D: Network<In = [f32; 1]>>(
    gan: &mut TestGan<HG, HD, D>,
    mut real: impl FnMut(&mut [[f32; 1]; B], &mut [u8; B]),
    iterations: usize,
) {
    for _ in 0..iterations {
        let s = gan.iteration(&mut real);
        assert!(!s.diverged() && s.d_loss.is_some() && s.g_loss.is_some());
    }
}

#[test]
fn generator_mean_moves_to_the_data_mean() {
    let mut g = gan(StepConfig::BASELINE, (), ());
    assert_eq!(g.g.fc.b, [0.0]);
    run(&mut g, 600);
    let mean = g.g.fc.b[0];
    assert!(
        (mean - 3.0).abs() < 0.5,
        "G's offset is {mean}, data mean 3"
    );
}

/// Parameters of G and D after `n` iterations with `config`, for comparing techniques.
fn after(config: StepConfig, n: usize) -> (LinG, LinD) {
    let mut g = gan(config, (), ());
    run(&mut g, n);
    (g.g, g.d)
}

fn assert_changes_update(config: StepConfig, what: &str) {
    let base = after(StepConfig::BASELINE, 5);
    let with = after(config, 5);
    assert_ne!(base, with, "{what} did not change the update");
}

#[test]
fn label_smoothing_changes_the_update() {
    let config = StepConfig {
        loss: Loss::BCE_SMOOTHED,
        ..StepConfig::BASELINE
    };
    assert_changes_update(config, "label smoothing");
}

#[test]
fn each_loss_changes_the_update() {
    for loss in [
        Loss::Minimax {
            smoothing: Smoothing::NONE,
        },
        Loss::LSGAN_CHI2,
        Loss::LSGAN_01,
        Loss::Hinge,
        Loss::Wasserstein,
    ] {
        let config = StepConfig {
            loss,
            ..StepConfig::BASELINE
        };
        assert_changes_update(config, "the loss");
    }
}

#[test]
fn feature_matching_changes_only_g_objective() {
    let config = StepConfig {
        g_objective: GObjective::FeatureMatching { layer: 0 },
        ..StepConfig::BASELINE
    };
    let mut a = gan(StepConfig::BASELINE, (), ());
    let mut b = gan(config, (), ());
    a.d_step(&mut real_source(1));
    b.d_step(&mut real_source(1));
    assert_eq!(a.d, b.d, "D's update does not depend on G's objective");
    let ga = a.g_step(&mut real_source(2));
    let gb = b.g_step(&mut real_source(2));
    assert_ne!(a.g, b.g);
    assert!(ga.is_finite() && gb >= 0.0);
}

#[test]
fn instance_noise_changes_the_update_and_stops_after_annealing() {
    let config = StepConfig {
        noise: Some(Anneal::linear(0.5, 4)),
        ..StepConfig::BASELINE
    };
    assert_changes_update(config, "instance noise");
    let mut g = gan(config, (), ());
    g.step = 4;
    assert_eq!(g.sigma(), 0.0);
}

#[test]
fn top_k_changes_the_update_and_keeping_all_does_not() {
    let config = StepConfig {
        top_k: Some(TopK::linear(0.25, 0)),
        ..StepConfig::BASELINE
    };
    assert_changes_update(config, "top-k training");
    let all = StepConfig {
        top_k: Some(TopK::linear(1.0, 10)),
        ..StepConfig::BASELINE
    };
    assert_eq!(after(all, 5), after(StepConfig::BASELINE, 5));
}

#[test]
fn translation_changes_the_update() {
    // A 1×1 "image": any non-zero offset replaces the sample with the fill.
    let config = StepConfig {
        translate: Some(Translate {
            channels: 1,
            height: 1,
            width: 1,
            max: 1,
            fill: 0.0,
        }),
        ..StepConfig::BASELINE
    };
    assert_changes_update(config, "translation");
}

#[test]
fn replay_fills_the_buffer_and_changes_the_update() {
    let config = StepConfig {
        replay: Share::HALF,
        ..StepConfig::BASELINE
    };
    assert_changes_update(config, "experience replay");
    let mut g = gan(config, (), ());
    // The first batch is stored whole; then half of each batch is replayed and the other
    // half stored: 16 + 8 + 8.
    run(&mut g, 3);
    assert_eq!(g.replay.len(), 32);
    run(&mut g, 4);
    assert!(g.replay.is_full());
}

#[test]
fn historical_averaging_changes_the_update() {
    let config = StepConfig {
        history_d: 0.5,
        history_g: 0.5,
        ..StepConfig::BASELINE
    };
    let mut plain = gan(StepConfig::BASELINE, Ema::new(0.9), Ema::new(0.9));
    let mut ema = gan(config, Ema::new(0.9), Ema::new(0.9));
    let mut window = gan(config, Window::<LinG, 3>::new(), Window::<LinD, 3>::new());
    run(&mut plain, 6);
    run(&mut ema, 6);
    run(&mut window, 6);
    assert_ne!(plain.d, ema.d);
    assert_ne!(plain.g, ema.g);
    assert_ne!(ema.d, window.d, "the two averages differ");
}

#[test]
fn weight_clipping_bounds_d() {
    let config = StepConfig {
        loss: Loss::Wasserstein,
        clip_d: Some(0.01),
        ..StepConfig::BASELINE
    };
    let mut g = gan(config, (), ());
    run(&mut g, 3);
    for i in 0..LinD::TENSORS {
        assert!(g.d.tensor(i).iter().all(|v| v.abs() <= 0.01));
    }
}

#[test]
fn balance_changes_the_schedule() {
    let mut g = gan(StepConfig::BASELINE, (), ());
    g.balance = Balance::fixed(2, 1);
    let steps_before = g.step;
    run(&mut g, 2);
    assert_eq!(
        g.step - steps_before,
        6,
        "two D and one G update per iteration"
    );
}

#[test]
fn reference_rows_hold_the_fixed_z() {
    let config = StepConfig {
        reference_rows: 3,
        ..StepConfig::BASELINE
    };
    let mut g = gan(config, (), ());
    let z_ref = g.z_ref;
    run(&mut g, 2);
    assert_eq!(g.ws.z[..3], z_ref[..3]);
    assert_ne!(g.ws.z[3..], z_ref[3..]);
}

/// A two-class D trained with the supervised term learns the labels of real data
/// (Salimans et al. 2016, §5); without it (λ = 0) the update differs.
#[test]
fn supervised_classes_change_the_update_and_learn_the_labels() {
    let semi = StepConfig {
        supervised: 1.0,
        ..StepConfig::BASELINE
    };
    let mut unsupervised = with_d::<ClassD, (), ()>(StepConfig::BASELINE, (), ());
    let mut supervised = with_d::<ClassD, (), ()>(semi, (), ());
    run_on(&mut unsupervised, two_classes(1), 5);
    run_on(&mut supervised, two_classes(1), 5);
    assert_ne!(
        unsupervised.d, supervised.d,
        "the supervised term did nothing"
    );
    run_on(&mut unsupervised, two_classes(1), 300);
    run_on(&mut supervised, two_classes(1), 300);
    let right = |d: &ClassD| {
        let mut fresh = two_classes(9);
        let (mut x, mut y) = ([[0.0f32; 1]; B], [0u8; B]);
        let mut acts = ClassDActs::<B>::ZERO;
        let mut right = 0;
        for _ in 0..4 {
            fresh(&mut x, &mut y);
            d.clone().forward_train(&x, &mut acts);
            right += ClassD::output(&acts)
                .iter()
                .zip(&y)
                .filter(|(l, y)| u8::from(l[1] > l[0]) == **y)
                .count();
        }
        right
    };
    let (with, without) = (right(&supervised.d), right(&unsupervised.d));
    assert!(
        with >= 60,
        "{with} of 64 fresh real samples classified right"
    );
    assert!(without < with, "{without} of 64 right without labels");
}
