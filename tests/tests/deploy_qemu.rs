//! `tinygan deploy` end to end: trained ring8 and digits generators run on the emulated
//! boards and write the same CSV as `tinygan generate`, byte for byte: f32 on the
//! Cortex-M4F, int8 on the Cortex-M4F and the Cortex-M0; a damaged or foreign model embedded
//! in an image is refused by the board; an f32 model for the Cortex-M0 is one clear error.
//! Needs scripts/setup.sh; ignored when built with `TINYGAN_SKIP_QEMU=1` (see
//! tests/build.rs).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use tinygan::boards;
use tinygan::dataset::Dataset;
use tinygan::deploy::{Runner, deploy};
use tinygan::generate::csv;
use tinygan::presets::registry::LoadedGenerator;
use tinygan::quantize::Settings;
use tinygan::run_folder::RunFolder;
use tinygan::sampler::Sampler;
use tinygan_core::model::Fingerprint;
use tinygan_tests::firmware::script_with;

/// A build with -Zbuild-std and the model decoded by the compiler, plus the QEMU run.
const LIMIT: Duration = Duration::from_secs(900);

/// A model of `data` trained for `steps` iterations into a fresh folder `name` under the
/// temp dir (one per caller: tests run in parallel).
fn train(data: Dataset, steps: u32, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tinygan-deploy-{name}-{}", std::process::id()));
    let mut cfg = data.preset();
    cfg.steps = steps;
    let mut folder = RunFolder::begin(&dir, true).expect("run folder");
    tinygan::run::run(data, &cfg, Some(&mut folder)).expect("train");
    folder.commit().expect("commit the run folder");
    dir.join("model.tgan")
}

/// A ring8 generator trained for 200 iterations (once per test binary).
fn ring8_model() -> &'static Path {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();
    MODEL.get_or_init(|| train(Dataset::Ring8, 200, "ring8"))
}

/// The f32 model at `model` quantised to pure int8 (calibrated on 64 samples), written
/// next to it as `int8.tgan`.
fn quantised(model: &Path) -> PathBuf {
    let g = LoadedGenerator::open(model).unwrap();
    let settings = Settings {
        calibration: 64,
        ..Settings::default()
    };
    let q = g.quantize(&settings).unwrap();
    let bytes = tinygan::quantize::file::encode(&q, &g.about()).unwrap();
    let path = model.with_file_name("int8.tgan");
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The ring8 generator quantised to int8 (once per test binary).
fn ring8_int8() -> &'static Path {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();
    MODEL.get_or_init(|| quantised(ring8_model()))
}

/// A digits generator trained for 20 iterations and quantised to int8 (once per test
/// binary): 20 steps give a model whose arithmetic is as general as a trained one's.
fn digits_int8() -> &'static Path {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();
    MODEL.get_or_init(|| quantised(&train(Dataset::Digits, 20, "digits-int8")))
}

/// Deploys `model` to `board` and checks the board's CSV against `tinygan generate`'s (the
/// sampler it runs, on the host) for the same `n` and `seed`, byte for byte.
fn board_csv_is_generates(model: &Path, board: &str, n: usize, seed: u64) {
    let board = boards::find(board).unwrap();
    let deployed = deploy(model, &board, n, seed, Runner::Qemu).unwrap_or_else(|e| panic!("{e:#}"));
    let host: Vec<Vec<f32>> = Sampler::open(model)
        .unwrap()
        .rows(seed)
        .take(n)
        .collect::<Result<_, _>>()
        .unwrap();
    let want = csv(&host);
    let got = csv(&deployed.rows);
    assert_eq!(want.lines().count(), n);
    assert_eq!(
        got, want,
        "{} CSV differs from tinygan generate's",
        board.name
    );
    let distinct: std::collections::BTreeSet<&str> = want.lines().collect();
    assert!(distinct.len() > n / 2, "the samples vary: {want}");
}

#[test]
#[cfg_attr(skip_qemu, ignore = "TINYGAN_SKIP_QEMU=1 at build time")]
fn ring8_f32_on_the_m4f_writes_generates_csv_byte_for_byte() {
    board_csv_is_generates(ring8_model(), "netduinoplus2", 40, 7);
}

/// The digits generator (dense, strided transposed conv, stride-1 conv, tanh): the host
/// computes 25 samples per forward pass, the board one, and the CSVs are the same bytes.
/// 20 training steps give a model whose arithmetic is as general as a trained one's.
#[test]
#[cfg_attr(skip_qemu, ignore = "TINYGAN_SKIP_QEMU=1 at build time")]
fn digits_f32_on_the_m4f_writes_generates_csv_byte_for_byte() {
    board_csv_is_generates(
        &train(Dataset::Digits, 20, "digits"),
        "netduinoplus2",
        30,
        3,
    );
}

#[test]
#[cfg_attr(skip_qemu, ignore = "TINYGAN_SKIP_QEMU=1 at build time")]
fn ring8_int8_on_the_m4f_writes_generates_csv_byte_for_byte() {
    board_csv_is_generates(ring8_int8(), "netduinoplus2", 20, 5);
}

#[test]
#[cfg_attr(skip_qemu, ignore = "TINYGAN_SKIP_QEMU=1 at build time")]
fn ring8_int8_on_the_m0_writes_generates_csv_byte_for_byte() {
    board_csv_is_generates(ring8_int8(), "microbit", 20, 5);
}

/// The int8 digits generator (dense, packed transposed convolution and convolution on the
/// M4F, the column kernels on `m0::Plain` and the reference dense kernel on the M0, tanh
/// by table).
#[test]
#[cfg_attr(skip_qemu, ignore = "TINYGAN_SKIP_QEMU=1 at build time")]
fn digits_int8_on_the_m4f_writes_generates_csv_byte_for_byte() {
    board_csv_is_generates(digits_int8(), "netduinoplus2", 20, 2);
}

