//! The digits classifier behind the classifier score and the Fréchet distance: a
//! 64 → 128 → ReLU → 10 perceptron, trained once, deterministically, and shipped as
//! `data/digits-classifier.bin` (rebuild it with
//! `cargo run --release -p tinygan --example train_digits_classifier`).
//!
//! File format, all little-endian: the magic `b"TGDC"`, a `u32` format version (1), a
//! `u32` count of `f32` values (9,610), then the values: `fc1.w` (`[128][64]`), `fc1.b`,
//! `fc2.w` (`[10][128]`), `fc2.b`. The length must match the count exactly.

use crate::data::digits::{Digit, PIXELS};
use crate::data::shuffle;
use anyhow::{Context, bail, ensure};
use tinygan_core::kernels::dense::forward;
use tinygan_core::layers::{Dense, Layer, TrainLayer};
use tinygan_core::params::{self, Params, TensorKind};
use tinygan_core::rng::{Prng, gaussian};
use tinygan_core::tensor::{Zero, flat};

/// Width of the hidden layer, whose activations are the Fréchet features.
pub const HIDDEN: usize = 128;
/// Number of classes.
pub const CLASSES: usize = 10;

const MAGIC: &[u8; 4] = b"TGDC";
const VERSION: u32 = 1;
const HEADER: usize = 12;

/// Training recipe: He-normal weights from `Prng::new(SEED)`, zero biases; mini-batches
/// of `BATCH` from a reshuffle every epoch (the last partial batch is dropped); softmax
/// cross-entropy; SGD with momentum `MOMENTUM` (`v ← μ v + g`, `θ ← θ − η v`).
const SEED: u64 = 0xC1A5_5EED;
const BATCH: usize = 32;
const EPOCHS: usize = 30;
const LEARNING_RATE: f32 = 0.02;
const MOMENTUM: f32 = 0.9;

/// The shipped weights.
static SHIPPED: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/digits-classifier.bin"
));

/// `logits = fc2(relu(fc1(x)))`; `x` is an image in `[−1, 1]`.
#[derive(Clone, Debug, PartialEq)]
pub struct DigitsClassifier {
    /// Input to hidden layer.
    pub fc1: Dense<PIXELS, HIDDEN>,
    /// Hidden layer to logits.
    pub fc2: Dense<HIDDEN, CLASSES>,
}

/// Hidden features (after the ReLU) and logits of a set of images.
#[derive(Clone, Debug, PartialEq)]
pub struct Outputs {
    /// `relu(fc1(x))` per image.
    pub hidden: Vec<[f32; HIDDEN]>,
    /// `fc2(hidden)` per image.
    pub logits: Vec<[f32; CLASSES]>,
}

impl DigitsClassifier {
    /// The classifier shipped in `data/digits-classifier.bin` (embedded in the binary).
    pub fn shipped() -> anyhow::Result<Self> {
        Self::from_bytes(SHIPPED).context("the embedded data/digits-classifier.bin")
    }

    /// Trains a classifier on `train` with the fixed recipe above: the same data gives
    /// bit-identical weights on every run.
    pub fn train(train: &[Digit]) -> Self {
        let mut rng = Prng::new(SEED);
        let mut net = Self::ZERO;
        for i in 0..Self::TENSORS {
            if let TensorKind::Weight { fan_in, .. } = net.tensor_kind(i) {
                let std = (2.0 / fan_in as f32).sqrt();
                net.tensor_mut(i)
                    .iter_mut()
                    .for_each(|w| *w = std * gaussian(&mut rng));
            }
        }
        let mut velocity = Self::ZERO;
        let mut order: Vec<usize> = (0..train.len()).collect();
        for _ in 0..EPOCHS {
            shuffle(&mut rng, &mut order);
            for batch in order.chunks_exact(BATCH) {
                let mut grads = Self::ZERO;
                net.gradient(train, batch.try_into().expect("chunk of BATCH"), &mut grads);
                for i in 0..Self::TENSORS {
                    let (v, g) = (velocity.tensor_mut(i), grads.tensor(i));
                    v.iter_mut()
                        .zip(g)
                        .for_each(|(v, g)| *v = MOMENTUM * *v + g);
                    let (w, v) = (net.tensor_mut(i), velocity.tensor(i));
                    w.iter_mut()
                        .zip(v)
                        .for_each(|(w, v)| *w -= LEARNING_RATE * v);
                }
            }
        }
        net
    }

