//! The measurements behind the digits "classes covered" rule (docs/RESULTS.md, "Classes
//! covered"): classes covered by 449 held-out digits, 449 images of random pixels and
//! the first 449 samples of the digits preset's generator after 1 and 100 iterations
//! (seeds 0 to 2), under the previous rule and under candidate confidences and shares.
//!
//! `cargo run --release -p tinygan --example digits_coverage`

use tinygan::config::TrainConfig;
use tinygan::data::digits::{Digits, PIXELS};
use tinygan::dataset::Dataset;
use tinygan::metrics::classifier::{DigitsClassifier, softmax};
use tinygan::metrics::digits::classes_covered_at;
use tinygan_core::rng::{Prng, uniform};

/// Images scored per set: the held-out split.
const N: usize = 449;
/// `(confidence, divisor)`: the previous rule, then candidates; the rule chosen is
/// `(0.9, 40)`.
const RULES: [(f64, usize); 6] = [
    (0.0, 100),
    (0.5, 40),
    (0.7, 40),
    (0.9, 100),
    (0.9, 40),
    (0.9, 20),
];

fn row(name: &str, classifier: &DigitsClassifier, images: &[[f32; PIXELS]]) {
    let probs: Vec<_> = classifier
        .outputs(images)
        .logits
        .iter()
        .map(softmax)
        .collect();
    let cells: Vec<String> = RULES
        .iter()
        .map(|&(c, d)| classes_covered_at(&probs, c, d).to_string())
        .collect();
    println!("| {name} | {} |", cells.join(" | "));
}

fn main() -> anyhow::Result<()> {
    let classifier = DigitsClassifier::shipped()?;
    let header: Vec<String> = RULES
        .iter()
        .map(|(c, d)| format!("p ≥ {c}, ⌈n/{d}⌉"))
        .collect();
    println!("| n = {N} | {} |", header.join(" | "));
    println!("|---|{}", "---|".repeat(RULES.len()));
    let held_out: Vec<_> = Digits::load()?.held_out.iter().map(|d| d.pixels).collect();
    row("held-out digits", &classifier, &held_out[..N]);
    let mut rng = Prng::new(1);
    let noise: Vec<[f32; PIXELS]> = (0..N)
        .map(|_| std::array::from_fn(|_| 2.0 * uniform(&mut rng) - 1.0))
        .collect();
    row("random pixels, uniform in [−1, 1]", &classifier, &noise);
    for steps in [1, 100] {
        for seed in 0..3 {
            let config = TrainConfig {
                steps,
                seed,
                ..Dataset::Digits.preset()
            };
            let outcome = tinygan::run::run(Dataset::Digits, &config, None)?;
            let images = outcome.samples[..N]
                .iter()
                .map(|r| <[f32; PIXELS]>::try_from(&r[..]))
                .collect::<Result<Vec<_>, _>>()?;
            row(
                &format!("generator, {steps} iteration(s), seed {seed}"),
                &classifier,
                &images,
            );
        }
    }
    Ok(())
}
