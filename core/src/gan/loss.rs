//! GAN losses on the discriminator's raw outputs.
//!
//! Every loss takes a batch of D's raw outputs (logits for the BCE family, unbounded scores
//! otherwise) as `&[f32]`, returns the loss as a mean over the batch, and overwrites a
//! caller slice of the same length with `∂L/∂output` (so the `1/B` of the mean is already
//! in it). That slice is the `dy` that D's backward pass starts from.
//!
//! For D, real and fake batches are separate slices and the loss is the sum of the two
//! batch means, `E_real[·] + E_fake[·]` (the two-forward-pass convention; their sizes may
//! differ). Minimising every `d_loss` trains D; minimising every `g_loss` trains G.

/// One-sided label smoothing (Salimans et al. 2016, "Improved Techniques for Training
/// GANs", arXiv:1606.03498, §3.4): the BCE target of real samples is `α` instead of 1,
/// fake samples keep target 0.
///
/// Only the real target is a field, so two-sided smoothing (a fake target above 0, which
/// the paper shows pushes D to reward the generator's mistakes where real data is absent)
/// cannot be expressed. With `α`, the optimal discriminator is
/// `D*(x) = α·p_data(x) / (p_data(x) + p_model(x))`, which is `α/2` where the densities are
/// equal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Smoothing {
    alpha: f32,
}

impl Smoothing {
    /// Real target 0, every byte zero: a placeholder, not a useful setting.
    pub(crate) const ZERO_BYTES: Self = Self { alpha: 0.0 };
    /// No smoothing: real target 1.
    pub const NONE: Self = Self { alpha: 1.0 };
    /// The usual choice, real target 0.9.
    pub const DEFAULT: Self = Self { alpha: 0.9 };

    /// Real target `alpha`, fake target 0. Panics unless `0 < alpha ≤ 1`.
    pub const fn one_sided(alpha: f32) -> Self {
        assert!(
            alpha > 0.0 && alpha <= 1.0,
            "label smoothing needs 0 < α ≤ 1"
        );
        Self { alpha }
    }

    /// The target of real samples, `α`.
    pub const fn real_target(self) -> f32 {
        self.alpha
    }
}

/// A GAN objective: what D minimises ([`Loss::d_loss`]) and what G minimises
/// ([`Loss::g_loss`]). `x` below is one raw D output, `σ` the logistic sigmoid,
/// `softplus(x) = ln(1 + eˣ)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Loss {
    /// Goodfellow et al. 2014, "Generative Adversarial Nets", arXiv:1406.2661, §3: the
    /// non-saturating variant. D: binary cross-entropy with logits,
    /// `E_real[softplus(x) − α·x] + E_fake[softplus(x)]` (targets `α` and 0); G:
    /// `E_fake[−ln σ(x)] = E_fake[softplus(−x)]`, which keeps G's gradient alive while D
    /// rejects its samples confidently.
    Bce {
        /// One-sided label smoothing of D's real target.
        smoothing: Smoothing,
    },
    /// Goodfellow et al. 2014, arXiv:1406.2661, §3, eq. 1, as written: D as in
    /// [`Loss::Bce`], G minimises `E_fake[ln(1 − σ(x))] = −E_fake[softplus(x)]`. Its
    /// gradient vanishes when D is confident (`σ(x) → 0`); kept for comparison.
    Minimax {
        /// One-sided label smoothing of D's real target.
        smoothing: Smoothing,
    },
    /// Least squares GAN, Mao et al. 2017, arXiv:1611.04076, §3.2, eq. 2: D minimises
    /// `½E_real[(x − b)²] + ½E_fake[(x − a)²]`, G minimises `½E_fake[(x − c)²]`; D's output
    /// is linear (no sigmoid). [`Loss::LSGAN_CHI2`] is the coding `a = −1, b = 1, c = 0`
    /// (eq. 8, Pearson χ² divergence), [`Loss::LSGAN_01`] is `a = 0, b = c = 1` (eq. 9).
    /// The paper pairs LSGAN with RMSProp on some of its experiments.
    Lsgan {
        /// D's target for fakes.
        a: f32,
        /// D's target for real samples.
        b: f32,
        /// The value G wants D to give its fakes.
        c: f32,
    },
    /// Hinge loss, Lim & Ye 2017, "Geometric GAN", arXiv:1705.02894, and Miyato et al.
    /// 2018, "Spectral Normalization for GANs", arXiv:1802.05957, §4: D minimises
    /// `E_real[max(0, 1 − x)] + E_fake[max(0, 1 + x)]`, G minimises `−E_fake[x]`. At the
    /// kinks the subgradient 0 is used.
    Hinge,
    /// Wasserstein GAN, Arjovsky et al. 2017, arXiv:1701.07875, §3, Algorithm 1: the critic
    /// minimises `E_fake[x] − E_real[x]`, G minimises `−E_fake[x]`. The critic must be kept
    /// Lipschitz: clip its weights to `[−c, c]` after every step with
    /// [`clip_value`](crate::optim::clip_value) (the paper uses `c = 0.01` and RMSProp).
    Wasserstein,
}

