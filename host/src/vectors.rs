//! The expected values of the firmware self-test, computed on the host by the same core code.
//!
//! `tinygan selftest-vectors` prints the Rust source of `firmware/src/vectors.rs`; a test in
//! `tests/` regenerates it and fails when the committed file differs.

use std::fmt::Write;
use tinygan_core::Layer;
use tinygan_core::parity::{self, ParityDense, SEED};
use tinygan_core::tensor::{Zero, flat, flat_mut};

/// Number of raw PRNG words checked.
pub const PRNG_WORDS: usize = 8;
/// Number of Gaussian samples checked (odd, so the unpaired last sample is covered).
pub const GAUSSIANS: usize = 15;

/// The source text of `firmware/src/vectors.rs`.
pub fn firmware_vectors() -> String {
    let mut words = [0u32; PRNG_WORDS];
    parity::prng_words(SEED, &mut words);
    let mut z = [0.0f32; GAUSSIANS];
    parity::gaussians(SEED, &mut z);
    let mut dense = ParityDense::ZERO;
    let mut x = [<ParityDense as Layer>::In::ZERO; 1];
    parity::seeded(SEED, &mut dense, flat_mut(&mut x));
    let mut y = [<ParityDense as Layer>::Out::ZERO; 1];
    dense.forward(&x, &mut y);

    let mut s = String::new();
    s.push_str("//! Expected self-test values, computed on the host. Generated; do not edit.\n");
    s.push_str(
        "//! Made by `cargo run -p tinygan -- selftest-vectors > firmware/src/vectors.rs`\n",
    );
    let _ = writeln!(s, "//! from `tinygan_core::parity` with seed {SEED}.");
    s.push('\n');
    let _ = writeln!(s, "/// The seed every vector below was made from.");
    let _ = writeln!(s, "pub const SEED: u64 = {SEED};");
    push_u32s(
        &mut s,
        "`parity::prng_words(SEED, ..)`.",
        "PRNG_WORDS",
        &words,
    );
    push_f32s(&mut s, "`parity::gaussians(SEED, ..)`.", "GAUSSIANS", &z);
    push_f32s(
        &mut s,
        "`ParityDense::forward` after `parity::seeded(SEED, ..)`, batch 1.",
        "DENSE_Y",
        flat(&y),
    );
    s
}

fn push_f32s(s: &mut String, doc: &str, name: &str, v: &[f32]) {
    let bits: Vec<u32> = v.iter().map(|x| x.to_bits()).collect();
    push_u32s(s, &format!("Bits (`f32::to_bits`) of {doc}"), name, &bits);
}

fn push_u32s(s: &mut String, doc: &str, name: &str, v: &[u32]) {
    let _ = writeln!(s, "\n/// {doc}");
    let _ = writeln!(s, "pub const {name}: [u32; {}] = [", v.len());
    for row in v.chunks(8) {
        let row: Vec<String> = row.iter().map(|w| format!("0x{w:08x}")).collect();
        let _ = writeln!(s, "    {},", row.join(", "));
    }
    s.push_str("];\n");
}
