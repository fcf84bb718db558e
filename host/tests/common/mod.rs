//! What the end-to-end tests of the `tinygan` binary share: running it, reading its
//! output, a scratch folder, the golden model files.

#![allow(dead_code)] // Each test crate uses a part.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The frozen model files (core/src/model/golden/README.md).
pub const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/src/model/golden");

/// Runs the `tinygan` binary with `args`.
pub fn tinygan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tinygan"))
        .args(args)
        .output()
        .expect("the tinygan binary runs")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh folder for test `name` of the test file `file`.
pub fn scratch(file: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tinygan-{file}-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The path of golden file `v{version}.tgan`.
pub fn golden_path(version: u32) -> PathBuf {
    Path::new(GOLDEN).join(format!("v{version}.tgan"))
}

/// The bytes of golden file `v{version}.tgan`.
pub fn golden(version: u32) -> Vec<u8> {
    std::fs::read(golden_path(version)).unwrap()
}
