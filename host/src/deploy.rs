//! `tinygan deploy`: build the generation firmware with a model, run it on an emulated
//! board and read back what the board generated.
//!
//! The firmware (`firmware/src/bin/generate.rs`) embeds the model file at build time, checks
//! it at boot, draws `z` from `Prng::new(seed)` exactly as [`crate::generate`] does and logs
//! each sample's `f32` bit patterns (model units) on a line `sample I [w0, w1, …]` (hex).
//! The host parses the words back to the same `f32`s, so the samples map to data units and
//! to CSV through the same code as `tinygan generate`'s. The board is emulated by QEMU, or
//! with [`Runner::Probe`] a real one flashed and run by probe-rs (not tried on hardware
//! here: no board is attached to the build machines).

use crate::boards::Board;
use crate::dataset::Dataset;
use crate::plot::{ascii_digits, save_samples};
use crate::presets::registry::LoadedGenerator;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The source tree whose firmware `deploy` builds (this crate's workspace).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What a deployment produced.
pub struct Deployed {
    /// The generator, as the host loaded it (its output scaling maps the rows to data).
    pub generator: LoadedGenerator,
    /// The board's samples in model units, one row each.
    pub rows: Vec<Vec<f32>>,
}

/// Where the firmware runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runner {
    /// The emulated board in QEMU (`scripts/firmware.sh run`).
    Qemu,
    /// A real board through a debug probe (`scripts/firmware.sh flash`: `probe-rs run`,
    /// the RTT log backend).
    Probe,
}

