//! GAN losses and the training techniques that act outside the layers.
//!
//! Everything here works on flat slices or on [`Params`](crate::params::Params) values the
//! caller owns; nothing allocates.
//!
//! - [`loss`]: D and G losses on D's raw outputs (BCE with one-sided label smoothing,
//!   minimax, LSGAN, hinge, Wasserstein), each writing dL/d(output);
//! - [`classes`]: the semi-supervised D head (Salimans §5): K class logits, their
//!   log-sum-exp as the GAN logit, cross-entropy on labelled real samples;
//! - [`clip_value`](crate::optim::clip_value) (in [`optim`](crate::optim)): WGAN weight clipping over a model's parameters;
//! - [`feature_matching`](mod@feature_matching): the generator loss on a D layer's features (Salimans §3.1);
//! - [`history`]: historical averaging of parameters (Salimans §3.3), EMA or window mean;
//!   [`any_history`]: the one a run chooses at run time;
//! - [`replay`]: a static ring buffer of past fakes mixed into D's fake batches;
//! - [`noise`]: instance noise on D's inputs with an annealed σ;
//! - [`top_k`]: top-k training, G learns only from the fakes D rates best;
//! - [`translate`]: random translation of real and fake images before D, with its adjoint;
//! - [`balance`]: how many D and G steps to take, with an adaptive skip rule;
//! - [`mixture`]: which of K generators to keep for which modes, and how to sample them.

pub mod any_history;
pub mod balance;
pub mod classes;
pub mod feature_matching;
pub mod history;
pub mod loss;
pub mod mixture;
pub mod noise;
pub mod replay;
mod ring;
pub mod top_k;
pub mod translate;

pub use any_history::{AnyHistory, Averaging};
pub use balance::{Balance, Plan};
pub use feature_matching::{feature_matching, feature_matching_flat};
pub use history::{Ema, History, Window};
pub use loss::{Loss, Smoothing};
pub use mixture::ModeAssign;
pub use noise::{Anneal, add_noise};
pub use replay::{Replay, Share};
pub use top_k::{TopK, keep_top_k};
pub use translate::{Shift, Translate};
