//! A generator's layers as float stages, with batch norm folded into the layer before it.
//!
//! Batch norm in inference mode is per channel `y = a_c · x + (β_c − a_c · μ_c)` with
//! `a_c = γ_c / √(σ²_c + eps)`; after a dense or convolution layer it folds into that
//! layer: `w ← a_c · w` for the weights of output channel `c`, `b_c ← a_c (b_c − μ_c) + β_c`.
//!
//! Virtual batch norm (Salimans et al. 2016, §3.5) normalises a sample `x_i` against the
//! recorded reference statistics plus itself, `μ_i = μ_ref + d/(R+1)` and
//! `σ²_i = R σ²_ref/(R+1) + R d²/(R+1)²` with `d = x_i − μ_ref` (per channel; for images
//! `x_i` is the sample's mean over the channel's pixels), which is not an affine map. It
//! folds as its linearisation at `d = 0`: `a_c = γ_c · R/(R+1) / √(R σ²_ref/(R+1) + eps)`
//! around `μ_ref`. The difference to the f32 model, which grows with `d²/σ²_ref/(R+1)`, is
//! part of the measured int8 error.

use anyhow::{Result, bail};
use tinygan_core::Network;
use tinygan_core::kernels::conv::ConvShape;
use tinygan_core::layers::{BN_EPS, LayerView};

/// The linear layers with an int8 kernel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Linear {
    /// `w: [out][inp]`.
    Dense {
        /// Inputs.
        inp: usize,
        /// Outputs.
        out: usize,
    },
    /// Convolution of this shape.
    Conv(ConvShape),
    /// Transposed convolution of the convolution of this shape.
    ConvTranspose(ConvShape),
}

impl Linear {
    /// Output channels.
    pub fn channels(&self) -> usize {
        match *self {
            Self::Dense { out, .. } => out,
            Self::Conv(s) => s.cout,
            Self::ConvTranspose(s) => s.cin,
        }
    }

    /// Values per output channel and sample.
    pub fn spatial(&self) -> usize {
        match *self {
            Self::Dense { .. } => 1,
            Self::Conv(s) => s.oh * s.ow,
            Self::ConvTranspose(s) => s.h * s.w,
        }
    }

    /// The most products summed into one output: `inp`, `cin·kh·kw`, or for the
    /// transposed convolution `cout·⌈kh/sh⌉·⌈kw/sw⌉` (along each axis at most `⌈k/s⌉`
    /// kernel taps land on one output position).
    pub fn taps(&self) -> usize {
        match *self {
            Self::Dense { inp, .. } => inp,
            Self::Conv(s) => s.cin * s.kh * s.kw,
            Self::ConvTranspose(s) => s.cout * s.kh.div_ceil(s.sh) * s.kw.div_ceil(s.sw),
        }
    }

    /// The output channel of weight element `k`.
    pub fn channel_of(&self, k: usize) -> usize {
        match *self {
            Self::Dense { inp, .. } => k / inp,
            Self::Conv(s) => k / (s.cin * s.kh * s.kw),
            Self::ConvTranspose(s) => k / (s.kh * s.kw) % s.cin,
        }
    }
}

/// What one stage computes, in floats.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// A linear layer with folded weights and biases, and whether a ReLU follows it.
    Linear {
        /// Which layer.
        kind: Linear,
        /// Weights (batch norm folded in).
        w: Vec<f32>,
        /// Biases (batch norm folded in).
        b: Vec<f32>,
        /// A ReLU right after (fused into the int8 layer's clamp).
        relu: bool,
    },
    /// ReLU on its own.
    Relu,
    /// Leaky ReLU.
    LeakyRelu(f32),
    /// tanh.
    Tanh,
    /// The logistic sigmoid.
    Sigmoid,
    /// Pixel shuffle.
    Shuffle(Shuffle),
}

/// A pixel shuffle (depth to space) or, `inverse`, unshuffle: the permutation
/// [`tinygan_core::kernels::shuffle`] makes, of values or codes alike.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shuffle {
    /// Channels of the high-resolution side.
    pub co: usize,
    /// Height of the low-resolution side.
    pub h: usize,
    /// Width of the low-resolution side.
    pub w: usize,
    /// Factor.
    pub r: usize,
    /// Space to depth instead.
    pub inverse: bool,
}

impl Shuffle {
    /// `y = shuffle(x)` (or unshuffle) for a batch.
    pub fn run<T: Copy>(&self, x: &[T], y: &mut [T]) {
        let (co, h, w, r) = (self.co, self.h, self.w, self.r);
        if self.inverse {
            tinygan_core::kernels::shuffle::unshuffle(x, y, co, h, w, r);
        } else {
            tinygan_core::kernels::shuffle::shuffle(x, y, co, h, w, r);
        }
    }
}

