//! Measuring GAN quality (docs/ARCHITECTURE.md, Metrics).
//!
//! - [`modes`]: the 2-D mixtures: high-quality fraction, modes covered, reverse KL;
//! - [`classifier`]: the shipped digits classifier;
//! - [`digits`]: classifier score, Fréchet distance ([`frechet`], [`eigen`]) and classes
//!   covered for digits;
//! - [`EvalReport`]: the JSON-able result of an evaluation.

pub mod classifier;
pub mod digits;
pub mod eigen;
pub mod frechet;
pub mod modes;

pub use classifier::DigitsClassifier;
pub use digits::{DigitsEval, DigitsScores, classes_covered, classifier_score};
pub use frechet::{FeatureStats, frechet_distance};
pub use modes::{ModeScores, mode_scores};

use serde::{Deserialize, Serialize};

/// The result of `tinygan eval`: the fields of [`ModeScores`] (`n`, `modes`,
/// `modes_total`, `hq`, `reverse_kl`) for a 2-D set, or of [`DigitsScores`] (`n`,
/// `classifier_score`, `frechet_distance`, `classes_covered`) for digits, as one flat
/// JSON object.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EvalReport {
    /// A 2-D mixture.
    Modes(ModeScores),
    /// Digits.
    Digits(DigitsScores),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_flat_json_and_read_back() {
        let m = EvalReport::Modes(ModeScores {
            n: 4,
            modes: 2,
            modes_total: 8,
            hq: 0.75,
            reverse_kl: 0.5,
        });
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"n":4,"modes":2,"modes_total":8,"hq":0.75,"reverse_kl":0.5}"#
        );
        assert_eq!(serde_json::from_str::<EvalReport>(&json).unwrap(), m);
        let d = EvalReport::Digits(DigitsScores {
            n: 3,
            classifier_score: 9.5,
            frechet_distance: 1.25,
            classes_covered: 10,
        });
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(
            json,
            r#"{"n":3,"classifier_score":9.5,"frechet_distance":1.25,"classes_covered":10}"#
        );
        assert_eq!(serde_json::from_str::<EvalReport>(&json).unwrap(), d);
    }
}
