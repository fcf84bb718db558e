//! The tinygan host library: data, training driver, evaluation, export and benchmarks.

pub mod vectors;
