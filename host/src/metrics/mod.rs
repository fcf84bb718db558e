//! Measuring GAN quality (DESIGN §4).
//!
//! - [`modes`]: the 2-D mixtures: high-quality fraction, modes covered, reverse KL;
//! - [`EvalReport`]: the JSON-able result of an evaluation.

pub mod modes;

pub use modes::{ModeScores, mode_scores};
pub mod classifier;

pub use classifier::DigitsClassifier;