    /// Adds the gradient of the mean cross-entropy over `train[batch]` to `grads`.
    fn gradient(&self, train: &[Digit], batch: &[usize; BATCH], grads: &mut Self) {
        let x: [[f32; PIXELS]; BATCH] = batch.map(|i| train[i].pixels);
        let mut pre = [[0.0; HIDDEN]; BATCH];
        self.fc1.forward(&x, &mut pre);
        let h = pre.map(|p| p.map(|v| v.max(0.0)));
        let mut logits = [[0.0; CLASSES]; BATCH];
        self.fc2.forward(&h, &mut logits);
        let mut dlogits = [[0.0; CLASSES]; BATCH];
        for ((d, l), &i) in dlogits.iter_mut().zip(&logits).zip(batch) {
            let p = softmax(l);
            for (c, d) in d.iter_mut().enumerate() {
                let target = f64::from(u8::from(c == usize::from(train[i].label)));
                *d = ((p[c] - target) / BATCH as f64) as f32;
            }
        }
        let mut dh = [[0.0; HIDDEN]; BATCH];
        self.fc2
            .backward(&h, &logits, &dlogits, &mut dh, &mut grads.fc2);
        for (d, p) in dh.iter_mut().flatten().zip(pre.iter().flatten()) {
            if *p <= 0.0 {
                *d = 0.0;
            }
        }
        let mut dx = [[0.0; PIXELS]; BATCH];
        self.fc1.backward(&x, &pre, &dh, &mut dx, &mut grads.fc1);
    }

    /// Hidden features and logits of every image (any number of images).
    pub fn outputs(&self, images: &[[f32; PIXELS]]) -> Outputs {
        let n = images.len();
        let mut hidden = vec![[0.0; HIDDEN]; n];
        let mut logits = vec![[0.0; CLASSES]; n];
        let h = tinygan_core::tensor::flat_mut(&mut hidden);
        forward(
            flat(&self.fc1.w),
            &self.fc1.b,
            flat(images),
            h,
            PIXELS,
            HIDDEN,
        );
        h.iter_mut().for_each(|v| *v = v.max(0.0));
        let l = tinygan_core::tensor::flat_mut(&mut logits);
        forward(
            flat(&self.fc2.w),
            &self.fc2.b,
            flat(&hidden),
            l,
            HIDDEN,
            CLASSES,
        );
        Outputs { hidden, logits }
    }

    /// Fraction of `digits` whose largest logit is their label.
    pub fn accuracy(&self, digits: &[Digit]) -> f64 {
        let images: Vec<_> = digits.iter().map(|d| d.pixels).collect();
        let logits = self.outputs(&images).logits;
        let right = logits
            .iter()
            .zip(digits)
            .filter(|(l, d)| argmax(l) == usize::from(d.label))
            .count();
        right as f64 / digits.len() as f64
    }

    /// The weights in the file format of this module.
    pub fn to_bytes(&self) -> Vec<u8> {
        let count = params::count(self);
        let mut out = Vec::with_capacity(HEADER + 4 * count);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(count as u32).to_le_bytes());
        for i in 0..Self::TENSORS {
            self.tensor(i)
                .iter()
                .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        }
        out
    }

    /// Reads weights written by [`DigitsClassifier::to_bytes`], checking magic, version,
    /// count and length before reading any value.
    pub fn from_bytes(bytes: &[u8]) -> anyhow::Result<Self> {
        let word = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        ensure!(
            bytes.len() >= HEADER && &bytes[..4] == MAGIC,
            "not a digits classifier file (no TGDC header)"
        );
        ensure!(
            word(4) == VERSION,
            "format version {} (expected {VERSION}): retrain with the example train_digits_classifier",
            word(4)
        );
        let mut net = Self::ZERO;
        let count = params::count(&net);
        if word(8) as usize != count || bytes.len() != HEADER + 4 * count {
            bail!(
                "{} values in {} bytes, expected {count} values in {} bytes",
                word(8),
                bytes.len(),
                HEADER + 4 * count
            );
        }
        let mut values = bytes[HEADER..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")));
        for i in 0..Self::TENSORS {
            net.tensor_mut(i)
                .iter_mut()
                .zip(&mut values)
                .for_each(|(w, v)| *w = v);
        }
        Ok(net)
    }
}

