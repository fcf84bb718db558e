//! Historical averaging of parameters.
//!
//! Salimans et al. 2016, "Improved Techniques for Training GANs", arXiv:1606.03498, §3.3:
//! each player's loss gets the term `λ‖θ − θ̄‖²`, where `θ̄` is an average of the player's
//! past parameters, so that updates that orbit an equilibrium are pulled towards its
//! centre. The gradient `2λ(θ − θ̄)` is added to the player's gradients before the
//! optimiser step; `θ̄` is a constant of that step (no gradient flows through it).
//!
//! Two variants of `θ̄`, both values of the model's own type (so each can be a `static`):
//! - [`Ema`]: exponential moving average `θ̄ ← βθ̄ + (1 − β)θ`, started at the first
//!   snapshot;
//! - [`Window`]: the mean of the last `T` snapshots, from a running sum and a fixed ring of
//!   snapshots. The paper's `θ̄ = (1/t) Σ_{i ≤ t} θ[i]` over the whole past is the case where
//!   `T` is at least the number of snapshots taken.
//!
//! The caller decides how often to take a snapshot ([`History::push`]): every step or every
//! k steps.

use super::ring::Ring;
use crate::params::Params;
use crate::tensor::Zero;

/// A historical average of a model's parameters.
pub trait History<P: Params> {
    /// Records the current parameters `theta` as a snapshot.
    fn push(&mut self, theta: &P);

    /// Adds `2λ(θ − θ̄)` to `grads` and returns the regulariser `λ‖θ − θ̄‖²`. Before the
    /// first snapshot there is no average: returns 0 and leaves `grads` unchanged.
    fn add_grad(&self, theta: &P, lambda: f32, grads: &mut P) -> f32;

    /// Forgets every snapshot, in place (the state before the first [`History::push`]).
    fn clear(&mut self);
}

/// No historical averaging: records nothing and adds nothing (zero-sized, for training
/// setups that never use the regulariser).
impl<P: Params> History<P> for () {
    fn push(&mut self, _theta: &P) {}

    fn add_grad(&self, _theta: &P, _lambda: f32, _grads: &mut P) -> f32 {
        0.0
    }

    fn clear(&mut self) {}
}

/// `θ̄ = scale · avg`: adds `2λ(θ − θ̄)` to `grads`, returns `λ‖θ − θ̄‖²`.
fn regularise<P: Params>(theta: &P, avg: &P, scale: f32, lambda: f32, grads: &mut P) -> f32 {
    let mut sq = 0.0;
    for i in 0..P::TENSORS {
        let (t, a) = (theta.tensor(i), avg.tensor(i));
        for ((g, &t), &a) in grads.tensor_mut(i).iter_mut().zip(t).zip(a) {
            let e = t - scale * a;
            sq += e * e;
            *g += 2.0 * lambda * e;
        }
    }
    lambda * sq
}

/// `θ̄` as an exponential moving average, `θ̄ ← βθ̄ + (1 − β)θ` per snapshot; the first
/// snapshot sets `θ̄ = θ` (no bias towards zero).
#[derive(Clone, Debug, PartialEq)]
pub struct Ema<P> {
    avg: P,
    beta: f32,
    started: bool,
}

impl<P: Params + Zero> Ema<P> {
    /// An empty average with decay `beta`. Panics unless `0 ≤ beta < 1`.
    pub const fn new(beta: f32) -> Self {
        Self {
            avg: P::ZERO,
            beta: checked_beta(beta),
            started: false,
        }
    }

    /// The current average `θ̄` (all zero before the first snapshot).
    pub fn average(&self) -> &P {
        &self.avg
    }
}

impl<P: Params> Ema<P> {
    /// Empties the average in place and sets its decay to `beta`. Panics unless
    /// `0 ≤ beta < 1`.
    pub fn restart(&mut self, beta: f32) {
        self.beta = checked_beta(beta);
        self.clear_average();
    }

    fn clear_average(&mut self) {
        crate::params::zero(&mut self.avg);
        self.started = false;
    }
}

