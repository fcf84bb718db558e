//! Finite-difference checks of backward passes (tests only).
//!
//! The loss is `L = Σ y ⊙ r` for a fixed random `r`, so `∂L/∂y = r`. Every element of
//! the input and of every trainable tensor is perturbed by `±H` and the central difference
//! `(L(θ+H) − L(θ−H)) / 2H` (accumulated in f64) is compared with `backward`'s result.

use crate::layers::TrainLayer;
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
    let mut l = layer.clone();
    let mut y = Box::new([L::Out::ZERO; B]);
    l.forward_train(x, &mut y);
    flat(&y[..])
        .iter()
        .zip(r)
        .map(|(a, b)| *a as f64 * *b as f64)
        .sum()
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

/// Checks `backward` of `layer` against finite differences at the input batch `x`.
pub fn check_layer_at<L: TrainLayer + Clone, const B: usize>(
    layer: &mut L,
    x: &[L::In; B],
    seed: u64,
) {
    let r = random_batch::<L::Out, B>(seed ^ 0x5EED);
    let r = flat(&r[..]);

    let mut y = Box::new([L::Out::ZERO; B]);
    layer.clone().forward_train(x, &mut y);
    let mut dx = Box::new([L::In::ZERO; B]);
    let mut grads = L::ZERO;
    let dy = random_batch::<L::Out, B>(seed ^ 0x5EED);
    layer.backward(x, &y, &dy, &mut dx, &mut grads);

    let mut xp = Box::new(*x);
    for j in 0..flat(&x[..]).len() {
        let x0 = flat(&x[..])[j];
        flat_mut(&mut xp[..])[j] = x0 + H;
        let up = loss(layer, &xp, r);
        flat_mut(&mut xp[..])[j] = x0 - H;
        let down = loss(layer, &xp, r);
        flat_mut(&mut xp[..])[j] = x0;
        close(flat(&dx[..])[j], (up - down) / (2.0 * H as f64), "dx", j);
    }
    for t in 0..L::TENSORS {
        for j in 0..layer.tensor(t).len() {
            let p0 = layer.tensor(t)[j];
            layer.tensor_mut(t)[j] = p0 + H;
            let up = loss(layer, x, r);
            layer.tensor_mut(t)[j] = p0 - H;
            let down = loss(layer, x, r);
            layer.tensor_mut(t)[j] = p0;
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