/// A stage: what it computes, the names of the layers it covers and the index of the
/// last one (whose output is the stage's output, for calibration).
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    /// The computation.
    pub op: Op,
    /// The layers it covers, joined by `+`.
    pub name: String,
    /// Index of its last layer.
    pub last: usize,
}

/// `g`'s layers as stages (reshapes dropped: they do not move values).
pub fn stages<G: Network>(g: &G) -> Result<Vec<Stage>> {
    let names = G::LAYER_NAMES;
    let mut out: Vec<Stage> = Vec::new();
    let mut i = 0;
    while i < G::LAYERS {
        let name = names[i].to_string();
        let op = match g.view(i) {
            LayerView::Dense { w, b, inp, out } => linear(Linear::Dense { inp, out }, w, b),
            LayerView::Conv {
                shape,
                transposed: false,
                w,
                b,
            } => linear(Linear::Conv(shape), w, b),
            LayerView::Conv {
                shape,
                transposed: true,
                w,
                b,
            } => linear(Linear::ConvTranspose(shape), w, b),
            LayerView::BatchNorm { .. } => {
                let Some(Stage {
                    op:
                        Op::Linear {
                            kind,
                            w,
                            b,
                            relu: false,
                        },
                    name: prev,
                    last,
                }) = out.last_mut()
                else {
                    bail!(
                        "layer `{name}` (batch norm) does not directly follow a dense or \
                         convolution layer, so it cannot be folded into one for int8"
                    );
                };
                fold(*kind, w, b, g.view(i), &name)?;
                *prev = format!("{prev}+{name}");
                *last = i;
                i += 1;
                continue;
            }
            LayerView::Relu => {
                if let Some(Stage {
                    op:
                        Op::Linear {
                            relu: relu @ false, ..
                        },
                    name: prev,
                    last,
                }) = out.last_mut()
                {
                    *relu = true;
                    *prev = format!("{prev}+{name}");
                    *last = i;
                    i += 1;
                    continue;
                }
                Op::Relu
            }
            LayerView::LeakyRelu { slope } => Op::LeakyRelu(slope),
            LayerView::Tanh => Op::Tanh,
            LayerView::Sigmoid => Op::Sigmoid,
            LayerView::Reshape => {
                i += 1;
                continue;
            }
            LayerView::PixelShuffle {
                co,
                h,
                w,
                r,
                inverse,
            } => Op::Shuffle(Shuffle {
                co,
                h,
                w,
                r,
                inverse,
            }),
            LayerView::Other(kind) => {
                bail!(
                    "layer `{name}` ({kind}) has no int8 form, so this network cannot be quantised"
                )
            }
        };
        out.push(Stage { op, name, last: i });
        i += 1;
    }
    Ok(out)
}

fn linear(kind: Linear, w: &[f32], b: &[f32]) -> Op {
    Op::Linear {
        kind,
        w: w.to_vec(),
        b: b.to_vec(),
        relu: false,
    }
}

/// Folds the normalisation `view` (layer `name`) into the weights and biases of `kind`.
fn fold(kind: Linear, w: &mut [f32], b: &mut [f32], view: LayerView, name: &str) -> Result<()> {
    let LayerView::BatchNorm {
        gamma,
        beta,
        mean,
        var,
        spatial,
        reference,
    } = view
    else {
        unreachable!("fold is called for normalisation layers")
    };
    // Per channel, the gain a_c; virtual batch norm's linearised as in the module docs.
    let r = reference.map_or(1.0, |r| r as f64 / (r as f64 + 1.0));
    let gain: Vec<f64> = gamma
        .iter()
        .zip(var)
        .map(|(&g, &v)| g as f64 * r / (r * v as f64 + BN_EPS as f64).sqrt())
        .collect();
    if gain.len() != kind.channels() || spatial != kind.spatial() {
        bail!(
            "layer `{name}` normalises {} channels of {spatial} values, but the layer before it \
             has {} channels of {}",
            gain.len(),
            kind.channels(),
            kind.spatial()
        );
    }
    for (k, wk) in w.iter_mut().enumerate() {
        *wk = (*wk as f64 * gain[kind.channel_of(k)]) as f32;
    }
    for (c, bc) in b.iter_mut().enumerate() {
        *bc = (gain[c] * (*bc as f64 - mean[c] as f64) + beta[c] as f64) as f32;
    }
    Ok(())
}
