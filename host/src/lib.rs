//! The tinygan host library: data, training driver, evaluation, export and benchmarks.
//!
//! - [`data`]: the 2-D mixtures and the 8×8 digits, scaled to `[−1, 1]`;
//! - [`metrics`]: mode coverage for the 2-D sets, classifier score and Fréchet distance
//!   for digits.

pub mod bench;
pub mod config;
pub mod data;
pub mod fsutil;
pub mod generate;
pub mod metrics;
pub mod presets;
pub mod train;
