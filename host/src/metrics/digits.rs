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
    /// [`classes_covered`]: classes with enough images.
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
            classes_covered: classes_covered(&out.logits),
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

/// Number of classes that are the argmax of at least `max(1, ⌈n / (10 K)⌉)` of the `n`
/// images (a tenth of a class's fair share, `K` = 10 classes): 5 of 449, 25 of 2,500.
pub fn classes_covered(logits: &[[f32; CLASSES]]) -> usize {
    let mut counts = [0usize; CLASSES];
    logits.iter().for_each(|l| counts[argmax(l)] += 1);
    let min = logits.len().div_ceil(10 * CLASSES).max(1);
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

    #[test]
    fn classes_covered_rule() {
        let mut l = [[0.0f32; CLASSES]; 200];
        // 200 images: a class needs ⌈200 / 100⌉ = 2. Class 0 gets 196 (ties go to 0),
        // class 1 gets 2, classes 2 and 3 get 1 (not enough); of 4 images, 1 is enough.
        l[0][1] = 1.0;
        l[1][1] = 1.0;
        l[2][2] = 1.0;
        l[3][3] = 1.0;
        assert_eq!(classes_covered(&l), 2);
        assert_eq!(classes_covered(&l[..4]), 3);
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
