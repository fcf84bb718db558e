//! How far an int8 generator's samples are from its f32 model's on the same `z`.

use super::fold::Linear;
use super::int8::{Int8Generator, Kernel};
use std::fmt::Write;

/// Absolute differences between two sets of samples in data units.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Error {
    /// Samples compared.
    pub samples: usize,
    /// Largest absolute difference of one value.
    pub max_abs: f64,
    /// Mean absolute difference over every value.
    pub mean_abs: f64,
}

/// The difference of `int8` from `f32`, sample by sample (both in data units).
pub fn error(f32: &[Vec<f32>], int8: &[Vec<f32>]) -> Error {
    let (mut max, mut sum, mut count) = (0.0f64, 0.0f64, 0usize);
    for (a, b) in f32.iter().zip(int8) {
        for (&p, &q) in a.iter().zip(b) {
            let d = (p as f64 - q as f64).abs();
            (max, sum, count) = (max.max(d), sum + d, count + 1);
        }
    }
    Error {
        samples: f32.len().min(int8.len()),
        max_abs: max,
        mean_abs: sum / count.max(1) as f64,
    }
}

/// A table of the layers: kernel, parameter bytes, weight bits (linear layers), output
/// bits and the output's map.
pub fn layers(g: &Int8Generator) -> String {
    let mut s = format!(
        "{:<24} {:<16} {:>8}  weights  bits  output scale, zero point\n{:<24} {:<16} {:>8}  {:>7}  {:>4}  {:.6e}, {}\n",
        "layer",
        "kernel",
        "bytes",
        "z",
        "(input)",
        5,
        "",
        g.input_bits.count(),
        g.input.scale,
        g.input.zero_point
    );
    for l in &g.layers {
        let kind = match l.kernel {
            Kernel::Linear(Linear::Dense { .. }) => "dense",
            Kernel::Linear(Linear::Conv(_)) => "conv2d",
            Kernel::Linear(Linear::ConvTranspose(_)) => "conv-transpose2d",
            Kernel::Relu => "relu",
            Kernel::LeakyRelu(..) => "leaky relu",
            Kernel::Lut(_) => "table",
            Kernel::Lut16(_) => "table (16-bit)",
            Kernel::Shuffle(s) if s.inverse => "pixel unshuffle",
            Kernel::Shuffle(_) => "pixel shuffle",
        };
        let weights = match l.kernel {
            Kernel::Linear(_) => l.weight_bits.count().to_string(),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "{:<24} {kind:<16} {:>8}  {weights:>7}  {:>4}  {:.6e}, {}",
            l.name,
            l.param_bytes(),
            l.bits.count(),
            l.output.scale,
            l.output.zero_point
        );
    }
    let _ = writeln!(
        s,
        "{:<24} {:<16} {:>8}",
        "(to data units)",
        "output map",
        g.maps.len() * tinygan_core::quant::CHANNEL_BYTES
    );
    s
}
