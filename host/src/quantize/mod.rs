//! Post-training quantisation of a generator to int8 (the TFLite / CMSIS-NN scheme, see
//! `tinygan_core::quant`).
//!
//! 1. Batch norm and virtual batch norm fold into the dense or convolution layer before
//!    them, and a ReLU right after such a layer fuses into its output clamp ([`fold`]).
//! 2. Calibration: the f32 generator runs on [`DEFAULT_CALIBRATION`] = 1024 samples (by
//!    default) with `z` from a fixed seed ([`calibrate::SEED`]); each quantised tensor
//!    (`z` and every stage's output) gets the per-tensor map whose codes span the
//!    observed `[min, max]`: for `i8` codes the 256 codes, widened to contain 0
//!    (`Affine::from_range`); for `i16` codes ±32767, symmetric (`Affine::symmetric16`).
//!    Which tensors get `i16` codes is [`Activations`]' rule.
//! 3. Weights: symmetric per output channel, `s_w,c = max |w_c| / 127`, codes
//!    `round(w / s_w,c)`; biases `round(b_c / (s_x · s_w,c))` in `i32`; requantisation
//!    `M_c = s_x · s_w,c / s_y` as a fixed-point multiplier and shift. A layer given
//!    16-bit weights ([`WeightBits`]; outside the pure int8 scheme) has
//!    `s_w,c = max |w_c| / 32767`. Every linear layer must keep its worst-case sum in the
//!    `i32` accumulator: `taps · max |q_w,c| · max |q_x − z_x| + |bias_c| < 2³¹` for each
//!    channel, else the quantiser refuses it, naming the layer.
//! 4. tanh and sigmoid become tables onto fixed output maps (256 entries for `i8` codes,
//!    513 interpolated knots for `i16`); the model's map to data units becomes the
//!    fixed-point output map.
//!
//! A layer with no int8 form, or a value out of the integers' range, is an error naming
//! the layer.

pub mod calibrate;
pub mod file;
pub mod fold;
pub mod int8;
pub mod report;
pub mod runner;

use crate::model_io::OutputScaling;
use anyhow::{Context, Result, bail};
use fold::{Linear, Op, Stage};
use int8::{Bits, Int8Generator, Kernel, Layer};
use tinygan_core::Network;
use tinygan_core::quant::activation::{SIGMOID_OUTPUT, TANH_OUTPUT, UNIT_OUTPUT16, table, table16};
use tinygan_core::quant::{Affine, Channel, LayerIo, quantize_multiplier};

/// Samples the activation ranges are calibrated on unless told otherwise.
pub const DEFAULT_CALIBRATION: usize = 1024;

/// A comma-separated list of 8 and 16 for the `noun` (activation, weight) codes; `order`
/// says what the entries are for.
fn bits_list(s: &str, noun: &str, order: &str) -> Result<Vec<Bits>> {
    s.split(',')
        .map(|b| match b.trim() {
            "8" => Ok(Bits::I8),
            "16" => Ok(Bits::I16),
            other => bail!(
                "{noun} bits `{other}` in `{s}`: give 8, 16, or a comma-separated list of 8 \
                 and 16 ({order})"
            ),
        })
        .collect()
}

/// Which linear layers (dense, convolution) get 16-bit weights.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WeightBits {
    /// Every layer 8 bits: pure int8.
    Int8,
    /// Every linear layer 16 bits.
    Wide,
    /// The weight bits of each linear layer, in order.
    Each(Vec<Bits>),
    /// 16-bit weights layer by layer, each time to the layer that lowers the generator's
    /// error most, while that lowers it by more than [`AUTO_GAIN`] of itself, measured on
    /// the calibration samples ([`auto`]); 8 bits for the others.
    Auto,
}

/// The share of the current error that one more layer of 16-bit weights must remove for
/// `--weights auto` to take it.
pub const AUTO_GAIN: f64 = 0.1;

