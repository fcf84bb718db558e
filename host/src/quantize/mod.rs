//! Post-training quantisation of a generator to int8 (the TFLite / CMSIS-NN scheme, see
//! `tinygan_core::quant`).
//!
//! 1. Batch norm and virtual batch norm fold into the dense or convolution layer before
//!    them, and a ReLU right after such a layer fuses into its output clamp ([`fold`]).
//! 2. Calibration: the f32 generator runs on [`DEFAULT_CALIBRATION`] = 1024 samples (by
//!    default) with `z` from a fixed seed ([`calibrate::SEED`]); each quantised tensor
//!    (`z` and every stage's output) gets the per-tensor map whose 256 codes span the
//!    observed `[min, max]`, widened to contain 0 (`Affine::from_range`).
//! 3. Weights: symmetric per output channel, `s_w,c = max |w_c| / 127`, codes
//!    `round(w / s_w,c)`; biases `round(b_c / (s_x · s_w,c))` in `i32`; requantisation
//!    `M_c = s_x · s_w,c / s_y` as a fixed-point multiplier and shift.
//! 4. tanh and sigmoid become 256-entry tables onto TFLite's fixed output maps; the model's
//!    map to data units becomes the fixed-point output map.
//!
//! A layer with no int8 form, or a value out of the integers' range, is an error naming
//! the layer.

pub mod calibrate;
pub mod file;
pub mod fold;
pub mod int8;
pub mod report;

use crate::model_io::OutputScaling;
use anyhow::{Context, Result, bail};
use fold::{Linear, Op, Stage};
use int8::{Int8Generator, Kernel, Layer};
use tinygan_core::Network;
use tinygan_core::quant::activation::{SIGMOID_OUTPUT, TANH_OUTPUT, table};
use tinygan_core::quant::{Affine, Channel, LayerIo, quantize_multiplier};

/// Samples the activation ranges are calibrated on unless told otherwise.
pub const DEFAULT_CALIBRATION: usize = 1024;

/// `g` (with its map to data units) as an int8 generator calibrated on `calibration`
/// generated samples.
pub fn quantize<G: Network>(
    g: &G,
    scaling: Option<&OutputScaling>,
    calibration: usize,
) -> Result<Int8Generator> {
    if calibration == 0 {
        bail!("calibration needs at least 1 sample");
    }
    let stages = fold::stages(g)?;
    let (z, ranges) = calibrate::ranges(g, calibration);
    let input = Affine::from_range(z.lo, z.hi);
    let mut x = input;
    let mut layers = Vec::with_capacity(stages.len());
    for stage in &stages {
        let layer = layer(stage, x, ranges[stage.last])
            .with_context(|| format!("layer `{}`", stage.name))?;
        x = layer.output;
        layers.push(layer);
    }
    let identity = OutputScaling {
        offset: vec![0.0],
        scale: vec![1.0],
    };
    let s = scaling.unwrap_or(&identity);
    let maps = s
        .offset
        .iter()
        .zip(&s.scale)
        .map(|(&o, &k)| {
            tinygan_core::quant::output::map(o as f64, k as f64, x)
                .with_context(|| format!("the map to data units (offset {o}, scale {k})"))
        })
        .collect::<Result<_>>()?;
    Ok(Int8Generator {
        z_len: z.len,
        input,
        layers,
        maps,
        scaling: scaling.cloned(),
    })
}

/// The int8 layer of `stage`, whose input codes map by `x` and whose f32 output took the
/// values `range`.
fn layer(stage: &Stage, x: Affine, range: calibrate::Range) -> Result<Layer> {
    let len = range.len;
    let plain = |kernel, output: Affine| Layer {
        name: stage.name.clone(),
        kernel,
        w: Vec::new(),
        channels: Vec::new(),
        io: LayerIo::new(x.zero_point, output.zero_point),
        output,
        len,
    };
    Ok(match &stage.op {
        Op::Linear { kind, w, b, relu } => {
            let y = Affine::from_range(if *relu { 0.0 } else { range.lo }, range.hi);
            let (codes, channels) = weights(*kind, w, b, x, y)?;
            let io = LayerIo::new(x.zero_point, y.zero_point);
            let kernel = Kernel::Linear(*kind);
            Layer {
                w: codes,
                channels,
                io: if *relu {
                    LayerIo {
                        min: y.zero_point,
                        ..io
                    }
                } else {
                    io
                },
                ..plain(kernel, y)
            }
        }
        Op::Relu => plain(Kernel::Relu, x),
        Op::LeakyRelu(slope) => {
            let y = Affine::from_range(range.lo, range.hi);
            let ratio = x.scale as f64 / y.scale as f64;
            let positive = quantize_multiplier(ratio)?;
            let negative = quantize_multiplier(*slope as f64 * ratio)?;
            plain(Kernel::LeakyRelu(positive, negative), y)
        }
        Op::Tanh => plain(
            Kernel::Lut(Box::new(table(libm::tanh, x, TANH_OUTPUT))),
            TANH_OUTPUT,
        ),
        Op::Sigmoid => {
            let sigmoid = |v: f64| 1.0 / (1.0 + libm::exp(-v));
            plain(
                Kernel::Lut(Box::new(table(sigmoid, x, SIGMOID_OUTPUT))),
                SIGMOID_OUTPUT,
            )
        }
        Op::Shuffle(s) => plain(Kernel::Shuffle(*s), x),
    })
}

/// Weight codes, symmetric per output channel, and the channel records (bias and
/// requantisation) of a linear layer from inputs mapped by `x` to outputs mapped by `y`.
fn weights(
    kind: Linear,
    w: &[f32],
    b: &[f32],
    x: Affine,
    y: Affine,
) -> Result<(Vec<u8>, Vec<tinygan_core::quant::ChannelBytes>)> {
    let mut max_abs = vec![0.0f64; kind.channels()];
    for (k, &v) in w.iter().enumerate() {
        let m = &mut max_abs[kind.channel_of(k)];
        *m = m.max((v as f64).abs());
    }
    if let Some(k) = w.iter().position(|v| !v.is_finite()) {
        bail!("weight {k} is {}", w[k]);
    }
    let scale: Vec<f64> = max_abs
        .iter()
        .map(|&m| if m > 0.0 { m / 127.0 } else { 1.0 })
        .collect();
    let codes = w
        .iter()
        .enumerate()
        .map(|(k, &v)| {
            (v as f64 / scale[kind.channel_of(k)])
                .round()
                .clamp(-127.0, 127.0) as i8 as u8
        })
        .collect();
    let channels = (0..kind.channels())
        .map(|c| {
            let unit = x.scale as f64 * scale[c];
            let bias = (b[c] as f64 / unit).round();
            if !bias.is_finite() || bias.abs() >= (1u64 << 30) as f64 {
                bail!(
                    "channel {c}: bias {} is {bias:e} accumulator units, beyond 2^30",
                    b[c]
                );
            }
            let requant = quantize_multiplier(unit / y.scale as f64)
                .with_context(|| format!("channel {c}'s requantisation"))?;
            Ok(Channel {
                bias: bias as i32,
                requant,
            }
            .to_le_bytes())
        })
        .collect::<Result<_>>()?;
    Ok((codes, channels))
}

#[cfg(test)]
mod tests;
