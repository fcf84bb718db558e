//! Probe networks for the wiring tests: tiny linear networks whose outputs show what D was
//! fed and whose gradients can be written down by hand, and the checks they share.

use crate::gan::History;
use crate::layers::{Dense, LeakyRelu};
use crate::net::Network;
use crate::optim::{Sgd, SgdConfig};
use crate::rng::{Prng, gaussian};
use crate::tensor::flat;
use crate::train::{Balance, Gan, StepConfig};
use std::boxed::Box;

crate::network! {
    /// `x ↦ w·x + b` on one value: the identity G (`w = 1`, `b = 0`), or a D whose output is
    /// an affine image of its input.
    pub struct Lin1, acts Lin1Acts {
        fc: Dense<1, 1>,
    }
}

crate::network! {
    /// `x ↦ Wx + b` on four values: the identity G of four-pixel "images".
    pub struct Lin4, acts Lin4Acts {
        fc: Dense<4, 4>,
    }
}

crate::network! {
    /// A D whose first layer is the identity on four pixels (so its output is D's input as
    /// D saw it), then one logit `v·x + c`.
    pub struct Seen4, acts Seen4Acts {
        id: Dense<4, 4>,
        out: Dense<4, 1>,
    }
}

crate::network! {
    /// Three layers, so a feature layer in the middle has a neighbour on each side.
    pub struct Fm3, acts Fm3Acts {
        fc1: Dense<1, 4>,
        a1: LeakyRelu<[f32; 4]>,
        fc2: Dense<4, 1>,
    }
}

crate::network! {
    /// A two-class (semi-supervised) D on one value: logits `wₖ·x + bₖ`.
    pub struct Class2, acts Class2Acts {
        fc: Dense<1, 2>,
    }
}

/// Replay capacity of every probe GAN.
pub const CAP: usize = 64;

/// A probe GAN: plain SGD at learning rate 0, so both networks stay as the test built them
/// and every update computes its gradients at the same parameters (a test that needs the
/// parameters to move sets a learning rate).
pub type Probe<G, D, HG, HD, const B: usize> = Gan<G, D, Sgd<G>, Sgd<D>, HG, HD, B, CAP>;

/// A probe GAN with one D and one G update per iteration, seeded with 7.
pub fn probe<G, D, HG, HD, const B: usize>(
    g: G,
    d: D,
    hist_g: HG,
    hist_d: HD,
    config: StepConfig,
) -> Box<Probe<G, D, HG, HD, B>>
where
    G: Network,
    D: Network<In = G::Out>,
    HG: History<G>,
    HD: History<D>,
{
    let sgd = SgdConfig::new(0.0);
    Box::new(Gan::new(
        g,
        d,
        Sgd::new(sgd),
        Sgd::new(sgd),
        hist_g,
        hist_d,
        config,
        Balance::fixed(1, 1),
        7,
    ))
}

/// `x ↦ w·x + b`.
pub fn lin(w: f32, b: f32) -> Lin1 {
    Lin1 {
        fc: Dense { w: [[w]], b: [b] },
    }
}

/// The identity on four values.
pub fn identity4() -> Dense<4, 4> {
    let mut w = [[0.0; 4]; 4];
    for (i, row) in w.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    Dense { w, b: [0.0; 4] }
}

/// Real batches of one value: `N(mean, sd²)` from their own seeded stream, labels
/// alternating 0, 1.
pub fn normal<const B: usize>(
    mean: f32,
    sd: f32,
    seed: u64,
) -> impl FnMut(&mut [[f32; 1]; B], &mut [u8; B]) {
    let mut rng = Prng::new(seed);
    move |x: &mut [[f32; 1]; B], y: &mut [u8; B]| {
        for (i, (x, y)) in x.iter_mut().zip(y.iter_mut()).enumerate() {
            x[0] = mean + sd * gaussian(&mut rng);
            *y = (i % 2) as u8;
        }
    }
}

/// A real-batch source a G update must not call.
pub fn unused<T, const B: usize>(_: &mut [T; B], _: &mut [u8; B]) {
    panic!("an adversarial G update drew a real batch");
}

/// The logistic sigmoid in f64, for expected values.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-x))
}

/// Asserts `got` is `want` up to f32 rounding of a short sum.
pub fn assert_close(got: f32, want: f64, what: &str) {
    assert!(
        (f64::from(got) - want).abs() <= 1e-5 * (1.0 + want.abs()),
        "{what}: {got}, expected {want}"
    );
}

/// Asserts that `seen − clean`, element by element, looks like `N(0, σ²)`: mean within
/// 0.2σ and standard deviation within 12 % of `σ` (for the 512 values of these tests the
/// standard errors are 0.044σ and 3.1 %, and the neighbouring σ of a schedule is at
/// least 33 % away).
pub fn assert_noise<T: crate::tensor::Tensor>(seen: &[T], clean: &[T], sigma: f32, what: &str) {
    let (seen, clean) = (flat(seen), flat(clean));
    let n = seen.len() as f64;
    let e: std::vec::Vec<f64> = seen
        .iter()
        .zip(clean)
        .map(|(&s, &c)| f64::from(s) - f64::from(c))
        .collect();
    let mean = e.iter().sum::<f64>() / n;
    let sd = libm::sqrt(e.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n);
    let sigma = f64::from(sigma);
    assert!(
        mean.abs() < 0.2 * sigma && (sd - sigma).abs() < 0.12 * sigma,
        "{what}: noise mean {mean}, sd {sd}, expected sd {sigma}"
    );
}