/// `beta` if `0 ≤ beta < 1`; panics otherwise.
const fn checked_beta(beta: f32) -> f32 {
    assert!(beta >= 0.0 && beta < 1.0, "EMA decay needs 0 ≤ β < 1");
    beta
}

impl<P: Zero> Zero for Ema<P> {
    /// An empty average with decay 0 (every byte zero); [`Ema::restart`] sets the decay.
    const ZERO: Self = Self {
        avg: P::ZERO,
        beta: 0.0,
        started: false,
    };
}

impl<P: Params + Zero> History<P> for Ema<P> {
    fn push(&mut self, theta: &P) {
        let beta = if self.started { self.beta } else { 0.0 };
        self.started = true;
        for i in 0..P::TENSORS {
            for (a, &t) in self.avg.tensor_mut(i).iter_mut().zip(theta.tensor(i)) {
                *a = beta * *a + (1.0 - beta) * t;
            }
        }
    }

    fn add_grad(&self, theta: &P, lambda: f32, grads: &mut P) -> f32 {
        if !self.started {
            return 0.0;
        }
        regularise(theta, &self.avg, 1.0, lambda, grads)
    }

    fn clear(&mut self) {
        self.clear_average();
    }
}

/// `θ̄` as the mean of the last `T` snapshots.
///
/// Keeps a ring of `T` snapshots and their running sum; a snapshot costs one pass over the
/// parameters (`sum += θ − oldest`). Each time the ring wraps, the sum is recomputed from
/// the snapshots, so float rounding cannot accumulate over a long run. Memory: `T + 1`
/// copies of the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Window<P, const T: usize> {
    snaps: [P; T],
    sum: P,
    ring: Ring<T>,
}

impl<P: Params + Zero, const T: usize> Window<P, T> {
    /// An empty window (all zero; usable as a `static` initialiser). `T = 0` does not
    /// compile.
    pub const fn new() -> Self {
        Self::ZERO
    }

    /// Number of snapshots in the window (at most `T`).
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// True before the first snapshot.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the mean `θ̄` into `out` (all zero before the first snapshot).
    pub fn mean_into(&self, out: &mut P) {
        let scale = self.scale();
        for i in 0..P::TENSORS {
            for (o, &s) in out.tensor_mut(i).iter_mut().zip(self.sum.tensor(i)) {
                *o = scale * s;
            }
        }
    }

    fn scale(&self) -> f32 {
        if self.is_empty() {
            0.0
        } else {
            1.0 / self.len() as f32
        }
    }

    fn resum(&mut self) {
        for i in 0..P::TENSORS {
            let sum = self.sum.tensor_mut(i);
            sum.fill(0.0);
            for snap in &self.snaps {
                sum.iter_mut()
                    .zip(snap.tensor(i))
                    .for_each(|(s, &v)| *s += v);
            }
        }
    }
}

impl<P: Zero, const T: usize> Zero for Window<P, T> {
    const ZERO: Self = Self {
        snaps: [P::ZERO; T],
        sum: P::ZERO,
        ring: Ring::EMPTY,
    };
}

impl<P: Params + Zero, const T: usize> Default for Window<P, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: Params + Zero, const T: usize> History<P> for Window<P, T> {
    fn push(&mut self, theta: &P) {
        // Slots not yet written hold zeros, so `sum += θ − old` is right from the start.
        let k = self.ring.advance();
        let slot = &mut self.snaps[k];
        for i in 0..P::TENSORS {
            let sum = self.sum.tensor_mut(i);
            for ((s, old), &t) in sum.iter_mut().zip(slot.tensor_mut(i)).zip(theta.tensor(i)) {
                *s += t - *old;
                *old = t;
            }
        }
        if k == T - 1 {
            self.resum();
        }
    }

    fn add_grad(&self, theta: &P, lambda: f32, grads: &mut P) -> f32 {
        if self.is_empty() {
            return 0.0;
        }
        regularise(theta, &self.sum, self.scale(), lambda, grads)
    }

