//! Digits quality: classifier score, Fréchet distance and classes covered, all through
//! the shipped [`DigitsClassifier`]. Both scores are biased by the number of images:
//! compare at the same `n`, with held-out real digits at that `n` as the ceiling
//! ([`DigitsEval::ceiling`]).

use super::classifier::{CLASSES, DigitsClassifier, argmax, softmax};
use super::frechet::{FeatureStats, frechet_distance};
use crate::data::Digits;
use crate::data::digits::PIXELS;
use anyhow::ensure;
use serde::{Deserialize, Serialize};

/// Scores of a set of images.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DigitsScores {
    /// Images scored.
    pub n: usize,
    /// [`classifier_score`]: 1 (one class, or no confidence) to 10 (confident and
    /// balanced over the ten classes).
    pub classifier_score: f64,
    /// Fréchet distance from the reference (training) features; 0 is best.
    pub frechet_distance: f64,
    /// [`classes_covered`]: classes with enough confidently classified images.
    pub classes_covered: usize,
}

/// The classifier and the reference statistics that generated images are compared with.
#[derive(Clone, Debug, PartialEq)]
pub struct DigitsEval {
    /// The classifier that gives `p(y|x)` and the hidden features.
    pub classifier: DigitsClassifier,
    /// Hidden-feature statistics of the reference images.
    pub reference: FeatureStats,
}

impl DigitsEval {
    /// `classifier` with the hidden-feature statistics of `reference` (at least 2 images).
    pub fn new(classifier: DigitsClassifier, reference: &[[f32; PIXELS]]) -> Self {
        let reference = FeatureStats::fit(&classifier.outputs(reference).hidden);
        Self {
            classifier,
            reference,
        }
    }

    /// The shipped classifier, referenced to the training split of the digits (what a
    /// generator learns from).
    pub fn shipped() -> anyhow::Result<Self> {
        let digits = Digits::load()?;
        let images: Vec<_> = digits.train.iter().map(|d| d.pixels).collect();
        Ok(Self::new(DigitsClassifier::shipped()?, &images))
    }

    /// Scores `images` (model units, `[−1, 1]`); needs at least 2 images.
    pub fn score(&self, images: &[[f32; PIXELS]]) -> anyhow::Result<DigitsScores> {
        ensure!(
            images.len() >= 2,
            "{} images: the Fréchet distance needs at least 2",
            images.len()
        );
        let out = self.classifier.outputs(images);
        let probs: Vec<_> = out.logits.iter().map(softmax).collect();
        Ok(DigitsScores {
            n: images.len(),
            classifier_score: classifier_score(&probs),
            frechet_distance: frechet_distance(&FeatureStats::fit(&out.hidden), &self.reference),
            classes_covered: classes_covered(&probs),
        })
    }

    /// How many of `images` the classifier assigns to each class (argmax).
    pub fn class_counts(&self, images: &[[f32; PIXELS]]) -> [usize; CLASSES] {
        let mut counts = [0; CLASSES];
        for l in &self.classifier.outputs(images).logits {
            counts[argmax(l)] += 1;
        }
        counts
    }

    /// The best a generator can expect at `n` images: the scores of the first `n`
    /// held-out real digits (needs `2 ≤ n ≤ held_out.len()`, 449 for the shipped split).
    pub fn ceiling(&self, digits: &Digits, n: usize) -> anyhow::Result<DigitsScores> {
        ensure!(
            n <= digits.held_out.len(),
            "ceiling at n = {n}: only {} held-out digits",
            digits.held_out.len()
        );
        let images: Vec<_> = digits.held_out[..n].iter().map(|d| d.pixels).collect();
        self.score(&images)
    }
}