/// Which batch of D's outputs a term belongs to.
#[derive(Clone, Copy)]
enum Side {
    Real,
    Fake,
}

impl Loss {
    /// Non-saturating BCE with the usual one-sided label smoothing, real target 0.9.
    pub const BCE_SMOOTHED: Self = Loss::Bce {
        smoothing: Smoothing::DEFAULT,
    };
    /// LSGAN with `a = −1, b = 1, c = 0` (Mao et al. 2017, eq. 8).
    pub const LSGAN_CHI2: Self = Loss::Lsgan {
        a: -1.0,
        b: 1.0,
        c: 0.0,
    };
    /// LSGAN with `a = 0, b = 1, c = 1` (Mao et al. 2017, eq. 9).
    pub const LSGAN_01: Self = Loss::Lsgan {
        a: 0.0,
        b: 1.0,
        c: 1.0,
    };

    /// D's loss on a batch of real outputs and a batch of fake outputs: the sum of the two
    /// batch means. Writes `∂L/∂real[i]` into `d_real` and `∂L/∂fake[i]` into `d_fake`
    /// (overwritten). Panics if a batch is empty or a gradient slice has another length.
    pub fn d_loss(
        &self,
        real: &[f32],
        fake: &[f32],
        d_real: &mut [f32],
        d_fake: &mut [f32],
    ) -> f32 {
        mean_into(real, d_real, |x| self.d_term(x, Side::Real))
            + mean_into(fake, d_fake, |x| self.d_term(x, Side::Fake))
    }

    /// G's loss on a batch of D's outputs for fakes, the batch mean. Writes `∂L/∂fake[i]`
    /// into `d_fake` (overwritten); D's backward pass carries it to G's output. Panics if
    /// the batch is empty or `d_fake` has another length.
    pub fn g_loss(&self, fake: &[f32], d_fake: &mut [f32]) -> f32 {
        mean_into(fake, d_fake, |x| self.g_term(x))
    }

    /// D's per-sample loss and its derivative for one output.
    fn d_term(&self, x: f32, side: Side) -> (f32, f32) {
        match (*self, side) {
            (Loss::Bce { smoothing } | Loss::Minimax { smoothing }, Side::Real) => {
                bce(x, smoothing.real_target())
            }
            (Loss::Bce { .. } | Loss::Minimax { .. }, Side::Fake) => bce(x, 0.0),
            (Loss::Lsgan { b, .. }, Side::Real) => half_square(x, b),
            (Loss::Lsgan { a, .. }, Side::Fake) => half_square(x, a),
            (Loss::Hinge, Side::Real) => hinge(1.0 - x, -1.0),
            (Loss::Hinge, Side::Fake) => hinge(1.0 + x, 1.0),
            (Loss::Wasserstein, Side::Real) => (-x, -1.0),
            (Loss::Wasserstein, Side::Fake) => (x, 1.0),
        }
    }

    /// G's per-sample loss and its derivative for one output on a fake.
    fn g_term(&self, x: f32) -> (f32, f32) {
        match *self {
            Loss::Bce { .. } => bce(x, 1.0),
            Loss::Minimax { .. } => (-softplus(x), -sigmoid(x)),
            Loss::Lsgan { c, .. } => half_square(x, c),
            Loss::Hinge | Loss::Wasserstein => (-x, -1.0),
        }
    }
}