impl WeightBits {
    /// `8`, `16`, `auto`, or a comma-separated list of 8 and 16 (for
    /// [`WeightBits::Each`]).
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "8" => Ok(Self::Int8),
            "16" => Ok(Self::Wide),
            "auto" => Ok(Self::Auto),
            _ => bits_list(s, "weight", "one per dense or convolution layer, in order")
                .map(Self::Each),
        }
    }
}

/// The weight bits of every stage under `rule` (`I8` for stages without weights).
fn weight_plan(stages: &[Stage], rule: &WeightBits) -> Result<Vec<Bits>> {
    let linear = |s: &Stage| matches!(s.op, Op::Linear { .. });
    let count = stages.iter().filter(|s| linear(s)).count();
    let chosen = match rule {
        WeightBits::Int8 => vec![Bits::I8; count],
        WeightBits::Wide => vec![Bits::I16; count],
        WeightBits::Each(bits) if bits.len() == count => bits.clone(),
        WeightBits::Auto => bail!("--weights auto is resolved before the plan"),
        WeightBits::Each(bits) => {
            let names: Vec<&str> = stages
                .iter()
                .filter(|s| linear(s))
                .map(|s| s.name.as_str())
                .collect();
            bail!(
                "{} weight types given, but this generator has {count} dense or convolution \
                 layers: {}",
                bits.len(),
                names.join(", ")
            );
        }
    };
    let mut next = chosen.into_iter();
    Ok(stages
        .iter()
        .map(|s| match linear(s) {
            true => next.next().unwrap_or(Bits::I8),
            false => Bits::I8,
        })
        .collect())
}

/// Which activation tensors get `i16` codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Activations {
    /// Every tensor `i8`: pure int8.
    Int8,
    /// The 16x8 scheme: every tensor `i16` whose next reader can take `i16` codes, i.e.
    /// unless a linear layer reads it whose sum of products could leave `i32`
    /// (`taps · max|q_w| · 32768 ≥ 2³⁰`, `max|q_w|` 127 or 32767 by the layer's weight
    /// bits, leaving the other 2³⁰ to the bias); `i8` otherwise.
    Mixed,
    /// The code type of `z` and of each stage that chooses one (linear layers and leaky
    /// ReLU; ReLU, tables and shuffles keep their input's), in order.
    Each(Vec<Bits>),
}

impl Activations {
    /// `8`, `16`, or a comma-separated list of 8 and 16 (for [`Activations::Each`]).
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "8" => Ok(Self::Int8),
            "16" => Ok(Self::Mixed),
            _ => bits_list(
                s,
                "activation",
                "z first, then each dense, convolution or leaky ReLU stage",
            )
            .map(Self::Each),
        }
    }
}

/// The largest weight code of `bits`-bit weights: 127 or 32767.
fn max_weight(bits: Bits) -> u64 {
    (1 << (bits.count() - 1)) - 1
}

/// Whether a linear layer with `weights`-bit weights can read `i16` codes:
/// `taps · max|q_w| · 32768 < 2³⁰`.
fn takes_i16(kind: Linear, weights: Bits) -> bool {
    (kind.taps() as u64) * max_weight(weights) * 32768 < 1 << 30
}

/// Whether a stage chooses its output's code type (else it keeps its input's).
fn chooses(op: &Op) -> bool {
    matches!(op, Op::Linear { .. } | Op::LeakyRelu(_))
}

