//! `tinygan inspect` end to end: a valid file is described on standard output (text or
//! JSON); a bad one is a single line on standard error naming the file and what is wrong,
//! with a non-zero exit and no panic.

mod common;

use common::{golden, golden_path, scratch, text, tinygan};
use std::path::Path;

/// Runs `inspect path` and checks it fails with one line naming `path` and containing
/// `reason`.
fn refused(path: &Path, reason: &str) {
    let out = tinygan(&["inspect", path.to_str().unwrap()]);
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(&*path.to_string_lossy()), "{err}");
    assert!(err.contains(reason), "{reason:?} not in {err}");
}

#[test]
fn golden_int8_file_text_and_json() {
    let path = golden_path(3);
    let out = tinygan(&["inspect", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    for needle in [
        "version      3 (int8 network)",
        "tensors      20",
        "leaky-relu",
    ] {
        assert!(shown.contains(needle), "{needle:?} not in\n{shown}");
    }
    let out = tinygan(&["inspect", "--json", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], 3);
    assert_eq!(json["int8"]["layers"].as_array().unwrap().len(), 8);
    // z's map in the golden file: multiplier 2^30, shift -7, i.e. 2^-8.
    assert_eq!(
        json["int8"]["layers"][0]["input_scale"]["real"],
        2f64.powi(-8)
    );
    assert_eq!(json["int8"]["layers"][0]["input_scale"]["shift"], -7);
}

#[test]
fn missing_file_and_folder_are_errors() {
    let dir = scratch("inspect", "missing");
    refused(&dir.join("nothing.tgan"), "No such file");
    refused(&dir, "Is a directory");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn truncated_corrupt_and_text_files_are_errors() {
    let dir = scratch("inspect", "bad");
    let file = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let v3 = golden(3);
    refused(
        &file("header.tgan", &v3[..20]),
        "shorter than the 32-byte header",
    );
    refused(
        &file("table.tgan", &v3[..100]),
        "ends inside the tensor table",
    );
    refused(
        &file("data.tgan", &v3[..v3.len() - 1]),
        "ends inside the tensor data",
    );
    let mut flipped = golden(2);
    flipped[200] ^= 0x10;
    refused(&file("crc.tgan", &flipped), "CRC-32 mismatch");
    refused(
        &file(
            "samples.csv",
            b"0.7071,0.7071\n-1.0000,0.0012\n0.0031,-0.9987\n",
        ),
        "magic is not TGAN",
    );
    refused(&file("empty.tgan", b""), "shorter than the 32-byte header");
    std::fs::remove_dir_all(&dir).unwrap();
}
