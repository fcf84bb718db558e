//! Picks the memory map of the board feature and adds the cortex-m-rt and defmt linker scripts.

use std::{env, fs, path::PathBuf};

/// Board feature, its memory map in `memory/`, and the target its CPU needs.
const BOARDS: [(&str, &str); 2] = [
    ("netduinoplus2", "thumbv7em-none-eabihf"),
    ("microbit", "thumbv6m-none-eabi"),
];

fn main() {
    let enabled: Vec<_> = BOARDS
        .iter()
        .filter(|(b, _)| env::var_os(format!("CARGO_FEATURE_{}", b.to_uppercase())).is_some())
        .collect();
    let [(board, target)] = enabled.as_slice() else {
        panic!("enable exactly one board feature: netduinoplus2 or microbit");
    };
    let actual = env::var("TARGET").unwrap_or_default();
    assert_eq!(
        &actual, target,
        "board {board} needs --target {target}, not {actual}"
    );
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::copy(format!("memory/{board}.x"), out.join("memory.x")).expect("copy memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory");
    for arg in ["--nmagic", "-Tlink.x", "-Tdefmt.x"] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
}