/// The code type of `z` and of every stage's output under `rule`, the stages' weights
/// having the bits `weights`.
fn plan(stages: &[Stage], weights: &[Bits], rule: &Activations) -> Result<Vec<Bits>> {
    // The tensors that choose: z (index 0) and the choosing stages' outputs.
    let choosers: Vec<usize> = std::iter::once(0)
        .chain(
            (0..stages.len())
                .filter(|&i| chooses(&stages[i].op))
                .map(|i| i + 1),
        )
        .collect();
    // A tensor produced at position `t` (0 = z) is read by the next choosing stage.
    let reader = |t: usize| (t..stages.len()).find(|&i| chooses(&stages[i].op));
    let can16 = |t: usize| match reader(t).map(|i| (&stages[i].op, weights[i])) {
        Some((Op::Linear { kind, .. }, w)) => takes_i16(*kind, w),
        _ => true,
    };
    let chosen: Vec<Bits> = match rule {
        Activations::Int8 => vec![Bits::I8; choosers.len()],
        Activations::Mixed => choosers
            .iter()
            .map(|&t| if can16(t) { Bits::I16 } else { Bits::I8 })
            .collect(),
        Activations::Each(bits) => {
            if bits.len() != choosers.len() {
                let names: Vec<&str> = std::iter::once("z")
                    .chain(choosers[1..].iter().map(|&t| stages[t - 1].name.as_str()))
                    .collect();
                bail!(
                    "{} activation types given, but this generator has {}: {}",
                    bits.len(),
                    choosers.len(),
                    names.join(", ")
                );
            }
            for (&t, &b) in choosers.iter().zip(bits) {
                if b == Bits::I16 && !can16(t) {
                    let name = reader(t).map_or("?", |i| stages[i].name.as_str());
                    bail!(
                        "layer `{name}` sums too many products to read 16-bit codes in i32 \
                         with its weights; give its input 8 bits"
                    );
                }
            }
            bits.clone()
        }
    };
    let mut out = Vec::with_capacity(stages.len() + 1);
    let mut next = chosen.iter();
    for t in 0..=stages.len() {
        let keep = out.last().copied();
        out.push(match keep {
            Some(b) if !chooses(&stages[t - 1].op) => b,
            _ => *next.next().unwrap_or(&Bits::I8),
        });
    }
    Ok(out)
}

/// The map of a tensor of `bits`-bit codes that took the values `[lo, hi]`.
fn calibrated(bits: Bits, lo: f32, hi: f32) -> Affine {
    match bits {
        Bits::I8 => Affine::from_range(lo, hi),
        Bits::I16 => Affine::symmetric16(lo, hi),
    }
}

/// How to quantise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Generated samples the activation ranges are calibrated on.
    pub calibration: usize,
    /// Which activations get `i16` codes.
    pub activations: Activations,
    /// Which linear layers get 16-bit weights.
    pub weights: WeightBits,
}

impl Default for Settings {
    /// [`DEFAULT_CALIBRATION`] samples, pure int8 ([`Activations::Int8`],
    /// [`WeightBits::Int8`]).
    fn default() -> Self {
        Self {
            calibration: DEFAULT_CALIBRATION,
            activations: Activations::Int8,
            weights: WeightBits::Int8,
        }
    }
}

/// `g` (with its map to data units) as an int8-weight generator quantised with
/// `settings`.
pub fn quantize<G: Network>(
    g: &G,
    scaling: Option<&OutputScaling>,
    settings: &Settings,
) -> Result<Int8Generator> {
    if settings.calibration == 0 {
        bail!("calibration needs at least 1 sample");
    }
    if settings.weights == WeightBits::Auto {
        let weights = WeightBits::Each(auto(g, settings)?);
        return quantize(
            g,
            scaling,
            &Settings {
                weights,
                ..settings.clone()
            },
        );
    }
    let stages = fold::stages(g)?;
    let weights = weight_plan(&stages, &settings.weights)?;
    let bits = plan(&stages, &weights, &settings.activations)?;
    let (z, ranges) = calibrate::ranges(g, settings.calibration);
    let input = calibrated(bits[0], z.lo, z.hi);
    let mut x = (input, bits[0]);
    let mut layers = Vec::with_capacity(stages.len());
    for ((stage, &b), &w) in stages.iter().zip(&bits[1..]).zip(&weights) {
        let layer = layer(stage, x, ranges[stage.last], b, w)
            .with_context(|| format!("layer `{}`", stage.name))?;
        x = (layer.output, layer.bits);
        layers.push(layer);
    }
    let x = x.0;
    let last = *bits.last().unwrap_or(&Bits::I8);
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
            let (o, k) = (o as f64, k as f64);
            match last {
                Bits::I8 => tinygan_core::quant::output::map::<i8>(o, k, x),
                Bits::I16 => tinygan_core::quant::output::map::<i16>(o, k, x),
            }
            .with_context(|| format!("the map to data units (offset {o}, scale {k})"))
        })
        .collect::<Result<_>>()?;
    Ok(Int8Generator {
        z_len: z.len,
        input,
        input_bits: bits[0],
        layers,
        maps,
        scaling: scaling.cloned(),
    })
}