/// `exp(E_x KL(p(y|x) ‖ p(y)))`, `p(y)` the mean of `p(y|x)` over the set, `0 · ln 0 = 0`
/// (the Inception-score formula of Salimans et al. 2016, arXiv:1606.03498, §4).
/// 1 for an empty set.
pub fn classifier_score(probs: &[[f64; CLASSES]]) -> f64 {
    if probs.is_empty() {
        return 1.0;
    }
    let n = probs.len() as f64;
    let mut marginal = [0.0; CLASSES];
    for p in probs {
        marginal.iter_mut().zip(p).for_each(|(m, v)| *m += v / n);
    }
    let kl = |p: &[f64; CLASSES]| -> f64 {
        p.iter()
            .zip(&marginal)
            .filter(|(v, _)| **v > 0.0)
            .map(|(v, m)| v * (v / m).ln())
            .sum()
    };
    (probs.iter().map(kl).sum::<f64>() / n).exp()
}

/// Classifier probability an image needs for its class to count it: `p(c|x) ≥ 0.9`.
/// 420 of the 449 held-out real digits clear it, at least 33 of each class; random pixels
/// and a generator after one iteration rarely do (docs/RESULTS.md, "Classes covered").
pub const COVER_CONFIDENCE: f64 = 0.9;
/// A class needs `⌈n / COVER_DIVISOR⌉` such images: 2.5 % of `n`, a quarter of its fair
/// share `n / 10`.
pub const COVER_DIVISOR: usize = 4 * CLASSES;

/// Number of classes `c` such that at least `max(1, ⌈n / 40⌉)` of the `n` images are
/// assigned to `c` (the argmax of `p(y|x)`, the first on ties) with `p(c|x) ≥`
/// [`COVER_CONFIDENCE`]: 12 of 449, 63 of 2,500.
pub fn classes_covered(probs: &[[f64; CLASSES]]) -> usize {
    classes_covered_at(probs, COVER_CONFIDENCE, COVER_DIVISOR)
}

