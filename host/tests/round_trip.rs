//! The CLI path end to end for each data set: `train` a few iterations, then `eval` and
//! `generate` load the saved model. `eval` with the training seed and 2,500 samples must
//! give the metrics `train` wrote (train scores its generator the same way before
//! saving it), so the model file carries the trained generator.

use std::path::PathBuf;
use std::process::{Command, Output};

fn tinygan(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_tinygan"))
        .args(args)
        .output()
        .expect("the tinygan binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tinygan {args:?}: {err}");
    out
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Asserts two score reports agree: counts exactly, real numbers to 1e-7 relative (the
/// digits scores of the same samples differed in their ninth digit between `train` and
/// `eval`; a different generator changes the first ones).
fn assert_same_scores(eval: &serde_json::Value, written: &serde_json::Value, data: &str) {
    let (eval, written) = (eval.as_object().unwrap(), written.as_object().unwrap());
    assert_eq!(eval.len(), written.len(), "{data}: {eval:?} vs {written:?}");
    for (key, w) in written {
        let e = &eval[key];
        match (e.as_u64(), w.as_u64()) {
            (Some(e), Some(w)) => assert_eq!(e, w, "{data}: {key}"),
            _ => {
                let (e, w) = (e.as_f64().unwrap(), w.as_f64().unwrap());
                assert!((e - w).abs() <= 1e-7 * w.abs(), "{data}: {key} {e} vs {w}");
            }
        }
    }
}

/// Trains `data` for 3 iterations with seed 5; returns its output folder.
fn trained(data: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tinygan-round-{data}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    let d = dir.to_str().unwrap();
    tinygan(&[
        "train", "--data", data, "--steps", "3", "--seed", "5", "--out", d,
    ]);
    dir
}

/// `generate` rows: `n` of them, `width` values each.
fn samples(model: &str, n: usize, seed: &str, width: usize) -> Vec<Vec<f32>> {
    let n_text = n.to_string();
    let args = [
        "generate", "--model", model, "--n", &n_text, "--seed", seed, "--out", "-",
    ];
    let csv = String::from_utf8(tinygan(&args).stdout).unwrap();
    let rows: Vec<Vec<f32>> = csv
        .lines()
        .map(|r| r.split(',').map(|c| c.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), n, "{csv}");
    assert!(rows.iter().all(|r| r.len() == width), "{csv}");
    rows
}

/// For each data set: the metrics `eval` computes from the saved model are those `train`
/// wrote; `generate` gives rows of the data's width in data units (G ends in tanh, mapped
/// by the data's scaler: a digit's pixels `8 + 8·tanh` in 0..=16, a ring8 point within
/// ±1.25 and a grid25 point within ±5), the same for the same seed and different for
/// another.
#[test]
fn train_then_eval_and_generate_for_each_data_set() {
    for (data, width, range) in [
        ("ring8", 2, 1.25f32),
        ("grid25", 2, 5.0),
        ("digits", 64, f32::NAN),
    ] {
        let dir = trained(data);
        let model = dir.join("model.tgan");
        let model = model.to_str().unwrap();
        let written = std::fs::read_to_string(dir.join("metrics.json")).unwrap();
        let eval = tinygan(&["eval", "--model", model, "--n", "2500", "--seed", "5"]);
        let eval = String::from_utf8(eval.stdout).unwrap();
        assert_same_scores(&json(&eval), &json(&written), data);

        let rows = samples(model, 20, "9", width);
        let inside = |v: f32| match data {
            "digits" => (0.0..=16.0).contains(&v),
            _ => v.abs() <= range,
        };
        assert!(
            rows.iter().flatten().all(|&v| inside(v)),
            "{data}: {rows:?}"
        );
        assert_eq!(samples(model, 20, "9", width), rows, "{data}: same seed");
        assert_ne!(
            samples(model, 20, "10", width),
            rows,
            "{data}: another seed"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
