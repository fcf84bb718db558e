//! The training config: every model choice and technique knob, read from TOML.
//!
//! Every error names the key and what it allows: an unknown key, a value of the wrong type
//! ("config key `lr_g` = \"fast\": expected a number in (0, 1]"), a value out of range
//! (the same form as the flags', [`crate::count`]), a name that is not one of the key's
//! names (they are listed).
//! A data set's preset gives the defaults; a config file overrides them; command-line
//! flags override the file.

use crate::count::Count;
use crate::train::Image;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;
use tinygan_core::gan::{Anneal, Averaging, Balance, Loss, Share, Smoothing, TopK, Translate};
use tinygan_core::optim::{AdamConfig, OptimizerConfig, RmsPropConfig, SgdConfig};
use tinygan_core::train::{GObjective, LrSchedule, RunConfig, StepConfig};

/// Generator architecture variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GenArch {
    /// Dense/conv layers and ReLU only.
    Plain,
    /// Batch norm after each hidden layer.
    Batchnorm,
    /// Virtual batch norm after each hidden layer (Salimans et al. 2016, §3.5).
    Vbn,
    /// The plain layers with twice the channels (digits only).
    Wide,
}

/// Discriminator architecture variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiscArch {
    /// Dense/strided-conv layers and LeakyReLU only.
    Plain,
    /// With a minibatch-discrimination layer before the output (Salimans et al. 2016, §3.2).
    Minibatch,
    /// The plain layers with twice the channels or width (the capacity knob).
    Wide,
    /// The plain layers judging packs of four samples (PacGAN4, Lin et al. 2018; 2-D
    /// mixtures only): see `presets::mixture::MixDPack`.
    Pack,
    /// The same judging pairs (PacGAN2; 2-D mixtures only): `presets::mixture::MixDPack2`.
    Pack2,
    /// Pairs, twice as wide (2-D mixtures only): `presets::mixture::MixDPack2Wide`.
    Pack2Wide,
    /// The plain layers with one logit per class instead of one real/fake logit, whose
    /// log-sum-exp is the GAN logit (the semi-supervised D of Salimans et al. 2016, §5;
    /// digits only): `presets::digits::DigitsDClasses`. `supervised` weighs its
    /// cross-entropy on the real digits' labels.
    Classes,
}

/// Adversarial loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LossName {
    /// Non-saturating binary cross-entropy.
    Bce,
    /// The original minimax objective.
    Minimax,
    /// Least squares, coding a = −1, b = 1, c = 0.
    Lsgan,
    /// Hinge.
    Hinge,
    /// Wasserstein (with weight clipping, `clip`).
    Wasserstein,
}

/// Optimiser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptName {
    /// Adam (`lr`, `beta1`, `beta2`).
    Adam,
    /// RMSProp (`lr`, α = 0.99).
    Rmsprop,
    /// SGD with momentum `beta1`.
    Sgd,
}

/// Which historical average.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HistoryKind {
    /// Exponential moving average with decay `history_beta`.
    Ema,
    /// Mean of the last 16 snapshots (one per update).
    Window,
}

