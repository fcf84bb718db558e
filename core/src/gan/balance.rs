//! How many discriminator and generator steps to take per training iteration.

/// The steps of one training iteration: `d` D updates, then `g` G updates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// D (critic) updates this iteration.
    pub d: u32,
    /// G updates this iteration.
    pub g: u32,
}

/// D/G balance: a fixed ratio of `n_D` D steps to `n_G` G steps per iteration (WGAN uses
/// `n_D = 5`, Arjovsky et al. 2017, arXiv:1701.07875, Algorithm 1; the original GAN uses
/// `k` D steps per G step, Goodfellow et al. 2014, arXiv:1406.2661, Algorithm 1), plus an
/// optional adaptive rule that rests the side that is winning.
///
/// The rule, evaluated once per iteration by [`Balance::plan`] from the last losses given
/// to [`Balance::record_d`] and [`Balance::record_g`]:
/// - D *wants* to rest when its last loss is below `d_floor` (D already separates real from
///   fake well), G wants to rest when its last loss is below `g_floor`;
/// - a side that has rested `max_skips` iterations in a row does not want to rest;
/// - a side rests (0 steps) only if it wants to and the other side does not; if both want
///   to rest, both train. So at least one side trains every iteration.
///
/// A resting side's loss is not refreshed unless the caller measures it anyway; `max_skips`
/// bounds how long a stale loss can keep it resting. A NaN loss (and the state before the
/// first loss) never rests a side. Floors are in the units of the chosen loss: for BCE,
/// `d_floor` near `0.3–0.5` is a common start; Wasserstein losses can be negative.
#[derive(Clone, Debug, PartialEq)]
pub struct Balance {
    n_d: u32,
    n_g: u32,
    d_floor: f32,
    g_floor: f32,
    max_skips: u32,
    last_d: f32,
    last_g: f32,
    rested_d: u32,
    rested_g: u32,
}

impl Balance {
    /// No steps at all, every byte zero: the placeholder of
    /// [`Gan::ZERO`](crate::train::Gan) until [`Gan::reset`](crate::train::Gan::reset)
    /// sets the real balance.
    pub(crate) const UNSET: Self = Self {
        n_d: 0,
        n_g: 0,
        d_floor: 0.0,
        g_floor: 0.0,
        max_skips: 0,
        last_d: 0.0,
        last_g: 0.0,
        rested_d: 0,
        rested_g: 0,
    };

    /// Always `n_d` D steps and `n_g` G steps. Panics if either is 0.
    pub const fn fixed(n_d: u32, n_g: u32) -> Self {
        Self::adaptive(n_d, n_g, f32::NEG_INFINITY, f32::NEG_INFINITY, 0)
    }

    /// `n_d` and `n_g` steps, with D resting while its loss is below `d_floor` and G while
    /// its loss is below `g_floor`, each for at most `max_skips` iterations in a row (see
    /// the rule above). Panics if `n_d` or `n_g` is 0.
    pub const fn adaptive(n_d: u32, n_g: u32, d_floor: f32, g_floor: f32, max_skips: u32) -> Self {
        assert!(n_d > 0 && n_g > 0, "both sides need at least one step");
        Self {
            n_d,
            n_g,
            d_floor,
            g_floor,
            max_skips,
            last_d: f32::NAN,
            last_g: f32::NAN,
            rested_d: 0,
            rested_g: 0,
        }
    }

    /// Records D's latest loss.
    pub fn record_d(&mut self, loss: f32) {
        self.last_d = loss;
    }

    /// Records G's latest loss.
    pub fn record_g(&mut self, loss: f32) {
        self.last_g = loss;
    }

    /// Decides this iteration's steps and advances the rest counters.
    pub fn plan(&mut self) -> Plan {
        let want_d = self.last_d < self.d_floor && self.rested_d < self.max_skips;
        let want_g = self.last_g < self.g_floor && self.rested_g < self.max_skips;
        let rest_d = want_d && !want_g;
        let rest_g = want_g && !want_d;
        self.rested_d = if rest_d { self.rested_d + 1 } else { 0 };
        self.rested_g = if rest_g { self.rested_g + 1 } else { 0 };
        Plan {
            d: if rest_d { 0 } else { self.n_d },
            g: if rest_g { 0 } else { self.n_g },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: Plan = Plan { d: 2, g: 1 };
    const ONLY_G: Plan = Plan { d: 0, g: 1 };
    const ONLY_D: Plan = Plan { d: 2, g: 0 };

    #[test]
    fn fixed_ratio_ignores_losses() {
        let mut b = Balance::fixed(2, 1);
        for loss in [f32::NAN, -1e9, 0.0, 1e9] {
            b.record_d(loss);
            b.record_g(loss);
            assert_eq!(b.plan(), BOTH);
        }
    }

    #[test]
    fn rests_the_winning_side_never_both() {
        let mut b = Balance::adaptive(2, 1, 0.3, 0.5, 10);
        assert_eq!(b.plan(), BOTH, "no losses yet");
        b.record_d(0.2);
        b.record_g(2.0);
        assert_eq!(b.plan(), ONLY_G, "D below its floor rests");
        b.record_d(0.6);
        b.record_g(0.4);
        assert_eq!(b.plan(), ONLY_D, "G below its floor rests");
        b.record_d(0.1);
        assert_eq!(b.plan(), BOTH, "both below their floors: both train");
        b.record_d(f32::NAN);
        b.record_g(f32::NAN);
        assert_eq!(b.plan(), BOTH);
        b.record_d(0.3);
        b.record_g(0.5);
        assert_eq!(b.plan(), BOTH, "a loss equal to its floor trains");
    }

    #[test]
    fn rest_is_bounded_by_max_skips() {
        let mut b = Balance::adaptive(1, 1, 0.3, f32::NEG_INFINITY, 2);
        b.record_d(0.1);
        let plans = [(); 7].map(|_| b.plan().d);
        assert_eq!(plans, [0, 0, 1, 0, 0, 1, 0]);
    }
}
