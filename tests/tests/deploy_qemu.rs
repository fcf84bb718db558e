//! `tinygan deploy` end to end: trained ring8 and digits generators run on the emulated
//! Cortex-M4F and write the same CSV as `tinygan generate`; a damaged or foreign model embedded in an
//! image is refused by the board; a model too big for a board is one clear error. Needs
//! scripts/setup.sh; ignored when built with `TINYGAN_SKIP_QEMU=1` (see tests/build.rs).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use tinygan::boards;
use tinygan::dataset::Dataset;
use tinygan::deploy::{Runner, deploy};
use tinygan::generate::csv;
use tinygan::presets::registry::LoadedGenerator;
use tinygan::run_folder::RunFolder;
use tinygan_core::model::Fingerprint;
use tinygan_tests::firmware::script_with;

/// A build with -Zbuild-std and the model decoded by the compiler, plus the QEMU run.
const LIMIT: Duration = Duration::from_secs(900);

/// A model of `data` trained for `steps` iterations into a fresh folder under the temp dir.
fn train(data: Dataset, steps: u32) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tinygan-deploy-{data}-{}", std::process::id()));
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
    MODEL.get_or_init(|| train(Dataset::Ring8, 200))
}

/// Deploys `model` to `board` and checks the board's CSV against `tinygan generate`'s for
/// the same `n` and `seed`, byte for byte.
fn board_csv_is_generates(model: &Path, board: &str, n: usize, seed: u64) {
    let board = boards::find(board).unwrap();
    let mut deployed =
        deploy(model, &board, n, seed, Runner::Qemu).unwrap_or_else(|e| panic!("{e:#}"));
    let host = LoadedGenerator::open(model).unwrap();
    let want = csv(&host.sample_data(n, seed));
    deployed.generator.to_data(&mut deployed.rows);
    let got = csv(&deployed.rows);
    assert_eq!(want.lines().count(), n);
    assert_eq!(
        got, want,
        "{} CSV differs from tinygan generate's",
        board.name
    );
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
    board_csv_is_generates(&train(Dataset::Digits, 20), "netduinoplus2", 30, 3);
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

/// The f32 ring8 model (138 KB) is in the image twice, as the file the board checks and as
/// the decoded network it runs: more than the micro:bit's 256 KiB of flash.
#[test]
#[cfg_attr(skip_qemu, ignore = "TINYGAN_SKIP_QEMU=1 at build time")]
fn f32_ring8_on_the_microbit_is_too_big_in_one_message() {
    let board = boards::find("microbit").unwrap();
    let e = match deploy(ring8_model(), &board, 4, 0, Runner::Qemu) {
        Ok(_) => panic!("deployed to microbit"),
        Err(e) => format!("{e:#}"),
    };
    assert!(
        e.starts_with("the model does not fit microbit (256 KiB flash, 16 KiB RAM")
            && e.contains("FLASH")
            && !e.contains('\n'),
        "{e}"
    );
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
