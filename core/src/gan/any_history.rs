//! The historical average chosen at run time (from a training config) rather than by type.

use super::history::{Ema, History, Window};
use crate::params::Params;
use crate::tensor::Zero;

/// Which historical average ([`history`](super::history)) a run takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Averaging {
    /// None: nothing is recorded, nothing added.
    Off,
    /// [`Ema`] with decay `β`.
    Ema(f32),
    /// [`Window`]: the mean of the last `T` snapshots.
    Window,
}

/// One of the historical averages, chosen at run time. Holds the state of both the EMA and
/// the window of `T` snapshots (`T + 2` copies of `P`), so that the choice changes in place
/// ([`AnyHistory::choose`]) and the whole value can be built in place from
/// [`Zero::ZERO`] (averaging off, every byte zero).
#[derive(Clone, Debug, PartialEq)]
pub struct AnyHistory<P, const T: usize> {
    kind: Kind,
    ema: Ema<P>,
    window: Window<P, T>,
}

/// [`Averaging`] without the EMA's decay (kept in the [`Ema`]).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Off,
    Ema,
    Window,
}

impl<P: Zero, const T: usize> Zero for AnyHistory<P, T> {
    const ZERO: Self = Self {
        kind: Kind::Off,
        ema: Ema::ZERO,
        window: Window::ZERO,
    };
}

impl<P: Params + Zero, const T: usize> AnyHistory<P, T> {
    /// Switches to `averaging`, in place, with no snapshot recorded. Panics if an EMA decay
    /// is outside `[0, 1)`.
    pub fn choose(&mut self, averaging: Averaging) {
        self.kind = match averaging {
            Averaging::Off => Kind::Off,
            Averaging::Ema(beta) => {
                self.ema.restart(beta);
                Kind::Ema
            }
            Averaging::Window => Kind::Window,
        };
        self.clear();
    }
}

impl<P: Params + Zero, const T: usize> History<P> for AnyHistory<P, T> {
    fn push(&mut self, theta: &P) {
        match self.kind {
            Kind::Off => {}
            Kind::Ema => self.ema.push(theta),
            Kind::Window => self.window.push(theta),
        }
    }

    fn add_grad(&self, theta: &P, lambda: f32, grads: &mut P) -> f32 {
        match self.kind {
            Kind::Off => 0.0,
            Kind::Ema => self.ema.add_grad(theta, lambda, grads),
            Kind::Window => self.window.add_grad(theta, lambda, grads),
        }
    }

    fn clear(&mut self) {
        match self.kind {
            Kind::Off => {}
            Kind::Ema => self.ema.clear(),
            Kind::Window => self.window.clear(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Dense;

    type P = Dense<1, 1>;

    fn p(w: f32, b: f32) -> P {
        Dense { w: [[w]], b: [b] }
    }

    /// Each choice acts as its own average: off adds nothing; an EMA with β = 0.5 of 2 then
    /// 4 gives θ̄ = 3; a window of 2 over 2, 4, 6 gives θ̄ = 5. The gradient at θ = 1 with
    /// λ = 1 is 2(θ − θ̄). Choosing again forgets the snapshots.
    #[test]
    fn each_choice_averages_as_its_type() {
        let mut h = AnyHistory::<P, 2>::ZERO;
        let snapshots: [(Averaging, &[f32], f32); 3] = [
            (Averaging::Off, &[2.0, 4.0], 0.0),
            (Averaging::Ema(0.5), &[2.0, 4.0], 2.0 * (1.0 - 3.0)),
            (Averaging::Window, &[2.0, 4.0, 6.0], 2.0 * (1.0 - 5.0)),
        ];
        for (averaging, values, want) in snapshots {
            h.choose(averaging);
            for &v in values {
                h.push(&p(v, v));
            }
            let mut grads = P::ZERO;
            h.add_grad(&p(1.0, 1.0), 1.0, &mut grads);
            assert_eq!(grads, p(want, want), "{averaging:?}");
            h.choose(averaging);
            let mut grads = P::ZERO;
            assert_eq!(h.add_grad(&p(1.0, 1.0), 1.0, &mut grads), 0.0);
            assert_eq!(grads, P::ZERO, "{averaging:?} after choosing again");
        }
    }
}