/// Softmax in f64 (`libm::exp`, so training is bit-identical on every platform).
pub fn softmax(logits: &[f32; CLASSES]) -> [f64; CLASSES] {
    let max = logits.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let e = logits.map(|v| libm::exp(f64::from(v - max)));
    let sum: f64 = e.iter().sum();
    e.map(|v| v / sum)
}

/// Index of the largest value (the first one on ties).
pub fn argmax(x: &[f32; CLASSES]) -> usize {
    (1..CLASSES).fold(0, |b, i| if x[i] > x[b] { i } else { b })
}

impl Zero for DigitsClassifier {
    const ZERO: Self = Self {
        fc1: Dense::ZERO,
        fc2: Dense::ZERO,
    };
}

impl Params for DigitsClassifier {
    const TENSORS: usize = 4;
    fn tensor(&self, i: usize) -> &[f32] {
        if i < 2 {
            self.fc1.tensor(i)
        } else {
            self.fc2.tensor(i - 2)
        }
    }
    fn tensor_mut(&mut self, i: usize) -> &mut [f32] {
        if i < 2 {
            self.fc1.tensor_mut(i)
        } else {
            self.fc2.tensor_mut(i - 2)
        }
    }
    fn tensor_kind(&self, i: usize) -> TensorKind {
        if i < 2 {
            self.fc1.tensor_kind(i)
        } else {
            self.fc2.tensor_kind(i - 2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Digits;

    #[test]
    fn shipped_classifier_is_reproducible_and_accurate() {
        let digits = Digits::load().unwrap();
        let net = DigitsClassifier::train(&digits.train);
        assert!(
            net.to_bytes() == SHIPPED,
            "retrained weights differ from data/digits-classifier.bin: rebuild it with \
             `cargo run --release -p tinygan --example train_digits_classifier`"
        );
        let acc = net.accuracy(&digits.held_out);
        assert!(acc > 0.95, "held-out accuracy {acc}");
    }

    #[test]
    fn file_format_round_trips_and_rejects_damage() {
        let net = DigitsClassifier::shipped().unwrap();
        let bytes = net.to_bytes();
        assert_eq!(bytes.len(), 12 + 4 * 9610);
        assert_eq!(DigitsClassifier::from_bytes(&bytes).unwrap(), net);
        let err = |b: &[u8]| DigitsClassifier::from_bytes(b).unwrap_err().to_string();
        assert!(err(&bytes[..bytes.len() - 1]).contains("expected 9610 values"));
        assert!(err(b"TGD").contains("no TGDC header"));
        let mut v2 = bytes.clone();
        v2[4] = 2;
        assert!(err(&v2).contains("format version 2"));
    }

    /// A classifier whose logits are its biases alone (zero weights) answers class 3 for
    /// every image: on labels `3, 5, 3, 7` it is right twice, accuracy 2/4.
    #[test]
    fn accuracy_counts_the_right_answers_by_hand() {
        let mut net = DigitsClassifier {
            fc1: Dense::ZERO,
            fc2: Dense::ZERO,
        };
        net.fc2.b[3] = 1.0;
        let digits = [3, 5, 3, 7].map(|label| Digit {
            pixels: [0.5; PIXELS],
            label,
        });
        assert_eq!(net.accuracy(&digits), 0.5);
        assert_eq!(net.accuracy(&digits[..1]), 1.0);
        assert_eq!(net.accuracy(&digits[1..2]), 0.0);
    }

    #[test]
    fn softmax_and_argmax_by_hand() {
        let mut l = [0.0f32; CLASSES];
        l[7] = 2.0f32.ln();
        let p = softmax(&l);
        assert!((p[7] - 2.0 / 11.0).abs() < 1e-7 && (p[0] - 1.0 / 11.0).abs() < 1e-7);
        assert_eq!(argmax(&l), 7);
        assert_eq!(argmax(&[0.0; CLASSES]), 0);
    }
}