/// Every knob of a training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    /// Iterations (each: `d_steps` D updates and `g_steps` G updates).
    pub steps: u32,
    /// Seed of initial weights, `z`, noise and data order.
    pub seed: u64,
    /// Generator variant.
    pub generator: GenArch,
    /// Discriminator variant.
    pub discriminator: DiscArch,
    /// Adversarial loss.
    pub loss: LossName,
    /// D's target for real samples, `α ∈ (0, 1]` (one-sided label smoothing; 1 is off).
    pub label_smoothing: f32,
    /// G matches D's mean features (of its last hidden layer) instead of fooling D.
    pub feature_matching: bool,
    /// Optimiser of both networks.
    pub optimizer: OptName,
    /// G's learning rate.
    pub lr_g: f32,
    /// D's learning rate.
    pub lr_d: f32,
    /// Adam's β₁ (SGD's momentum).
    pub beta1: f32,
    /// Adam's β₂.
    pub beta2: f32,
    /// Instance noise σ₀ on D's inputs, annealed linearly to 0 (0 is off).
    pub instance_noise: f32,
    /// Iterations over which the instance noise anneals (0: the whole run).
    pub noise_anneal: u32,
    /// Share of each D fake batch drawn from past fakes (experience replay; 0 is off).
    pub replay: f32,
    /// Historical averaging weight `λ` for both networks (0 is off).
    pub history: f32,
    /// Which historical average.
    pub history_kind: HistoryKind,
    /// EMA decay of the historical average.
    pub history_beta: f32,
    /// D updates per iteration.
    pub d_steps: u32,
    /// G updates per iteration.
    pub g_steps: u32,
    /// Rest D while its loss is below this (adaptive balance; absent is off).
    pub d_floor: Option<f32>,
    /// Rest G while its loss is below this (adaptive balance; absent is off).
    pub g_floor: Option<f32>,
    /// Longest rest of one side, in iterations.
    pub max_skips: u32,
    /// Clip D's weights to `[−clip, clip]` after each update (0 is off; Wasserstein).
    pub clip: f32,
    /// Generators trained (multiple GANs; each kept for the modes it covers best).
    pub generators: u32,
    /// Learning rate of both networks at the last iteration, as a fraction of `lr_g` and
    /// `lr_d`: the rate decays linearly from ×1 at the first iteration to ×`lr_final` at the
    /// last (1 is a constant rate).
    pub lr_final: f32,
    /// Differentiable translation (Zhao et al. 2020, "Differentiable Augmentation for
    /// Data-Efficient GAN Training", arXiv:2006.10738, §3): every real and fake image D sees
    /// is shifted by a random offset of up to this many pixels along each axis (0 is off;
    /// image data only).
    pub translate: u32,
    /// Top-k training (Sinha et al. 2020, "Top-k Training of GANs", arXiv:2002.06224, §3):
    /// the smallest share `ν` of each G batch whose fakes drive G's adversarial update, the
    /// ones D rates most real (1 is off: every fake).
    pub top_k: f32,
    /// Iterations over which the kept share shrinks linearly from 1 to `top_k` (0: the
    /// whole run).
    pub top_k_anneal: u32,
    /// Learning-rate warm-up, in iterations: the rate of iteration `it` is further
    /// multiplied by `min(1, (it + 1) / lr_warmup)`, a linear ramp to the full rate
    /// (Goyal et al. 2017, "Accurate, Large Minibatch SGD", arXiv:1706.02677, §2.2,
    /// "gradual warmup"; 0 is off).
    pub lr_warmup: u32,
    /// EMA decay `β` of a copy of G's weights, `θ̄ ← βθ̄ + (1 − β)θ` after every iteration;
    /// that copy is the generator sampled, scored and saved (0 is off: the last weights).
    /// Yazici et al. 2018, "The Unusual Effectiveness of Averaging in GAN Training",
    /// arXiv:1806.04498, §3.
    pub ema_g: f32,
    /// Weight `λ` of D's cross-entropy on the labels of the real batch (semi-supervised
    /// learning, Salimans et al. 2016, §5): needs `discriminator = "classes"` (0 is off).
    pub supervised: f32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self::baseline()
    }
}

/// Iterations of a run: the range of config key `steps` and of every `--steps`.
pub const STEPS: Count = Count::new(1, 10_000_000);
/// Seeds: any a config file can hold (TOML integers are signed 64-bit).
pub const SEED: Count = Count::new(0, i64::MAX as u64);

/// A number in `[lo, hi]`, or `(lo, hi]` when `lo_open`.
#[derive(Clone, Copy, Debug)]
struct Real {
    lo: f32,
    hi: f32,
    lo_open: bool,
}

impl fmt::Display for Real {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let open = if self.lo_open { "(" } else { "[" };
        write!(f, "{open}{}, {}]", self.lo, self.hi)
    }
}

/// What a numeric config key allows.
#[derive(Clone, Copy, Debug)]
enum Allowed {
    /// A number in a range.
    Real(Real),
    /// A whole number in a range.
    Count(Count),
}

const fn closed(lo: f32, hi: f32) -> Allowed {
    Allowed::Real(Real {
        lo,
        hi,
        lo_open: false,
    })
}

const fn open(lo: f32, hi: f32) -> Allowed {
    Allowed::Real(Real {
        lo,
        hi,
        lo_open: true,
    })
}