#[test]
#[cfg_attr(skip_qemu, ignore = "TINYGAN_SKIP_QEMU=1 at build time")]
fn digits_int8_on_the_m0_writes_generates_csv_byte_for_byte() {
    board_csv_is_generates(digits_int8(), "microbit", 20, 2);
}

/// An int8 file with one flipped bit in its last weight, embedded in the int8 firmware of
/// the M0: the image builds, the board's reader refuses it (CRC) and generates nothing.
#[test]
#[cfg_attr(skip_qemu, ignore = "TINYGAN_SKIP_QEMU=1 at build time")]
fn damaged_int8_model_is_refused_on_the_board() {
    let mut bytes = std::fs::read(ring8_int8()).unwrap();
    *bytes.last_mut().unwrap() ^= 0x01;
    let path = ring8_int8().with_file_name("damaged-int8.tgan");
    std::fs::write(&path, bytes).unwrap();
    let vars = [
        ("TINYGAN_MODEL", path.to_str().unwrap()),
        ("TINYGAN_SAMPLES", "4"),
    ];
    let run = script_with(&["run", "microbit", "generate-int8"], &vars, LIMIT);
    let log = format!("{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.code, Some(1), "exit status\n{log}");
    assert!(
        run.stdout.contains("model rejected") && run.stdout.contains("CRC-32 mismatch"),
        "no rejection naming the CRC\n{log}"
    );
    assert!(!run.stdout.contains("sample 0"), "generated\n{log}");
}

/// Runs the `generate` firmware on the M4F with `model` embedded as a ring8 generator.
fn run_embedded(model: &Path) -> tinygan_tests::firmware::Run {
    let vars = [
        ("TINYGAN_MODEL", model.to_str().unwrap()),
        ("TINYGAN_GENERATOR", "mixture::MixG"),
        ("TINYGAN_SAMPLES", "4"),
    ];
    script_with(&["run", "netduinoplus2", "generate"], &vars, LIMIT)
}

#[test]
#[cfg_attr(skip_qemu, ignore = "TINYGAN_SKIP_QEMU=1 at build time")]
fn damaged_or_foreign_model_is_refused_on_the_board() {
    let bytes = std::fs::read(ring8_model()).unwrap();
    let dir = ring8_model().parent().unwrap();
    // A flipped bit in the last weight: the image builds, the board's CRC check refuses it.
    let mut damaged = bytes.clone();
    *damaged.last_mut().unwrap() ^= 0x01;
    // A file of another architecture: the digits generator's fingerprint in the header
    // (the CRC covers only what follows the header, so only the architecture is wrong).
    let digits = tinygan_core::presets::digits::DigitsG::FINGERPRINT.to_le_bytes();
    let mut foreign = bytes.clone();
    foreign[8..12].copy_from_slice(&digits);
    for (name, file, message) in [
        ("damaged", damaged, "CRC-32 mismatch"),
        ("foreign", foreign, "another architecture"),
    ] {
        let path = dir.join(format!("{name}.tgan"));
        std::fs::write(&path, file).unwrap();
        let run = run_embedded(&path);
        let log = format!("{}\n{}", run.stdout, run.stderr);
        assert_eq!(run.code, Some(1), "{name} model: exit status\n{log}");
        assert!(
            run.stdout.contains("model rejected") && run.stdout.contains(message),
            "{name} model: no rejection naming '{message}'\n{log}"
        );
        assert!(
            !run.stdout.contains("sample 0"),
            "{name} model generated\n{log}"
        );
    }
}

/// The f32 generator needs an FPU: for the micro:bit's Cortex-M0 deploy says to quantise
/// it first, with the command, before building anything.
#[test]
fn f32_model_on_the_m0_says_to_quantise_it_first() {
    let board = boards::find("microbit").unwrap();
    let dir = std::env::temp_dir().join(format!("tinygan-deploy-f32-m0-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.tgan");
    let g = <tinygan_core::presets::mixture::MixG as tinygan_core::Zero>::ZERO;
    let about = tinygan::model_io::About::new(tinygan::model_io::Kind::Generator, Dataset::Ring8);
    std::fs::write(&path, tinygan::model_io::encode(&g, None, &about)).unwrap();
    let e = match deploy(&path, &board, 4, 0, Runner::Qemu) {
        Ok(_) => panic!("deployed an f32 model to microbit"),
        Err(e) => format!("{e:#}"),
    };
    let want = format!(
        "{} is an f32 model and microbit (Cortex-M0) has no floating-point unit: quantise it \
         first, `tinygan quantize --model {} --out MODEL.int8.tgan`, and deploy the int8 file",
        path.display(),
        path.display()
    );
    assert_eq!(e, want);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `tinygan deploy --probe` runs `scripts/firmware.sh flash`; without probe-rs on the path
/// that is one message naming what to install, before anything is built.
#[test]
fn flash_without_probe_rs_says_what_to_install() {
    if ["/usr/bin/probe-rs", "/bin/probe-rs"]
        .iter()
        .any(|p| Path::new(p).exists())
    {
        return; // installed system-wide: it cannot be hidden from the script
    }
    let vars = [("PATH", "/usr/bin:/bin"), ("CARGO_HOME", "/nonexistent")];
    let run = script_with(&["flash", "microbit", "generate"], &vars, LIMIT);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        "firmware.sh: no probe-rs: install it (https://probe.rs) and attach a debug probe to \
         the microbit board"
    );
}