/// The weight bits `--weights auto` chooses, one per linear layer, by greedy forward
/// selection: with `E(S)` the mean absolute error (model units) against `g`, on the
/// calibration samples (`z` from [`calibrate::SEED`], `settings.calibration` of them), of
/// the generator whose layers in `S` have 16-bit weights and the others 8-bit, start from
/// `S = ∅` (pure int8) and add the layer `ℓ` minimising `E(S ∪ {ℓ})` while
/// `E(S) − E(S ∪ {ℓ}) > AUTO_GAIN · E(S)`. A layer whose sums could leave `i32` with 16-bit
/// weights is never taken. Activations follow `settings` throughout. At most
/// `L (L + 1) / 2 + 1` quantisations for `L` linear layers.
fn auto<G: Network>(g: &G, settings: &Settings) -> Result<Vec<Bits>> {
    let n = settings.calibration;
    let reference: Vec<Vec<f32>> = crate::generate::sample_rows(g, calibrate::SEED)
        .take(n)
        .collect();
    let linear = fold::stages(g)?
        .iter()
        .filter(|s| matches!(s.op, Op::Linear { .. }))
        .count();
    let error_with = |bits: &[Bits]| -> Result<f64> {
        let weights = WeightBits::Each(bits.to_vec());
        let q = quantize(
            g,
            None,
            &Settings {
                weights,
                ..settings.clone()
            },
        )?;
        Ok(report::error(&reference, &q.sample(n, calibrate::SEED)).mean_abs)
    };
    let mut bits = vec![Bits::I8; linear];
    let mut current = error_with(&bits)?;
    loop {
        let mut best: Option<(usize, f64)> = None;
        for l in (0..linear).filter(|&l| bits[l] == Bits::I8) {
            let mut trial = bits.clone();
            trial[l] = Bits::I16;
            // A layer whose sums could leave i32 with 16-bit weights keeps 8.
            if let Ok(e) = error_with(&trial)
                && best.is_none_or(|(_, b)| e < b)
            {
                best = Some((l, e));
            }
        }
        match best {
            Some((l, e)) if current - e > AUTO_GAIN * current => {
                bits[l] = Bits::I16;
                current = e;
            }
            _ => return Ok(bits),
        }
    }
}

