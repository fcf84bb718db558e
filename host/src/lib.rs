//! The tinygan host library: data, training driver, evaluation, export and benchmarks.
//!
//! - [`data`]: the 2-D mixtures and the 8×8 digits, scaled to `[−1, 1]`;
//! - [`metrics`]: mode coverage for the 2-D sets, classifier score and Fréchet distance
//!   for digits;
//! - [`config`], [`train`], [`run`]: the training config, driver and `tinygan train`;
//! - [`heap`]: big values (the training state) built in place on the heap;
//! - [`count`]: whole-number settings and their ranges, for flags and config keys alike;
//! - [`fsutil`]: the one way an output is written, and the check before work starts;
//! - [`run_folder`]: a run's output folder, replaced as one set;
//! - [`quantize`]: post-training quantisation to int8, run by core's integer kernels;
//! - [`export`]: a model file as Rust or C source for a firmware image;
//! - [`inspect`]: what a model file holds, as the reader validates it;
//! - [`sampler`]: what `eval` and `generate` draw from: a model file or a run's mixture;
//! - [`boards`], [`deploy`]: the supported boards and `tinygan deploy` (a model generating
//!   on an emulated board);
//! - [`vectors`]: the expected values of the firmware self-test.

pub mod ablation;
pub mod bench;
pub mod boards;
pub mod config;
#[cfg(test)]
mod config_step_tests;
pub mod count;
pub mod data;
pub mod dataset;
pub mod deploy;
pub mod export;
pub mod fsutil;
pub mod generate;
pub mod heap;
pub mod inspect;
pub mod metrics;
pub mod model_io;
pub mod multi;
pub mod plot;
pub mod presets;
pub mod quantize;
pub mod run;
pub mod run_folder;
pub mod sampler;
pub mod train;
pub mod vectors;