/// [`classes_covered`] with another confidence and share `1 / divisor` (the previous
/// rule, every argmax and a tenth of the fair share, is `(0.0, 100)`).
pub fn classes_covered_at(probs: &[[f64; CLASSES]], confidence: f64, divisor: usize) -> usize {
    let mut counts = [0usize; CLASSES];
    for p in probs {
        let c = (0..CLASSES).fold(0, |best, k| if p[k] > p[best] { k } else { best });
        if p[c] >= confidence {
            counts[c] += 1;
        }
    }
    let min = probs.len().div_ceil(divisor).max(1);
    counts.iter().filter(|&&c| c >= min).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifier_score_by_hand() {
        let mut one_hot = [[0.0; CLASSES]; CLASSES];
        (0..CLASSES).for_each(|c| one_hot[c][c] = 1.0);
        assert!((classifier_score(&one_hot) - 10.0).abs() < 1e-12);
        assert!((classifier_score(&one_hot[..4]) - 4.0).abs() < 1e-12);
        assert_eq!(classifier_score(&[[0.1; CLASSES]; 3]), 1.0);
        assert_eq!(classifier_score(&[one_hot[2]; 5]), 1.0);
    }

    /// A probability vector with `p` on class `c` and the rest spread evenly.
    fn confident(c: usize, p: f64) -> [f64; CLASSES] {
        let mut v = [(1.0 - p) / (CLASSES - 1) as f64; CLASSES];
        v[c] = p;
        v
    }

    #[test]
    fn classes_covered_needs_a_share_at_a_confidence() {
        // 400 images: a class needs ⌈400 / 40⌉ = 10 with p ≥ 0.9.
        let mut probs = vec![confident(0, 0.95); 10]; // covered
        probs.extend([confident(1, 0.85); 10]); // not confident enough
        probs.extend([confident(2, 0.99); 9]); // one image short
        probs.extend([confident(3, 0.9); 10]); // exactly at both bars: covered
        probs.resize(400, confident(4, 0.5)); // many, none confident
        assert_eq!(classes_covered(&probs), 2);
        // One more confident image of class 2 covers it.
        probs[399] = confident(2, 0.99);
        assert_eq!(classes_covered(&probs), 3);
        // Few images: one confident image is enough (⌈5 / 40⌉ = 1).
        assert_eq!(classes_covered(&probs[..5]), 1);
        assert_eq!(classes_covered(&[]), 0);
    }

    /// An image split evenly between classes 1 and 4 counts for class 1 (the first on
    /// ties): beside a confident image of class 1 it covers one class, beside one of
    /// class 4 two (at confidence 0, with `⌈2/100⌉ = 1` image needed).
    #[test]
    fn ties_go_to_the_first_class() {
        let mut tie = [0.0; CLASSES];
        tie[1] = 0.5;
        tie[4] = 0.5;
        assert_eq!(classes_covered_at(&[tie, confident(1, 0.95)], 0.0, 100), 1);
        assert_eq!(classes_covered_at(&[tie, confident(4, 0.95)], 0.0, 100), 2);
    }

    /// A classifier whose logits are its biases alone (zero weights) assigns every image
    /// to the class with the largest bias: all 3 images to class 6.
    #[test]
    fn class_counts_by_hand() {
        use tinygan_core::tensor::Zero;
        let mut classifier = DigitsClassifier {
            fc1: tinygan_core::layers::Dense::ZERO,
            fc2: tinygan_core::layers::Dense::ZERO,
        };
        classifier.fc2.b[6] = 1.0;
        let images = [[0.25; PIXELS]; 3];
        let eval = DigitsEval::new(classifier, &images);
        let mut want = [0; CLASSES];
        want[6] = 3;
        assert_eq!(eval.class_counts(&images), want);
    }

    /// Random pixels: under the rule of counting every argmax (the previous rule), all 10
    /// classes would be covered; confident assignments are rare, so almost none is.
    #[test]
    fn noise_covers_almost_no_class() {
        let eval = DigitsEval::shipped().unwrap();
        let mut rng = tinygan_core::rng::Prng::new(1);
        let noise: Vec<[f32; PIXELS]> = (0..449)
            .map(|_| std::array::from_fn(|_| 2.0 * tinygan_core::rng::uniform(&mut rng) - 1.0))
            .collect();
        let scores = eval.score(&noise).unwrap();
        assert!(scores.classes_covered <= 2, "{scores:?}");
        assert_eq!(
            eval.class_counts(&noise).iter().filter(|&&c| c > 0).count(),
            10
        );
    }

    #[test]
    fn held_out_digits_score_near_the_ceiling() {
        let digits = Digits::load().unwrap();
        let eval = DigitsEval::shipped().unwrap();
        let n = digits.held_out.len();
        let real = eval.ceiling(&digits, n).unwrap();
        assert_eq!((real.n, real.classes_covered), (n, 10));
        assert!((8.0..10.0).contains(&real.classifier_score), "{real:?}");
        // Scale: the features' total variance.
        let total: f64 = (0..eval.reference.dim)
            .map(|i| eval.reference.cov[i * (eval.reference.dim + 1)])
            .sum();
        assert!(
            real.frechet_distance < 0.05 * total,
            "{real:?}, tr C {total}"
        );
        let train: Vec<_> = digits.train.iter().map(|d| d.pixels).collect();
        let itself = eval.score(&train).unwrap();
        assert!(itself.frechet_distance.abs() < 1e-6, "{itself:?}");
        // A generator that repeats one image: one class, score 1, far away.
        let collapsed = eval.score(&vec![digits.held_out[0].pixels; n]).unwrap();
        assert_eq!(collapsed.classes_covered, 1);
        assert!((collapsed.classifier_score - 1.0).abs() < 1e-12);
        assert!(collapsed.frechet_distance > 0.2 * total, "{collapsed:?}");
        println!("ceiling at n = {n}: {real:?}; collapse: {collapsed:?}; tr C_ref {total}");
        assert!(eval.score(&train[..1]).is_err() && eval.ceiling(&digits, n + 1).is_err());
    }
}