/// The layer of `stage`, whose input codes map by `x.0` (with `x.1` bits) and whose f32
/// output took the values `range`, with `bits`-bit output codes and, for a linear layer,
/// `weight_bits`-bit weights.
fn layer(
    stage: &Stage,
    (x, x_bits): (Affine, Bits),
    range: calibrate::Range,
    bits: Bits,
    weight_bits: Bits,
) -> Result<Layer> {
    let len = range.len;
    // The clamp of the output type's range, as a model file stores it.
    let (lo, hi) = match bits {
        Bits::I8 => (i8::MIN.into(), i8::MAX.into()),
        Bits::I16 => (i16::MIN.into(), i16::MAX.into()),
    };
    let io_of = |output: Affine| LayerIo {
        min: lo,
        max: hi,
        ..LayerIo::new(x.zero_point, output.zero_point)
    };
    let plain = |kernel, output: Affine| Layer {
        name: stage.name.clone(),
        kernel,
        w: Vec::new(),
        weight_bits: Bits::I8,
        channels: Vec::new(),
        io: io_of(output),
        output,
        bits,
        len,
    };
    let sigmoid = |v: f64| 1.0 / (1.0 + libm::exp(-v));
    Ok(match &stage.op {
        Op::Linear { kind, w, b, relu } => {
            let y = calibrated(bits, if *relu { 0.0 } else { range.lo }, range.hi);
            let (codes, channels) = weights(*kind, w, b, (x, x_bits), y, weight_bits)?;
            let io = io_of(y);
            let kernel = Kernel::Linear(*kind);
            Layer {
                w: codes,
                weight_bits,
                channels,
                io: if *relu {
                    LayerIo {
                        min: y.zero_point as i32,
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
            let y = calibrated(bits, range.lo, range.hi);
            let ratio = x.scale as f64 / y.scale as f64;
            let positive = quantize_multiplier(ratio)?;
            let negative = quantize_multiplier(*slope as f64 * ratio)?;
            plain(Kernel::LeakyRelu(positive, negative), y)
        }
        Op::Tanh if bits == Bits::I16 => plain(
            Kernel::Lut16(Box::new(table16(libm::tanh, x, UNIT_OUTPUT16))),
            UNIT_OUTPUT16,
        ),
        Op::Tanh => plain(
            Kernel::Lut(Box::new(table(libm::tanh, x, TANH_OUTPUT))),
            TANH_OUTPUT,
        ),
        Op::Sigmoid if bits == Bits::I16 => plain(
            Kernel::Lut16(Box::new(table16(sigmoid, x, UNIT_OUTPUT16))),
            UNIT_OUTPUT16,
        ),
        Op::Sigmoid => plain(
            Kernel::Lut(Box::new(table(sigmoid, x, SIGMOID_OUTPUT))),
            SIGMOID_OUTPUT,
        ),
        Op::Shuffle(s) => plain(Kernel::Shuffle(*s), x),
    })
}

/// `bits`-bit weight codes (little-endian bytes), symmetric per output channel, and the
/// channel records (bias and requantisation) of a linear layer from inputs mapped by `x.0`
/// (`x.1`-bit codes) to outputs mapped by `y`; refused if a channel's worst-case sum
/// leaves the `i32` accumulator.
fn weights(
    kind: Linear,
    w: &[f32],
    b: &[f32],
    (x, x_bits): (Affine, Bits),
    y: Affine,
    bits: Bits,
) -> Result<(Vec<u8>, Vec<tinygan_core::quant::ChannelBytes>)> {
    let mut max_abs = vec![0.0f64; kind.channels()];
    for (k, &v) in w.iter().enumerate() {
        let m = &mut max_abs[kind.channel_of(k)];
        *m = m.max((v as f64).abs());
    }
    if let Some(k) = w.iter().position(|v| !v.is_finite()) {
        bail!("weight {k} is {}", w[k]);
    }
    let top = max_weight(bits) as f64;
    let scale: Vec<f64> = max_abs
        .iter()
        .map(|&m| if m > 0.0 { m / top } else { 1.0 })
        .collect();
    let codes: Vec<i16> = w
        .iter()
        .enumerate()
        .map(|(k, &v)| {
            (v as f64 / scale[kind.channel_of(k)])
                .round()
                .clamp(-top, top) as i16
        })
        .collect();
    let mut max_code = vec![0u64; kind.channels()];
    for (k, &q) in codes.iter().enumerate() {
        let m = &mut max_code[kind.channel_of(k)];
        *m = (*m).max(q.unsigned_abs() as u64);
    }
    // The largest |q_x − z_x|: 32768 for symmetric i16 codes, else the farther i8 end.
    let max_x = match x_bits {
        Bits::I16 => 32768,
        Bits::I8 => (127 - x.zero_point as i64).max(x.zero_point as i64 + 128) as u64,
    };
    let stored = codes
        .iter()
        .flat_map(|&q| match bits {
            Bits::I8 => vec![q as i8 as u8],
            Bits::I16 => q.to_le_bytes().to_vec(),
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
            let taps = kind.taps() as u64;
            let worst = taps * max_code[c] * max_x + bias.abs() as u64;
            if worst >= 1 << 31 {
                bail!(
                    "channel {c}: the worst-case sum {taps} taps · {} · {max_x} + |bias {bias}| \
                     = {worst} reaches 2^31, past the i32 accumulator: give this layer 8-bit \
                     weights (--weights){}",
                    max_code[c],
                    if x_bits == Bits::I16 {
                        " or 8-bit input codes (--activations)"
                    } else {
                        ""
                    }
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
    Ok((stored, channels))
}

#[cfg(test)]
mod tests;
