//! Finite-difference checks of backward passes (tests only).
//!
//! Works on single layers and on whole networks. The loss is `L = Σ y ⊙ r` for a fixed
//! random `r`, so `∂L/∂y = r`. Every element of the input and of every trainable tensor is
//! perturbed by `±H` and the central difference `(L(θ+H) − L(θ−H)) / 2H` (accumulated in
//! f64) is compared with `backward`'s result.

use crate::layers::TrainLayer;
use crate::net::Network;
use crate::params::Params;
use crate::rng::{Prng, fill_gaussian};
use crate::tensor::{Tensor, Zero, flat, flat_mut};
use std::boxed::Box;

const H: f32 = 2e-3;
const ATOL: f64 = 4e-3;
const RTOL: f64 = 2e-2;

/// Fills every trainable tensor of `p` with N(0, 0.25) values from `seed`.
pub fn randomize<P: Params>(p: &mut P, seed: u64) {
    let mut rng = Prng::new(seed);
    for i in 0..P::TENSORS {
        let t = p.tensor_mut(i);
        fill_gaussian(&mut rng, t);
        t.iter_mut().for_each(|v| *v *= 0.5);
    }
}

/// A random batch of inputs from `seed`.
pub fn random_batch<T: Tensor, const B: usize>(seed: u64) -> Box<[T; B]> {
    let mut x = Box::new([T::ZERO; B]);
    fill_gaussian(&mut Prng::new(seed), flat_mut(&mut x[..]));
    x
}

fn loss<L: TrainLayer + Clone, const B: usize>(layer: &L, x: &[L::In; B], r: &[f32]) -> f64 {
    let mut y = Box::new([L::Out::ZERO; B]);
    layer.clone().forward_train(x, &mut y);
    dot(flat(&y[..]), r)
}

/// `Σ a ⊙ b`, accumulated in f64.
fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(p, q)| *p as f64 * *q as f64).sum()
}

fn close(analytic: f32, numeric: f64, what: &str, j: usize) {
    let a = analytic as f64;
    let tol = ATOL + RTOL * a.abs().max(numeric.abs());
    assert!(
        (a - numeric).abs() <= tol,
        "{what}[{j}]: backward gives {a}, finite difference {numeric}"
    );
}

/// Checks `backward` of `layer` against finite differences on a random batch from `seed`.
pub fn check_layer<L: TrainLayer + Clone, const B: usize>(layer: &mut L, seed: u64) {
    let x = random_batch::<L::In, B>(seed);
    check_layer_at(layer, &x, seed);
}

/// Checks `backward` of `layer` against finite differences at the input batch `x`, and
/// that `backward_params` adds the same parameter gradients.
pub fn check_layer_at<L: TrainLayer + Clone, const B: usize>(
    layer: &mut L,
    x: &[L::In; B],
    seed: u64,
) {
    let dy = random_batch::<L::Out, B>(seed ^ 0x5EED);
    let mut y = Box::new([L::Out::ZERO; B]);
    layer.clone().forward_train(x, &mut y);
    let mut dx = Box::new([L::In::ZERO; B]);
    let mut grads = L::ZERO;
    layer.backward(x, &y, &dy, &mut dx, &mut grads);
    let mut params_only = L::ZERO;
    layer.backward_params(x, &y, &dy, &mut params_only);
    for i in 0..L::TENSORS {
        let same = params_only.tensor(i) == grads.tensor(i);
        assert!(same, "backward_params differs from backward in tensor {i}");
    }
    compare(layer, x, &dx, &grads, |l, x| loss(l, x, flat(&dy[..])));
}

/// Checks `backward` of a whole network against finite differences on a random batch
/// from `seed`, with `∂L/∂y` random.
pub fn check_network<N: Network + Clone, const B: usize>(net: &mut N, seed: u64) {
    let x = random_batch::<N::In, B>(seed);
    let dy = random_batch::<N::Out, B>(seed ^ 0x5EED);
    let mut acts = Box::new(N::Acts::<B>::ZERO);
    net.clone().forward_train(&x, &mut acts);
    let mut dacts = Box::new(N::Acts::<B>::ZERO);
    *N::output_mut(&mut dacts) = *dy;
    let mut dx = Box::new([N::In::ZERO; B]);
    let mut grads = N::ZERO;
    net.backward(&x, &acts, &mut dacts, &mut dx, &mut grads);
    compare(net, &x, &dx, &grads, |n, x| {
        let mut acts = Box::new(N::Acts::<B>::ZERO);
        n.clone().forward_train(x, &mut acts);
        dot(flat(&N::output(&acts)[..]), flat(&dy[..]))
    });
}

/// Compares `dx` and `grads` with central differences of `loss` in every element of `x`
/// and of every trainable tensor of `p`.
fn compare<P: Params, T: Tensor, const B: usize>(
    p: &mut P,
    x: &[T; B],
    dx: &[T; B],
    grads: &P,
    loss: impl Fn(&P, &[T; B]) -> f64,
) {
    let mut xp = Box::new(*x);
    for j in 0..flat(&x[..]).len() {
        let x0 = flat(&x[..])[j];
        flat_mut(&mut xp[..])[j] = x0 + H;
        let up = loss(p, &xp);
        flat_mut(&mut xp[..])[j] = x0 - H;
        let down = loss(p, &xp);
        flat_mut(&mut xp[..])[j] = x0;
        close(flat(&dx[..])[j], (up - down) / (2.0 * H as f64), "dx", j);
    }
    for t in 0..P::TENSORS {
        for j in 0..p.tensor(t).len() {
            let p0 = p.tensor(t)[j];
            p.tensor_mut(t)[j] = p0 + H;
            let up = loss(p, x);
            p.tensor_mut(t)[j] = p0 - H;
            let down = loss(p, x);
            p.tensor_mut(t)[j] = p0;
            let what = std::format!("tensor {t}");
            close(grads.tensor(t)[j], (up - down) / (2.0 * H as f64), &what, j);
        }
    }
}

/// Checks `grad`, the analytic gradient of the scalar function `f` at `x`, against
/// central differences (for losses, which map a flat batch to one number).
pub fn check_scalar_fn(mut f: impl FnMut(&[f32]) -> f32, x: &[f32], grad: &[f32]) {
    assert_eq!(x.len(), grad.len());
    let mut xp = x.to_vec();
    for j in 0..x.len() {
        xp[j] = x[j] + H;
        let up = f(&xp) as f64;
        xp[j] = x[j] - H;
        let down = f(&xp) as f64;
        xp[j] = x[j];
        close(grad[j], (up - down) / (2.0 * H as f64), "d/dx", j);
    }
}
