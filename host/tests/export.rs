//! `tinygan export` end to end: the source goes through the one output path (a file or
//! `-`), and a file the reader refuses, or a bad name, is an error that writes nothing.
//! That the source compiles to the file's bytes is tests/tests/export.rs.

mod common;

use common::{golden, golden_path, scratch, text, tinygan};

#[test]
fn writes_c_to_a_file_and_rust_to_stdout() {
    let dir = scratch("export", "ok");
    let out = dir.join("model.c");
    let model = golden_path(3);
    let run = tinygan(&[
        "export",
        "--model",
        model.to_str().unwrap(),
        "--format",
        "c",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let c = std::fs::read_to_string(&out).unwrap();
    assert!(c.starts_with("/* A tinygan model file"), "{c}");
    assert!(
        c.contains("const unsigned char tinygan_model[1744] = {"),
        "{c}"
    );
    assert!(c.contains("const size_t tinygan_model_len = 1744;"), "{c}");

    let run = tinygan(&[
        "export",
        "--model",
        model.to_str().unwrap(),
        "--format",
        "rust",
        "--name",
        "GENERATOR",
        "--out",
        "-",
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let rust = text(&run.stdout);
    assert!(
        rust.contains("pub static GENERATOR: Aligned<[u8; 1744]> = Aligned(["),
        "{rust}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_model_or_name_writes_nothing() {
    let dir = scratch("export", "bad");
    let mut corrupt = golden(3);
    corrupt[900] ^= 0x80;
    let model = dir.join("corrupt.tgan");
    std::fs::write(&model, &corrupt).unwrap();
    let out = dir.join("model.rs");
    let export = |model: &str, name: &str| {
        tinygan(&[
            "export",
            "--model",
            model,
            "--format",
            "rust",
            "--name",
            name,
            "--out",
            out.to_str().unwrap(),
        ])
    };
    for (run, reason) in [
        (
            export(model.to_str().unwrap(), "M"),
            "corrupt.tgan: CRC-32 mismatch",
        ),
        (
            export(golden_path(2).to_str().unwrap(), "9lives"),
            "`--name`",
        ),
        (export(dir.to_str().unwrap(), "M"), "Is a directory"),
    ] {
        let err = text(&run.stderr);
        assert!(!run.status.success(), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(reason), "{reason:?} not in {err}");
        assert!(!out.exists());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
