//! The knobs of a training step.

use crate::gan::{Anneal, Loss, Share, TopK, Translate};

/// What G minimises.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GObjective {
    /// The adversarial loss of [`StepConfig::loss`] on D's output for fakes.
    Adversarial,
    /// Feature matching (Salimans et al. 2016, arXiv:1606.03498, §3.1): the squared
    /// distance between the mean features of real and fake batches at the output of D's
    /// layer `layer` (an index into D's `network!` list).
    FeatureMatching {
        /// D layer whose output is matched.
        layer: usize,
    },
}

/// Every technique that acts in the training step. [`StepConfig::BASELINE`] is the plain
/// non-saturating GAN with none of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepConfig {
    /// The adversarial loss (with one-sided label smoothing for the BCE losses).
    pub loss: Loss,
    /// What G minimises.
    pub g_objective: GObjective,
    /// Instance noise on D's inputs, real and fake (Sønderby et al. 2016,
    /// arXiv:1610.04490), annealed over steps; `None` for none.
    pub noise: Option<Anneal>,
    /// Share of each D fake batch drawn from the experience-replay buffer.
    pub replay: Share,
    /// Historical averaging weight `λ` for D (0 for off).
    pub history_d: f32,
    /// Historical averaging weight `λ` for G (0 for off).
    pub history_g: f32,
    /// Clip D's weights to `[−c, c]` after each D update (Wasserstein GAN).
    pub clip_d: Option<f32>,
    /// Differentiable translation of D's real and fake inputs in every update (Zhao et al.
    /// 2020, arXiv:2006.10738); `None` for none.
    pub translate: Option<Translate>,
    /// Top-k training of G (Sinha et al. 2020, arXiv:2002.06224): only the fakes D rates
    /// best drive the adversarial G update; `None` for all of them.
    pub top_k: Option<TopK>,
    /// Weight `λ` of the supervised cross-entropy on the labelled real batch when D has
    /// `K > 1` class outputs (Salimans et al. 2016, §5; see [`classes`](crate::gan::classes));
    /// 0 for none, unused by a one-output D.
    pub supervised: f32,
    /// Rows at the start of every G batch whose `z` is the fixed reference batch of
    /// virtual batch norm (0 when G has no VBN layer).
    pub reference_rows: usize,
}

impl StepConfig {
    /// Every byte zero (BCE with real target 0, σ = 0 noise, nothing else): the
    /// placeholder of [`Gan::ZERO`](super::Gan), which [`Gan::reset`](super::Gan::reset)
    /// replaces; not a configuration to train with.
    pub(crate) const UNSET: Self = Self {
        loss: Loss::Bce {
            smoothing: crate::gan::Smoothing::ZERO_BYTES,
        },
        noise: Some(Anneal::ZERO_BYTES),
        replay: Share::Fraction(0.0),
        ..Self::BASELINE
    };

    /// Non-saturating BCE without smoothing, adversarial G loss, nothing else.
    pub const BASELINE: Self = Self {
        loss: Loss::Bce {
            smoothing: crate::gan::Smoothing::NONE,
        },
        g_objective: GObjective::Adversarial,
        noise: None,
        replay: Share::Count(0),
        history_d: 0.0,
        history_g: 0.0,
        clip_d: None,
        translate: None,
        top_k: None,
        supervised: 0.0,
        reference_rows: 0,
    };
}
