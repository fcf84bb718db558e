//! Retrains the digits classifier with its fixed recipe and writes
//! `data/digits-classifier.bin`; prints its held-out accuracy.
//!
//! `cargo run --release -p tinygan --example train_digits_classifier`

use anyhow::Context;
use tinygan::data::Digits;
use tinygan::metrics::DigitsClassifier;

fn main() -> anyhow::Result<()> {
    let digits = Digits::load()?;
    let net = DigitsClassifier::train(&digits.train);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/digits-classifier.bin");
    std::fs::write(path, net.to_bytes()).with_context(|| format!("writing {path}"))?;
    println!(
        "wrote {path}; held-out accuracy {:.4} on {} images",
        net.accuracy(&digits.held_out),
        digits.held_out.len()
    );
    Ok(())
}