    fn clear(&mut self) {
        self.snaps.iter_mut().for_each(crate::params::zero);
        crate::params::zero(&mut self.sum);
        self.ring = Ring::EMPTY;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Dense;

    type P = Dense<2, 1>;

    fn p(a: f32, b: f32, c: f32) -> P {
        Dense {
            w: [[a, b]],
            b: [c],
        }
    }

    #[test]
    fn gradient_and_value_by_hand() {
        let mut ema = Ema::<P>::new(0.5);
        let mut grads = p(1.0, 1.0, 1.0);
        assert_eq!(ema.add_grad(&p(5.0, 5.0, 5.0), 0.5, &mut grads), 0.0);
        assert_eq!(grads, p(1.0, 1.0, 1.0), "no average yet, no gradient");
        ema.push(&p(0.0, 0.0, 1.0));
        let value = ema.add_grad(&p(1.0, 2.0, 3.0), 0.5, &mut grads);
        // θ − θ̄ = [1, 2, 2]: λ‖·‖² = 0.5·9, gradient 2λ(θ − θ̄) added to the ones.
        assert_eq!(value, 4.5);
        assert_eq!(grads, p(2.0, 3.0, 3.0));
    }

    #[test]
    fn no_average_adds_nothing() {
        let mut none = ();
        let mut grads = p(1.0, 2.0, 3.0);
        History::<P>::push(&mut none, &p(9.0, 9.0, 9.0));
        assert_eq!(none.add_grad(&p(5.0, 5.0, 5.0), 0.5, &mut grads), 0.0);
        assert_eq!(grads, p(1.0, 2.0, 3.0));
    }

    #[test]
    fn ema_by_hand() {
        let mut ema = Ema::<P>::new(0.5);
        ema.push(&p(0.0, 0.0, 1.0));
        assert_eq!(
            ema.average(),
            &p(0.0, 0.0, 1.0),
            "first snapshot is the average"
        );
        ema.push(&p(1.0, 2.0, 3.0));
        assert_eq!(ema.average(), &p(0.5, 1.0, 2.0));
        ema.push(&p(1.0, 2.0, 3.0));
        assert_eq!(ema.average(), &p(0.75, 1.5, 2.5));
    }

    #[test]
    fn window_mean_by_hand() {
        let mut w = Window::<P, 2>::new();
        let mut mean = P::ZERO;
        assert!(w.is_empty());
        w.push(&p(1.0, 2.0, 3.0));
        w.mean_into(&mut mean);
        assert_eq!((w.len(), &mean), (1, &p(1.0, 2.0, 3.0)));
        w.push(&p(3.0, 4.0, 5.0));
        w.mean_into(&mut mean);
        assert_eq!((w.len(), &mean), (2, &p(2.0, 3.0, 4.0)));
        w.push(&p(7.0, 0.0, -1.0));
        w.mean_into(&mut mean);
        assert_eq!((w.len(), &mean), (2, &p(5.0, 2.0, 2.0)), "oldest dropped");

        let mut grads = P::ZERO;
        let value = w.add_grad(&p(5.0, 2.0, 3.0), 1.0, &mut grads);
        assert_eq!((value, grads), (1.0, p(0.0, 0.0, 2.0)));
    }

    /// Snapshots of about ±1e8 (f32 spacing 8) followed by four small ones: a running sum
    /// that is only ever updated by `sum += θ − oldest` keeps the rounding error of every
    /// large term (units, not fractions), whereas a sum recomputed from the slots at the
    /// wrap holds just the four small values: mean (0.25 + 0.5 + 0.75 + 1) / 4 = 0.625.
    #[test]
    fn window_sum_does_not_drift() {
        let mut w = Window::<P, 4>::new();
        for k in 0..996 {
            let sign = if k % 2 == 0 { -1.0 } else { 1.0 };
            let v = sign * (1e8 + 1e7 * (k % 5) as f32 + 37.0 * k as f32);
            w.push(&p(v, -v, 0.5));
        }
        for v in [0.25, 0.5, 0.75, 1.0] {
            w.push(&p(v, -v, 0.5));
        }
        let mut mean = P::ZERO;
        w.mean_into(&mut mean);
        assert_eq!(
            mean,
            p(0.625, -0.625, 0.5),
            "mean of the last four snapshots"
        );
    }
}
