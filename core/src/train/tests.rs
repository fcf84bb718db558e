//! Training-step tests: seeded runs that learn, weight clipping and the VBN reference rows
//! here; each technique's effect where it acts in the submodules, against values derived
//! from the formulas in the docs.

mod gradients;
mod inputs;
mod probe;
mod schedule;
mod static_state;

use super::*;
use crate::gan::Loss;
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

#[test]
fn a_nan_or_infinite_loss_of_a_side_that_trained_is_divergence() {
    let stats = |d_loss, g_loss| StepStats { d_loss, g_loss };
    assert!(!stats(Some(0.5), None).diverged());
    assert!(!stats(None, Some(-3.0)).diverged());
    assert!(stats(Some(f32::NAN), Some(0.5)).diverged());
    assert!(stats(None, Some(f32::INFINITY)).diverged());
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
fn reference_rows_hold_the_fixed_z() {
    let config = StepConfig {
        reference_rows: 3,
        ..StepConfig::BASELINE
    };
    let mut g = gan(config, (), ());
    let z_ref = g.z_ref;
    // The reference is the first draw of the GAN's PRNG (seed 7), not a zero batch.
    let mut first = [[0.0f32; 1]; B];
    crate::rng::fill_gaussian(&mut Prng::new(7), crate::tensor::flat_mut(&mut first));
    assert_eq!(z_ref, first);
    run(&mut g, 2);
    assert_eq!(g.ws.z[..3], z_ref[..3]);
    assert_ne!(g.ws.z[3..], z_ref[3..]);
}

/// A two-class D trained with the supervised term learns the labels of real data
/// (Salimans et al. 2016, §5); without it (λ = 0) it does not.
#[test]
fn supervised_classes_learn_the_labels() {
    let semi = StepConfig {
        supervised: 1.0,
        ..StepConfig::BASELINE
    };
    let mut unsupervised = with_d::<ClassD, (), ()>(StepConfig::BASELINE, (), ());
    let mut supervised = with_d::<ClassD, (), ()>(semi, (), ());
    run_on(&mut unsupervised, two_classes(1), 305);
    run_on(&mut supervised, two_classes(1), 305);
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