const fn count(lo: u64, hi: u64) -> Allowed {
    Allowed::Count(Count::new(lo, hi))
}

/// Every numeric key and what it allows; the other keys are names or booleans, checked
/// by their types.
const NUMERIC: &[(&str, Allowed)] = &[
    ("steps", Allowed::Count(STEPS)),
    ("seed", Allowed::Count(SEED)),
    ("label_smoothing", open(0.0, 1.0)),
    ("lr_g", open(0.0, 1.0)),
    ("lr_d", open(0.0, 1.0)),
    ("beta1", closed(0.0, 0.999_999)),
    ("beta2", closed(0.0, 0.999_999)),
    ("instance_noise", closed(0.0, 10.0)),
    ("noise_anneal", count(0, u32::MAX as u64)),
    ("replay", closed(0.0, 1.0)),
    ("history", closed(0.0, 100.0)),
    ("history_beta", closed(0.0, 0.999_999)),
    ("d_steps", count(1, 100)),
    ("g_steps", count(1, 100)),
    ("d_floor", closed(-1e6, 1e6)),
    ("g_floor", closed(-1e6, 1e6)),
    ("max_skips", count(0, 10_000)),
    ("clip", closed(0.0, 100.0)),
    ("generators", count(1, 16)),
    ("lr_final", closed(0.0, 1.0)),
    ("translate", count(0, 16)),
    ("top_k", open(0.0, 1.0)),
    ("top_k_anneal", count(0, 10_000_000)),
    ("lr_warmup", count(0, 10_000_000)),
    ("ema_g", closed(0.0, 0.999_999)),
    ("supervised", closed(0.0, 100.0)),
];

impl Allowed {
    /// Checks the value of `key` as TOML holds it: its type, then its range; an error
    /// names the key, the value and what is allowed.
    fn check(self, key: &str, v: &toml::Value) -> Result<()> {
        let name = format!("config key `{key}`");
        match (self, v) {
            (Self::Count(c), toml::Value::Integer(i)) => c.check(&name, i128::from(*i)).map(drop),
            (Self::Count(c), _) => bail!("{name} = {v}: expected a whole number from {c}"),
            (Self::Real(r), toml::Value::Integer(i)) => r.check(&name, *i as f64),
            (Self::Real(r), toml::Value::Float(x)) => r.check(&name, *x),
            (Self::Real(r), _) => bail!("{name} = {v}: expected a number in {r}"),
        }
    }
}

impl Real {
    fn check(self, name: &str, x: f64) -> Result<()> {
        let (lo, hi) = (f64::from(self.lo), f64::from(self.hi));
        let above_lo = if self.lo_open { x > lo } else { x >= lo };
        if !(x.is_finite() && above_lo && x <= hi) {
            bail!("{name} = {} is out of range: allowed {self}", x as f32);
        }
        Ok(())
    }
}

/// Checks one key of a config file: that it exists, its type and, for a number, its
/// range. Every error names the key and what it allows (for a name, the names).
fn check_key(key: &str, v: &toml::Value) -> Result<()> {
    if let Some((_, allowed)) = NUMERIC.iter().find(|(k, _)| *k == key) {
        return allowed.check(key, v);
    }
    let alone = toml::Table::from_iter([(key.to_string(), v.clone())]);
    toml::Value::Table(alone)
        .try_into::<TrainConfig>()
        .map(drop)
        .map_err(|e| anyhow::anyhow!("config key `{key}` = {v}: {}", e.message()))
}

impl TrainConfig {
    /// The plain GAN: non-saturating BCE, Adam (DCGAN settings), no technique.
    pub fn baseline() -> Self {
        Self {
            steps: 3000,
            seed: 0,
            generator: GenArch::Plain,
            discriminator: DiscArch::Plain,
            loss: LossName::Bce,
            label_smoothing: 1.0,
            feature_matching: false,
            optimizer: OptName::Adam,
            lr_g: 2e-4,
            lr_d: 2e-4,
            beta1: 0.5,
            beta2: 0.999,
            instance_noise: 0.0,
            noise_anneal: 0,
            replay: 0.0,
            history: 0.0,
            history_kind: HistoryKind::Ema,
            history_beta: 0.99,
            d_steps: 1,
            g_steps: 1,
            d_floor: None,
            g_floor: None,
            max_skips: 5,
            clip: 0.0,
            generators: 1,
            lr_final: 1.0,
            translate: 0,
            top_k: 1.0,
            top_k_anneal: 0,
            lr_warmup: 0,
            ema_g: 0.0,
            supervised: 0.0,
        }
    }