/// The mean of `term(x[i]).0` over the batch; writes `term(x[i]).1 / B` into `dx[i]`.
fn mean_into(x: &[f32], dx: &mut [f32], term: impl Fn(f32) -> (f32, f32)) -> f32 {
    assert!(!x.is_empty(), "a loss needs a non-empty batch");
    assert_eq!(x.len(), dx.len(), "gradient slice length");
    let inv = 1.0 / x.len() as f32;
    let mut sum = 0.0;
    for (xi, di) in x.iter().zip(dx) {
        let (l, g) = term(*xi);
        sum += l;
        *di = g * inv;
    }
    sum * inv
}

/// Binary cross-entropy of logit `x` against target `t`: `softplus(x) − t·x`, derivative
/// `σ(x) − t`.
fn bce(x: f32, t: f32) -> (f32, f32) {
    (softplus(x) - t * x, sigmoid(x) - t)
}

/// `½(x − t)²` and its derivative `x − t`.
fn half_square(x: f32, t: f32) -> (f32, f32) {
    let e = x - t;
    (0.5 * e * e, e)
}

/// `max(0, m)` for a margin `m` whose derivative with respect to the output is `slope`.
fn hinge(m: f32, slope: f32) -> (f32, f32) {
    if m > 0.0 { (m, slope) } else { (0.0, 0.0) }
}

/// `ln(1 + eˣ)` without overflow: `max(x, 0) + ln(1 + e^(−|x|))`.
pub fn softplus(x: f32) -> f32 {
    x.max(0.0) + libm::log1pf(libm::expf(-libm::fabsf(x)))
}