/// Builds the `generate` firmware for `board` with the model at `model`, runs it on
/// `runner` and returns the `n` samples it generated from `seed`. Errors are one message:
/// the model (checked on the host first), missing tools, a model that does not fit the
/// board, a firmware failure (the board's own error line) or a time-out.
pub fn deploy(
    model: &Path,
    board: &Board,
    n: usize,
    seed: u64,
    runner: Runner,
) -> Result<Deployed> {
    let generator = LoadedGenerator::open(model)?;
    let model = std::fs::canonicalize(model)
        .with_context(|| format!("cannot resolve {}", model.display()))?;
    let script = root().join("scripts/firmware.sh");
    if !script.is_file() {
        bail!(
            "tinygan deploy builds the firmware from the source tree it was built in, and {} \
             is not there: run it from a checkout of the project",
            script.display()
        );
    }
    let timeout = std::env::var("FIRMWARE_TIMEOUT").unwrap_or_else(|_| (60 + n).to_string());
    let out = Command::new(&script)
        .arg(match runner {
            Runner::Qemu => "run",
            Runner::Probe => "flash",
        })
        .args([board.name, "generate"])
        .env("TINYGAN_MODEL", &model)
        .env("TINYGAN_GENERATOR", generator.core_type())
        .env("TINYGAN_SAMPLES", n.to_string())
        .env("TINYGAN_SEED", seed.to_string())
        .env("FIRMWARE_TIMEOUT", &timeout)
        .output()
        .with_context(|| format!("cannot run {}", script.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => {}
        Some(3) => bail!("{}", build_failure(board, &stderr)),
        Some(124) => bail!(
            "{} did not finish within {timeout} s (FIRMWARE_TIMEOUT): generate fewer samples \
             or raise FIRMWARE_TIMEOUT",
            board.name
        ),
        Some(1) => bail!(
            "the firmware on {} failed: {}",
            board.name,
            last_line(&stdout, |l| l.starts_with("ERROR")).unwrap_or("no message")
        ),
        code => bail!(
            "{}",
            last_line(&stderr, |l| l.starts_with("firmware.sh:"))
                .map(|l| l.trim_start_matches("firmware.sh: ").to_string())
                .unwrap_or_else(|| format!("scripts/firmware.sh ended with {code:?}"))
        ),
    }
    let rows = parse_samples(&stdout, n).with_context(|| {
        format!(
            "cannot read the samples {} printed (run `scripts/firmware.sh run {} generate` \
             with TINYGAN_MODEL set to see its log)",
            board.name, board.name
        )
    })?;
    Ok(Deployed { generator, rows })
}

/// What a deployment shows: whether the board's samples are the host's bit for bit (the
/// host generating with the same seed), a terminal preview of the first digits from host
/// and board, and the metrics of the board's samples (the data set the file records; at
/// least its number of modes of samples). With `png`, the board's samples as a picture.
pub fn report(d: &Deployed, board: &Board, seed: u64, png: Option<&Path>) -> Result<String> {
    let n = d.rows.len();
    let host = d.generator.sample(n, seed);
    let bits = |r: &Vec<f32>| r.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let differ = host
        .iter()
        .zip(&d.rows)
        .filter(|(h, b)| bits(h) != bits(b))
        .count();
    let mut out = format!(
        "{} ({}, {}) generated {n} samples from seed {seed}: {}\n",
        board.name,
        board.chip,
        board.cpu,
        if differ == 0 {
            "bit for bit the host's (tinygan generate)".to_string()
        } else {
            format!("{differ} of {n} differ from the host's")
        }
    );
    let Some(data) = d.generator.trained_on else {
        out += "the model does not record its data set (format version 1): no metrics\n";
        return Ok(out);
    };
    if data == Dataset::Digits {
        let shown = n.min(10);
        out += &format!("host, first {shown}:\n{}", ascii_digits(&host, shown));
        out += &format!(
            "{}, first {shown}:\n{}",
            board.name,
            ascii_digits(&d.rows, shown)
        );
    }
    if data.eval_counts().check("samples", n as i128).is_ok() {
        let metrics = data.score(&d.rows)?;
        out += &format!(
            "metrics of the board's samples on {data}:\n{}\n",
            serde_json::to_string_pretty(&metrics)?
        );
    } else {
        out += &format!("metrics need at least {} samples\n", data.modes());
    }
    if let Some(path) = png {
        save_samples(path, data, &d.rows)?;
        out += &format!("wrote {}\n", path.display());
    }
    Ok(out)
}

fn last_line(text: &str, want: impl Fn(&str) -> bool) -> Option<&str> {
    text.lines().rev().find(|l| want(l.trim_start()))
}

/// One message for a failed firmware build: the linker's line when the image does not fit
/// the board's flash or RAM, else where to see the build log.
fn build_failure(board: &Board, log: &str) -> String {
    match last_line(log, |l| {
        l.contains("will not fit in region") || l.contains("overflowed")
    }) {
        Some(line) => format!(
            "the model does not fit {} ({} KiB flash, {} KiB RAM, {}): the linker says `{}`; \
             deploy a smaller model or to a larger board",
            board.name,
            board.flash_kib,
            board.ram_kib,
            board.cpu,
            line.trim()
                .trim_start_matches("rust-lld: ")
                .trim_start_matches("error: ")
        ),
        None => format!(
            "building the firmware for {} failed: {}; run `scripts/firmware.sh build {} \
             generate` with TINYGAN_MODEL and TINYGAN_GENERATOR set for the whole log",
            board.name,
            last_line(log, |l| l.starts_with("error")).unwrap_or("see the build log"),
            board.name
        ),
    }
}

/// The `n` samples of the firmware's log: lines `sample I [w0, w1, …]`, `I` counting from
/// 0, each `w` the hex bit pattern of an `f32`.
pub fn parse_samples(log: &str, n: usize) -> Result<Vec<Vec<f32>>> {
    let mut rows = Vec::with_capacity(n);
    for line in log.lines() {
        let Some(rest) = line.trim().strip_prefix("sample ") else {
            continue;
        };
        let (index, words) = rest
            .split_once(' ')
            .with_context(|| format!("malformed sample line {line:?}"))?;
        if index.parse::<usize>().ok() != Some(rows.len()) {
            bail!(
                "sample line {line:?} out of order: expected sample {}",
                rows.len()
            );
        }
        let words = words
            .strip_prefix('[')
            .and_then(|w| w.strip_suffix(']'))
            .with_context(|| format!("malformed sample line {line:?}"))?;
        let row = words
            .split(", ")
            .map(|w| u32::from_str_radix(w, 16).map(f32::from_bits))
            .collect::<Result<Vec<f32>, _>>()
            .with_context(|| format!("malformed word in sample line {line:?}"))?;
        rows.push(row);
    }
    if rows.len() != n {
        bail!("{} samples printed, {n} expected", rows.len());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words are read back as the bit patterns they name: 0x3f800000 is 1.0, 0xc0000000 is
    /// −2.0, 0x00000001 the smallest subnormal.
    #[test]
    fn sample_lines_read_back_to_the_same_bits() {
        let log = "INFO  model: ...\nsample 0 [3f800000, c0000000]\nsample 1 [1, 0]\nstack: used 1";
        let rows = parse_samples(log, 2).unwrap();
        assert_eq!(rows[0], vec![1.0, -2.0]);
        assert_eq!(rows[1][0].to_bits(), 1);
        assert_eq!(rows[1][1].to_bits(), 0);
    }

    #[test]
    fn missing_or_misordered_samples_are_errors() {
        let e = parse_samples("sample 0 [3f800000]\n", 2).unwrap_err();
        assert!(
            e.to_string().contains("1 samples printed, 2 expected"),
            "{e}"
        );
        let e = parse_samples("sample 1 [3f800000]\n", 1).unwrap_err();
        assert!(e.to_string().contains("out of order"), "{e}");
        let e = parse_samples("sample 0 [3f80000g]\n", 1).unwrap_err();
        assert!(e.to_string().contains("malformed word"), "{e}");
    }
}
