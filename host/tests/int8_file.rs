//! `tinygan quantize --out` and the int8 model file it writes, end to end: `generate` and
//! `eval` run it with the integer kernels and give exactly what `--int8` gives on the f32
//! model calibrated the same way; and a closed standard output ends a command quietly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn tinygan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tinygan"))
        .args(args)
        .output()
        .expect("the tinygan binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(out: Output) -> Output {
    assert!(out.status.success(), "{}", text(&out.stderr));
    out
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tinygan-int8-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Trains ring8 for `steps` iterations into `dir` with the config text `config`.
fn train(dir: &Path, steps: &str, config: &str) {
    let file = dir.with_extension("toml");
    std::fs::write(&file, config).unwrap();
    ok(tinygan(&[
        "train",
        "--data",
        "ring8",
        "--steps",
        steps,
        "--config",
        file.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]));
}

fn quantize(model: &Path, out: &Path) -> Output {
    ok(tinygan(&[
        "quantize",
        "--model",
        model.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--calib",
        "300",
        "--n",
        "50",
    ]))
}

/// `generate` and `eval` of `model`, with `extra` flags.
fn outputs(model: &Path, extra: &[&str]) -> (String, String) {
    let m = model.to_str().unwrap();
    let mut g = vec![
        "generate", "--model", m, "--n", "300", "--seed", "4", "--out", "-",
    ];
    g.extend(extra);
    let mut e = vec!["eval", "--model", m, "--n", "300", "--seed", "4"];
    e.extend(extra);
    (text(&ok(tinygan(&g)).stdout), text(&ok(tinygan(&e)).stdout))
}

#[test]
fn generate_and_eval_of_the_int8_file_equal_int8_of_the_f32_model() {
    let dir = scratch("file");
    let run = dir.join("run");
    train(&run, "30", "");
    let model = run.join("model.tgan");
    let int8 = dir.join("int8.tgan");
    let report = text(&quantize(&model, &int8).stdout);
    assert!(
        report.contains("int8 against f32 on the same z"),
        "{report}"
    );
    assert!(
        report.contains(&format!("wrote {}", int8.display())),
        "{report}"
    );
    let bytes = std::fs::read(&int8).unwrap();
    assert_eq!(&bytes[..6], b"TGAN\x03\x00", "format version 3");

    let from_file = outputs(&int8, &[]);
    let in_memory = outputs(&model, &["--int8", "--calib", "300"]);
    assert_eq!(from_file.0.lines().count(), 300);
    assert_eq!(from_file, in_memory, "the same rows and the same scores");
    assert_ne!(from_file, outputs(&model, &[]), "the f32 model differs");
    // Another calibration is another int8 model.
    assert_ne!(from_file, outputs(&model, &["--int8", "--calib", "40"]));

    // The file records its data set: scoring it as grid25 is refused.
    let wrong = tinygan(&[
        "eval",
        "--model",
        int8.to_str().unwrap(),
        "--data",
        "grid25",
    ]);
    assert!(!wrong.status.success());
    assert!(
        text(&wrong.stderr).contains("trained on ring8"),
        "{}",
        text(&wrong.stderr)
    );
    // Commands that need the f32 model say what the file is.
    let again = tinygan(&["quantize", "--model", int8.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("int8 model file"),
        "{}",
        text(&again.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A multiple-GAN run folder whose generators are int8 files (each `model-k.tgan`
/// quantised on its own) samples its mixture with the integer kernels.
#[test]
fn a_run_folder_of_int8_generators_samples_its_mixture() {
    let dir = scratch("mixture");
    let run = dir.join("run");
    train(&run, "5", "generators = 3\nseed = 5\n");
    let int8_run = dir.join("int8-run");
    std::fs::create_dir_all(&int8_run).unwrap();
    std::fs::copy(run.join("mixture.json"), int8_run.join("mixture.json")).unwrap();
    let mut kept = 0;
    for name in ["model.tgan", "model-0.tgan", "model-1.tgan", "model-2.tgan"] {
        if run.join(name).exists() {
            quantize(&run.join(name), &int8_run.join(name));
            kept += 1;
        }
    }
    assert!(kept >= 3, "the test needs a mixture of two or more");
    assert_eq!(
        outputs(&int8_run, &[]),
        outputs(&run, &["--int8", "--calib", "300"])
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The reader of standard output goes away (`| head -1` once it has its line; here before
/// the first write, so every write fails with EPIPE): the command stops without a message
/// and without a panic, and exits 0. `quantize` panicked here when it printed with
/// `println!`.
#[test]
fn closed_standard_output_ends_quietly() {
    let dir = scratch("pipe");
    let run = dir.join("run");
    train(&run, "1", "");
    let m = run.join("model.tgan");
    let m = m.to_str().unwrap();
    for args in [
        &["quantize", "--model", m, "--n", "2000"][..],
        &["generate", "--model", m, "--n", "1000000", "--out", "-"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tinygan"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stderr), "", "{args:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