    /// Reads a TOML file over `self` (keys absent from the file keep their values).
    pub fn merge_file(&self, path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config {}", path.display()))?;
        self.merge_str(&text)
            .with_context(|| format!("in config {}", path.display()))
    }

    /// Reads TOML text over `self`.
    pub fn merge_str(&self, text: &str) -> Result<Self> {
        let mut table = self.table()?;
        let file: toml::Table = toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
        for (k, v) in file {
            check_key(&k, &v)?;
            table.insert(k, v);
        }
        let merged: Self = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| anyhow::anyhow!("{}", e.message()))?;
        merged.validate()?;
        Ok(merged)
    }

    /// The config as documented TOML (what `tinygan init` writes).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a config always encodes")
    }

    /// The config as a TOML table.
    fn table(&self) -> Result<toml::Table> {
        SEED.check("config key `seed`", i128::from(self.seed))?;
        toml::Table::try_from(self).context("cannot encode the config")
    }

    /// Checks every value against what its key allows ([`NUMERIC`]), then the rules
    /// between keys.
    pub fn validate(&self) -> Result<()> {
        let table = self.table()?;
        for (key, allowed) in NUMERIC {
            if let Some(v) = table.get(*key) {
                allowed.check(key, v)?;
            }
        }
        if self.loss == LossName::Wasserstein && self.clip == 0.0 {
            bail!(
                "config key `clip` must be > 0 with loss = \"wasserstein\" (the critic must stay Lipschitz; the paper uses 0.01)"
            );
        }
        let smoothing_applies = matches!(self.loss, LossName::Bce | LossName::Minimax);
        if self.label_smoothing < 1.0 && !smoothing_applies {
            bail!("config key `label_smoothing` applies only to loss = \"bce\" or \"minimax\"");
        }
        Ok(())
    }

    /// The loss of the core training step.
    pub fn loss(&self) -> Loss {
        let smoothing = Smoothing::one_sided(self.label_smoothing);
        match self.loss {
            LossName::Bce => Loss::Bce { smoothing },
            LossName::Minimax => Loss::Minimax { smoothing },
            LossName::Lsgan => Loss::LSGAN_CHI2,
            LossName::Hinge => Loss::Hinge,
            LossName::Wasserstein => Loss::Wasserstein,
        }
    }

    /// The step-level techniques, with feature matching on D layer `feature_layer`; fails
    /// if translation is asked for and D's input is not an `image`.
    pub fn step_config(
        &self,
        feature_layer: usize,
        reference_rows: usize,
        image: Option<Image>,
        classes: usize,
    ) -> Result<StepConfig> {
        if self.supervised > 0.0 && classes < 2 {
            bail!(
                "config key `supervised` = {} needs a discriminator with class outputs (`discriminator = \"classes\"`, digits only); set `supervised = 0` for this one",
                self.supervised
            );
        }
        let translate = match (self.translate, image) {
            (0, _) => None,
            (max, Some(im)) => Some(Translate {
                channels: im.channels,
                height: im.height,
                width: im.width,
                max: max as u8,
                fill: im.background,
            }),
            (_, None) => bail!("config key `translate` applies only to image data (digits)"),
        };
        // Both schedules count D and G updates; 0 iterations means the whole run.
        let updates = |iterations: u32| {
            let iterations = if iterations == 0 {
                self.steps
            } else {
                iterations
            };
            iterations.saturating_mul(self.d_steps + self.g_steps)
        };
        let anneal = updates(self.noise_anneal);
        Ok(StepConfig {
            loss: self.loss(),
            g_objective: if self.feature_matching {
                GObjective::FeatureMatching {
                    layer: feature_layer,
                }
            } else {
                GObjective::Adversarial
            },
            noise: (self.instance_noise > 0.0).then(|| Anneal::linear(self.instance_noise, anneal)),
            replay: Share::Fraction(self.replay),
            history_d: self.history,
            history_g: self.history,
            clip_d: (self.clip > 0.0).then_some(self.clip),
            translate,
            top_k: (self.top_k < 1.0).then(|| TopK::linear(self.top_k, updates(self.top_k_anneal))),
            supervised: self.supervised,
            reference_rows,
        })
    }

    /// The optimiser of one network, with learning rate `lr`.
    pub fn optimizer(&self, lr: f32) -> OptimizerConfig {
        match self.optimizer {
            OptName::Adam => OptimizerConfig::Adam(AdamConfig {
                beta1: self.beta1,
                beta2: self.beta2,
                ..AdamConfig::new(lr)
            }),
            OptName::Rmsprop => OptimizerConfig::RmsProp(RmsPropConfig::new(lr)),
            OptName::Sgd => OptimizerConfig::Sgd(SgdConfig {
                momentum: self.beta1,
                ..SgdConfig::new(lr)
            }),
        }
    }

    /// The learning-rate schedule: linear from ×1 to ×`lr_final` over `steps`, with the
    /// warm-up ramp of `lr_warmup` iterations.
    pub fn lr_schedule(&self) -> LrSchedule {
        LrSchedule {
            steps: self.steps,
            lr_final: self.lr_final,
            warmup: self.lr_warmup,
        }
    }

    /// The historical average of both networks: off when `history` is 0, else the EMA
    /// with decay `history_beta` or the window of
    /// [`HISTORY_WINDOW`](crate::train::HISTORY_WINDOW) snapshots.
    pub fn averaging(&self) -> Averaging {
        match (self.history > 0.0, self.history_kind) {
            (false, _) => Averaging::Off,
            (true, HistoryKind::Ema) => Averaging::Ema(self.history_beta),
            (true, HistoryKind::Window) => Averaging::Window,
        }
    }

    /// Base learning rates, their schedule and the EMA of G (off when `ema_g` is 0).
    pub fn run_config(&self) -> RunConfig {
        RunConfig {
            lr_g: self.lr_g,
            lr_d: self.lr_d,
            schedule: self.lr_schedule(),
            ema_g: (self.ema_g > 0.0).then_some(self.ema_g),
        }
    }

    /// The D/G schedule.
    pub fn balance(&self) -> Balance {
        Balance::adaptive(
            self.d_steps,
            self.g_steps,
            self.d_floor.unwrap_or(f32::NEG_INFINITY),
            self.g_floor.unwrap_or(f32::NEG_INFINITY),
            self.max_skips,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_overrides_only_its_keys() {
        let c = TrainConfig::baseline()
            .merge_str("lr_g = 0.001\nloss = \"lsgan\"\n")
            .unwrap();
        assert_eq!(c.lr_g, 0.001);
        assert_eq!(c.loss, LossName::Lsgan);
        assert_eq!(c.lr_d, TrainConfig::baseline().lr_d);
    }

    /// Keys the text leaves out keep the values of the config it is read over, not the
    /// defaults.
    #[test]
    fn absent_keys_keep_the_values_read_over() {
        let base = TrainConfig {
            steps: 77,
            lr_d: 0.0123,
            ..TrainConfig::baseline()
        };
        let c = base.merge_str("lr_g = 0.001").unwrap();
        assert_eq!((c.steps, c.lr_d, c.lr_g), (77, 0.0123, 0.001));
    }

    /// A file is read like its text; a missing file is an error naming it.
    #[test]
    fn merge_file_reads_the_file_and_names_a_missing_one() {
        let dir = std::env::temp_dir().join(format!("tinygan-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("run.toml");
        std::fs::write(&path, "steps = 123\nloss = \"hinge\"\n").unwrap();
        let c = TrainConfig::baseline().merge_file(&path).unwrap();
        assert_eq!((c.steps, c.loss), (123, LossName::Hinge));
        let missing = dir.join("missing.toml");
        let msg = format!(
            "{:#}",
            TrainConfig::baseline().merge_file(&missing).unwrap_err()
        );
        assert!(
            msg.starts_with(&format!("cannot read config {}", missing.display())),
            "{msg}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The error of reading `text` over the baseline, as printed.
    fn error_of(text: &str) -> String {
        format!("{:#}", TrainConfig::baseline().merge_str(text).unwrap_err())
    }

    #[test]
    fn unknown_key_is_named() {
        let msg = error_of("lr_gen = 0.1");
        assert!(
            msg.starts_with("config key `lr_gen` = 0.1: unknown field `lr_gen`")
                && msg.contains("`lr_g`"),
            "{msg}"
        );
    }

    #[test]
    fn out_of_range_value_names_key_and_range() {
        assert_eq!(
            error_of("replay = 1.5"),
            "config key `replay` = 1.5 is out of range: allowed [0, 1]"
        );
        assert_eq!(
            error_of("label_smoothing = 0"),
            "config key `label_smoothing` = 0 is out of range: allowed (0, 1]"
        );
    }

    #[test]
    fn wrong_type_number_names_key_and_range() {
        assert_eq!(
            error_of("lr_g = \"fast\""),
            "config key `lr_g` = \"fast\": expected a number in (0, 1]"
        );
        assert_eq!(
            error_of("steps = \"many\""),
            "config key `steps` = \"many\": expected a whole number from 1 to 10000000"
        );
        assert_eq!(
            error_of("steps = 1.5"),
            "config key `steps` = 1.5: expected a whole number from 1 to 10000000"
        );
    }

    #[test]
    fn negative_and_zero_count_name_key_and_range() {
        assert_eq!(
            error_of("steps = -5"),
            "config key `steps` = -5 is out of range: allowed 1 to 10000000"
        );
        assert_eq!(
            error_of("steps = 0"),
            "config key `steps` = 0 is out of range: allowed 1 to 10000000"
        );
        assert_eq!(
            error_of("generators = 17"),
            "config key `generators` = 17 is out of range: allowed 1 to 16"
        );
        assert_eq!(
            error_of("seed = -1"),
            "config key `seed` = -1 is out of range: allowed 0 to 9223372036854775807"
        );
    }

    /// The floors of the adaptive balance are losses, which can be negative (Wasserstein,
    /// hinge): any value in [−10⁶, 10⁶].
    #[test]
    fn floors_take_negative_losses() {
        let c = TrainConfig::baseline()
            .merge_str("d_floor = -2.5\ng_floor = -1000000")
            .unwrap();
        assert_eq!((c.d_floor, c.g_floor), (Some(-2.5), Some(-1e6)));
        assert_eq!(
            error_of("g_floor = -1000001"),
            "config key `g_floor` = -1000001 is out of range: allowed [-1000000, 1000000]"
        );
        assert_eq!(
            error_of("d_floor = 1e7"),
            "config key `d_floor` = 10000000 is out of range: allowed [-1000000, 1000000]"
        );
    }

    #[test]
    fn unknown_enum_value_lists_the_names() {
        let msg = error_of("loss = \"bogus\"");
        assert!(msg.starts_with("config key `loss` = \"bogus\": "), "{msg}");
        for name in ["`bce`", "`minimax`", "`lsgan`", "`hinge`", "`wasserstein`"] {
            assert!(msg.contains(name), "{msg}");
        }
        let msg = error_of("feature_matching = 1");
        assert!(
            msg.starts_with("config key `feature_matching` = 1: ") && msg.contains("bool"),
            "{msg}"
        );
    }

    #[test]
    fn bad_toml_is_an_error() {
        assert!(TrainConfig::baseline().merge_str("steps = ").is_err());
    }

    /// Every key whose value is a number is in [`NUMERIC`], so that every number has a
    /// stated range.
    #[test]
    fn every_numeric_key_has_a_range() {
        let c = TrainConfig {
            d_floor: Some(0.0),
            g_floor: Some(0.0),
            ..TrainConfig::baseline()
        };
        for (key, v) in c.table().unwrap() {
            if v.is_integer() || v.is_float() {
                assert!(NUMERIC.iter().any(|(k, _)| *k == key), "{key}");
            }
        }
    }

    #[test]
    fn wasserstein_needs_clipping_and_smoothing_needs_bce() {
        assert!(
            TrainConfig::baseline()
                .merge_str("loss = \"wasserstein\"")
                .is_err()
        );
        assert!(
            TrainConfig::baseline()
                .merge_str("loss = \"wasserstein\"\nclip = 0.01")
                .is_ok()
        );
        assert!(
            TrainConfig::baseline()
                .merge_str("loss = \"hinge\"\nlabel_smoothing = 0.9")
                .is_err()
        );
    }

    #[test]
    fn lr_decays_linearly_to_lr_final() {
        let c = TrainConfig {
            steps: 5,
            lr_final: 0.2,
            ..TrainConfig::baseline()
        };
        let f: Vec<f32> = (0..6).map(|it| c.lr_schedule().factor(it)).collect();
        for (got, want) in f.iter().zip([1.0, 0.8, 0.6, 0.4, 0.2, 0.2]) {
            assert!((got - want).abs() < 1e-6, "{f:?}");
        }
        let one = TrainConfig {
            steps: 1,
            ..c.clone()
        };
        assert_eq!(one.lr_schedule().factor(0), 1.0);
        assert_eq!(TrainConfig::baseline().lr_schedule().factor(1234), 1.0);
    }

    #[test]
    fn lr_warmup_ramps_linearly_to_the_decayed_rate() {
        let c = TrainConfig {
            steps: 5,
            lr_final: 0.2,
            lr_warmup: 2,
            ..TrainConfig::baseline()
        };
        let f: Vec<f32> = (0..5).map(|it| c.lr_schedule().factor(it)).collect();
        for (got, want) in f.iter().zip([0.5, 0.8, 0.6, 0.4, 0.2]) {
            assert!((got - want).abs() < 1e-6, "{f:?}");
        }
        let c = TrainConfig::baseline().merge_str("lr_warmup = 4").unwrap();
        assert_eq!(c.lr_schedule().factor(0), 0.25);
        assert_eq!(c.lr_schedule().factor(3), 1.0);
        let msg = format!(
            "{:#}",
            TrainConfig::baseline()
                .merge_str("lr_warmup = 20000000")
                .unwrap_err()
        );
        assert!(
            msg.contains("`lr_warmup`") && msg.contains("allowed"),
            "{msg}"
        );
    }

    #[test]
    fn lr_final_and_ema_g_are_range_checked() {
        for (text, key) in [
            ("lr_final = 1.5", "`lr_final`"),
            ("lr_final = -0.1", "`lr_final`"),
            ("ema_g = 1.0", "`ema_g`"),
            ("ema_g = -0.5", "`ema_g`"),
        ] {
            let msg = format!("{:#}", TrainConfig::baseline().merge_str(text).unwrap_err());
            assert!(msg.contains(key) && msg.contains("allowed"), "{msg}");
        }
        let c = TrainConfig::baseline()
            .merge_str("lr_final = 0\nema_g = 0.999")
            .unwrap();
        assert_eq!((c.lr_final, c.ema_g), (0.0, 0.999));
    }

    #[test]
    fn top_k_and_translate_are_checked() {
        for (text, key) in [
            ("top_k = 0", "`top_k`"),
            ("top_k = 1.5", "`top_k`"),
            ("translate = 17", "`translate`"),
        ] {
            let msg = format!("{:#}", TrainConfig::baseline().merge_str(text).unwrap_err());
            assert!(msg.contains(key) && msg.contains("allowed"), "{msg}");
        }
        let c = TrainConfig::baseline()
            .merge_str("top_k = 0.5\ntop_k_anneal = 10\ntranslate = 1")
            .unwrap();
        let step = c.step_config(3, 0, None, 1);
        assert!(format!("{:#}", step.unwrap_err()).contains("`translate`"));
        let image = Image {
            channels: 1,
            height: 8,
            width: 8,
            background: -1.0,
        };
        let step = c.step_config(3, 0, Some(image), 1).unwrap();
        let t = step.translate.unwrap();
        assert_eq!((t.max, t.fill, t.height), (1, -1.0, 8));
        // 10 iterations of one D and one G update: the share reaches ν = 0.5 at step 20.
        assert_eq!(step.top_k.unwrap().keep(20, 64), 32);
        let off = TrainConfig::baseline().step_config(3, 0, None, 1).unwrap();
        assert_eq!((off.top_k, off.translate), (None, None));
    }

    #[test]
    fn written_config_reads_back() {
        let c = TrainConfig {
            d_floor: Some(0.2),
            ..TrainConfig::baseline()
        };
        assert_eq!(TrainConfig::baseline().merge_str(&c.to_toml()).unwrap(), c);
    }
}