/// The logistic sigmoid `1 / (1 + e^(−x))`, evaluated so that the exponential never
/// overflows.
pub fn sigmoid(x: f32) -> f32 {
    let e = libm::expf(-libm::fabsf(x));
    if x >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::check_scalar_fn;
    use core::f32::consts::LN_2;

    const ALL: [Loss; 6] = [
        Loss::BCE_SMOOTHED,
        Loss::Minimax {
            smoothing: Smoothing::NONE,
        },
        Loss::LSGAN_CHI2,
        Loss::LSGAN_01,
        Loss::Hinge,
        Loss::Wasserstein,
    ];

    fn d(loss: Loss, real: &[f32], fake: &[f32]) -> (f32, [f32; 4], [f32; 4]) {
        let (mut dr, mut df) = ([0.0; 4], [0.0; 4]);
        let l = loss.d_loss(real, fake, &mut dr[..real.len()], &mut df[..fake.len()]);
        (l, dr, df)
    }

    fn g(loss: Loss, fake: &[f32]) -> (f32, [f32; 4]) {
        let mut df = [0.0; 4];
        (loss.g_loss(fake, &mut df[..fake.len()]), df)
    }

    fn close(a: f32, b: f32) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }

    #[test]
    fn bce_by_hand_at_logit_zero() {
        let plain = Loss::Bce {
            smoothing: Smoothing::NONE,
        };
        let (l, dr, df) = d(plain, &[0.0], &[0.0]);
        close(l, 2.0 * LN_2);
        assert_eq!((dr[0], df[0]), (-0.5, 0.5));
        let (l, dr, _) = d(Loss::BCE_SMOOTHED, &[0.0, 0.0], &[0.0]);
        close(l, 2.0 * LN_2);
        close(dr[0], (0.5 - 0.9) / 2.0);
        let (l, dg) = g(plain, &[0.0]);
        close(l, LN_2);
        assert_eq!(dg[0], -0.5);
        let (l, dg) = g(ALL[1], &[0.0]);
        close(l, -LN_2);
        assert_eq!(dg[0], -0.5);
    }

    #[test]
    fn bce_is_stable_at_extreme_logits() {
        let (l, dr, df) = d(Loss::BCE_SMOOTHED, &[-100.0], &[100.0]);
        // softplus(−100) + 90 + softplus(100) = 190 + tiny terms.
        close(l, 190.0);
        close(dr[0], -0.9);
        close(df[0], 1.0);
        let (l, dg) = g(ALL[0], &[-100.0]);
        close(l, 100.0);
        close(dg[0], -1.0);
        let (l, _, _) = d(ALL[0], &[100.0], &[-100.0]);
        close(l, 10.0);
    }

    #[test]
    fn lsgan_hinge_wasserstein_by_hand() {
        let (l, dr, df) = d(Loss::LSGAN_CHI2, &[1.0, 3.0], &[-1.0, 0.0]);
        close(l, 0.5 * (0.0 + 4.0) / 2.0 + 0.5 * (0.0 + 1.0) / 2.0);
        assert_eq!((dr, df), ([0.0, 1.0, 0.0, 0.0], [0.0, 0.5, 0.0, 0.0]));
        let (l, dg) = g(Loss::LSGAN_CHI2, &[1.0, 0.0]);
        close(l, 0.25);
        assert_eq!(dg[..2], [0.5, 0.0]);
        let (l, dg) = g(Loss::LSGAN_01, &[1.0, 0.0]);
        close(l, 0.25);
        assert_eq!(dg[..2], [0.0, -0.5]);

        let (l, dr, df) = d(Loss::Hinge, &[0.5, 2.0], &[-2.0, 0.0]);
        close(l, 0.25 + 0.5);
        assert_eq!((&dr[..2], &df[..2]), (&[-0.5, 0.0][..], &[0.0, 0.5][..]));
        let (l, dr, df) = d(Loss::Wasserstein, &[1.0, 2.0], &[3.0, 5.0]);
        close(l, 4.0 - 1.5);
        assert_eq!((&dr[..2], &df[..2]), (&[-0.5, -0.5][..], &[0.5, 0.5][..]));
        for loss in [Loss::Hinge, Loss::Wasserstein] {
            let (l, dg) = g(loss, &[3.0, 5.0]);
            close(l, -4.0);
            assert_eq!(dg[..2], [-0.5, -0.5]);
        }
    }

    /// At the kinks (real output 1, fake output −1) the hinge terms are 0 with subgradient 0.
    #[test]
    fn hinge_kinks_take_subgradient_zero() {
        let (l, dr, df) = d(Loss::Hinge, &[1.0], &[-1.0]);
        assert_eq!((l, dr[0], df[0]), (0.0, 0.0, 0.0));
    }

    #[test]
    fn gradients_match_finite_differences() {
        // Away from the hinge kinks at ±1.
        let real = [1.7, -0.3, 0.4];
        let fake = [-1.6, 0.2, 2.5, -0.7];
        for loss in ALL {
            let (_, dr, df) = d(loss, &real, &fake);
            check_scalar_fn(|r| d(loss, r, &fake).0, &real, &dr[..3]);
            check_scalar_fn(|f| d(loss, &real, f).0, &fake, &df);
            let (_, dg) = g(loss, &fake);
            check_scalar_fn(|f| g(loss, f).0, &fake, &dg);
        }
    }

    /// With real and fake outputs tied to one logit (equal densities), gradient descent on
    /// D's loss drives D's probability to the optimum α/2.
    #[test]
    fn smoothed_discriminator_settles_at_half_alpha() {
        for alpha in [1.0, 0.9, 0.7] {
            let loss = Loss::Bce {
                smoothing: Smoothing::one_sided(alpha),
            };
            let mut s = 3.0;
            for _ in 0..2000 {
                let (_, dr, df) = d(loss, &[s], &[s]);
                s -= 0.5 * (dr[0] + df[0]);
            }
            assert!((sigmoid(s) - alpha / 2.0).abs() < 1e-5, "α = {alpha}");
        }
    }

    #[test]
    #[should_panic(expected = "0 < α ≤ 1")]
    fn smoothing_above_one_is_rejected() {
        let _ = Smoothing::one_sided(1.1);
    }

    #[test]
    fn sigmoid_and_softplus_by_hand() {
        assert_eq!(sigmoid(0.0), 0.5);
        close(sigmoid(2.0) + sigmoid(-2.0), 1.0);
        assert_eq!(sigmoid(-200.0), 0.0);
        assert_eq!(sigmoid(200.0), 1.0);
        close(softplus(0.0), LN_2);
        assert_eq!(softplus(200.0), 200.0);
        assert_eq!(softplus(-200.0), 0.0);
    }
}
