//! The `tinygan` binary end to end: where its outputs go and how bad input is reported.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `tinygan` binary with `args`.
fn tinygan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tinygan"))
        .args(args)
        .output()
        .expect("the tinygan binary runs")
}

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tinygan-cli-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Trains ring8 for one iteration into `dir`; returns the path of its model.
fn one_step_model(dir: &Path) -> PathBuf {
    let out = tinygan(&[
        "train",
        "--data",
        "ring8",
        "--steps",
        "1",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir.join("model.tgan")
}

#[test]
fn init_out_dash_writes_to_stdout() {
    let out = tinygan(&["init", "--data", "ring8", "--out", "-"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let toml = text(&out.stdout);
    assert!(
        toml.starts_with("# tinygan training config for ring8"),
        "{toml}"
    );
    assert!(toml.contains("\nsteps = "), "{toml}");
    assert!(!Path::new("-").exists());
}

/// Runs `generate --n n --out out` on a one-iteration ring8 model trained in a scratch
/// folder named after `test`.
fn generate(test: &str, n: &str, out: &str) -> Output {
    let dir = scratch(test);
    let model = one_step_model(&dir.join("run"));
    let result = tinygan(&[
        "generate",
        "--model",
        model.to_str().unwrap(),
        "--n",
        n,
        "--out",
        out,
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    result
}

#[test]
fn generate_out_dash_writes_csv_to_stdout() {
    let out = generate("generate-dash", "7", "-");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 7, "{csv}");
    for row in rows {
        let cells: Vec<f32> = row.split(',').map(|c| c.parse().unwrap()).collect();
        assert_eq!(cells.len(), 2, "{row}");
    }
}

#[test]
fn generate_out_dev_full_is_an_error() {
    let out = generate("generate-full", "5000", "/dev/full");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("/dev/full") && err.contains("No space left"),
        "{err}"
    );
}

/// `eval` of a ring8 model: without `--data` it scores ring8, the data set the file
/// records; `--data grid25` is refused naming both; `discriminator.tgan` is named as a
/// discriminator by `eval` and `generate`.
#[test]
fn eval_checks_what_the_model_was_trained_on() {
    let dir = scratch("eval-trained-on");
    let model = one_step_model(&dir.join("run"));
    let model = model.to_str().unwrap();
    let ok = tinygan(&["eval", "--model", model, "--n", "100"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(
        text(&ok.stdout).contains("\"modes\""),
        "{}",
        text(&ok.stdout)
    );

    let refused = tinygan(&["eval", "--model", model, "--data", "grid25"]);
    let err = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{err}");
    assert!(
        err.contains("trained on ring8, not on grid25") && err.contains(model),
        "{err}"
    );

    let d = dir.join("run/discriminator.tgan");
    let d = d.to_str().unwrap();
    for args in [
        &["eval", "--model", d][..],
        &["generate", "--model", d, "--n", "1", "--out", "-"][..],
    ] {
        let out = tinygan(args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains(d) && err.contains("holds a discriminator"),
            "{err}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--steps` 0, negative and too large: the config key's range, named the same way, and
/// before any work.
#[test]
fn steps_zero_negative_and_huge_give_the_config_range() {
    for steps in ["0", "-5", "99999999999"] {
        let out = tinygan(&[
            "train",
            "--data",
            "ring8",
            "--steps",
            steps,
            "--out",
            "/nonexistent/x",
        ]);
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert!(
            err.starts_with(&format!(
                "error: `--steps` = {steps} is out of range: allowed 1 to 10000000"
            )),
            "{err}"
        );
    }
}

/// Every count flag parses negative numbers as numbers and states its range.
#[test]
fn every_count_flag_states_its_range() {
    for (args, range) in [
        (
            &["train", "--data", "ring8", "--seed", "-1", "--out", "x"][..],
            "0 to 9223372036854775807",
        ),
        (
            &["generate", "--model", "m", "--n", "-1", "--out", "x"],
            "1 to 18446744073709551615",
        ),
        (&["bench", "step", "--reps", "0"], "1 to 1000"),
        (&["bench", "kernels", "--calls", "-2"], "1 to 1000000000"),
        (
            &["bench", "tricks", "--data", "ring8", "--seeds", "0"],
            "1 to 1000",
        ),
        (
            &[
                "bench",
                "tricks",
                "--data",
                "ring8",
                "--seeds",
                "1",
                "--workers",
                "0",
            ],
            "1 to 1024",
        ),
    ] {
        let out = tinygan(args);
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!("is out of range: allowed {range}")),
            "{args:?}: {err}"
        );
    }
}

/// `eval --n` below one sample per mode is refused before sampling, naming the minimum
/// (the same check for every data set: `Dataset::eval_counts`); the minimum itself scores.
#[test]
fn eval_n_zero_is_an_error_naming_the_minimum() {
    let dir = scratch("eval-n-zero");
    let model = one_step_model(&dir.join("run"));
    for n in ["0", "7", "-1"] {
        let out = tinygan(&["eval", "--model", model.to_str().unwrap(), "--n", n]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            text(&out.stderr),
            format!("error: `--n` = {n} is out of range: allowed 8 to 1000000\n")
        );
    }
    let out = tinygan(&["eval", "--model", model.to_str().unwrap(), "--n", "8"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Outputs that cannot be written are found before any work: a run folder and a journal
/// under a regular file (refused for root too) fail at once, naming the path, although
/// the work (digits training, the ablation) would take minutes.
#[test]
fn unwritable_outputs_fail_before_any_work() {
    let dir = scratch("unwritable");
    std::fs::write(dir.join("file"), "").unwrap();
    let under = |name: &str| dir.join("file").join(name).to_string_lossy().into_owned();
    let run = under("run");
    let journal = under("journal.jsonl");
    let csv = under("samples.csv");
    for (args, path) in [
        (vec!["train", "--data", "digits", "--out", &run], &run),
        (
            vec![
                "bench",
                "tricks",
                "--data",
                "grid25",
                "--seeds",
                "1",
                "--journal",
                &journal,
            ],
            &journal,
        ),
        (
            vec![
                "bench", "tricks", "--data", "grid25", "--seeds", "1", "--json", &csv,
            ],
            &csv,
        ),
        (vec!["init", "--data", "ring8", "--out", &csv], &csv),
        (
            vec![
                "generate",
                "--model",
                "/nonexistent.tgan",
                "--n",
                "1",
                "--out",
                &csv,
            ],
            &csv,
        ),
    ] {
        let start = std::time::Instant::now();
        let out = tinygan(&args);
        let took = start.elapsed();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(path.as_str()), "{args:?}: {err}");
        assert!(took.as_secs_f64() < 0.5, "{args:?} took {took:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// CSV rows as numbers.
fn csv_rows(out: &Output) -> Vec<Vec<f32>> {
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    csv.lines()
        .map(|r| r.split(',').map(|c| c.parse().unwrap()).collect())
        .collect()
}

/// `--int8` runs the quantised model: `generate` gives rows of the same shape within a few
/// output codes of the f32 model's on the same z (ring8's data scale is about 1.4, so a
/// tanh code is about 0.011), `eval` scores it, and `quantize` prints its layers and the
/// error report.
#[test]
fn int8_generate_eval_and_quantize() {
    let dir = scratch("int8");
    let model = one_step_model(&dir.join("run"));
    let m = model.to_str().unwrap();
    let f32_rows = csv_rows(&tinygan(&[
        "generate", "--model", m, "--n", "20", "--out", "-",
    ]));
    let int8_rows = csv_rows(&tinygan(&[
        "generate", "--model", m, "--n", "20", "--out", "-", "--int8", "--calib", "200",
    ]));
    assert_eq!(int8_rows.len(), 20);
    for (a, b) in f32_rows.iter().zip(&int8_rows) {
        assert_eq!(a.len(), b.len());
        for (p, q) in a.iter().zip(b) {
            assert!((p - q).abs() < 0.1, "{a:?} vs {b:?}");
        }
    }
    assert_ne!(f32_rows, int8_rows, "the int8 path rounds");
    let eval = tinygan(&["eval", "--model", m, "--n", "100", "--int8"]);
    assert!(eval.status.success(), "{}", text(&eval.stderr));
    assert!(
        text(&eval.stdout).contains("\"modes\""),
        "{}",
        text(&eval.stdout)
    );
    let report = tinygan(&["quantize", "--model", m, "--n", "100"]);
    assert!(report.status.success(), "{}", text(&report.stderr));
    let report = text(&report.stdout);
    for line in [
        "fc1+a1",
        "tanh",
        "int8 against f32 on the same z (100 samples",
    ] {
        assert!(report.contains(line), "{report}");
    }
    assert!(!report.contains("16-bit"), "pure int8 by default: {report}");
    let wide = tinygan(&[
        "quantize",
        "--model",
        m,
        "--n",
        "100",
        "--activations",
        "16",
    ]);
    let wide = text(&wide.stdout);
    assert!(wide.contains("table (16-bit)"), "{wide}");
    let bad = tinygan(&["quantize", "--model", m, "--activations", "8,16"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("2 activation types given, but this generator has 5"),
        "{}",
        text(&bad.stderr)
    );
    let bad = tinygan(&["quantize", "--model", m, "--calib", "0"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("`--calib` = 0 is out of range"),
        "{}",
        text(&bad.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `generate` streams: with its address space limited to 50 MB, 2,000,000 rows go to
/// /dev/null (held in memory, the rows alone would take about 110 MB: a 24-byte `Vec`
/// and a 32-byte allocation each, and their CSV text 40 MB more); and the first rows of a
/// long run are those of a short one.
#[test]
fn generate_large_n_streams_in_bounded_memory() {
    let dir = scratch("generate-large");
    let model = one_step_model(&dir.join("run"));
    let model = model.to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_tinygan");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 50000 && exec {bin} generate --model {model} --n 2000000 --out /dev/null"
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let short = tinygan(&["generate", "--model", model, "--n", "30", "--out", "-"]);
    let long = tinygan(&["generate", "--model", model, "--n", "60", "--out", "-"]);
    assert!(text(&long.stdout).starts_with(&text(&short.stdout)));
    assert_eq!(text(&long.stdout).lines().count(), 60);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `eval --n` beyond what can be scored in memory is an error up front, exit 1.
#[test]
fn eval_n_beyond_what_can_be_scored_is_an_error() {
    let dir = scratch("eval-large");
    let model = one_step_model(&dir.join("run"));
    let out = tinygan(&[
        "eval",
        "--model",
        model.to_str().unwrap(),
        "--n",
        "10000000000",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: `--n` = 10000000000 is out of range: allowed 8 to 1000000\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `eval --model DIR` of a multiple-GAN run scores the mixture `mixture.json` describes:
/// at the training seed and 2,500 samples, exactly the metrics of `metrics.json`;
/// `DIR/model.tgan` alone is one generator, and says so.
#[test]
fn eval_of_a_multiple_gan_run_folder_uses_its_mixture() {
    let dir = scratch("mixture-run");
    let config = dir.join("three.toml");
    std::fs::write(&config, "generators = 3\nseed = 5\n").unwrap();
    let run = dir.join("run");
    let trained = tinygan(&[
        "train",
        "--data",
        "ring8",
        "--steps",
        "5",
        "--config",
        config.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(trained.status.success(), "{}", text(&trained.stderr));
    let json = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).unwrap();
    let mixture = json(&std::fs::read(run.join("mixture.json")).unwrap());
    let kept = mixture["weights"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w.as_u64() != Some(0))
        .count();
    assert!(
        kept >= 2,
        "the test needs a mixture of two or more: {mixture}"
    );
    let metrics = json(&std::fs::read(run.join("metrics.json")).unwrap());
    let eval = |model: &Path| {
        tinygan(&[
            "eval",
            "--model",
            model.to_str().unwrap(),
            "--seed",
            "5",
            "--n",
            "2500",
        ])
    };
    let of_run = eval(&run);
    assert!(of_run.status.success(), "{}", text(&of_run.stderr));
    assert_eq!(json(&of_run.stdout), metrics);
    let of_one = eval(&run.join("model.tgan"));
    assert!(of_one.status.success(), "{}", text(&of_one.stderr));
    assert_ne!(json(&of_one.stdout), metrics);
    assert!(
        text(&of_one.stderr).contains("pass --model"),
        "{}",
        text(&of_one.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
