//! `tinygan deploy`: build the generation firmware with a model, run it on an emulated
//! board and read back what the board generated.
//!
//! The firmware embeds the model file at build time, checks it at boot, draws `z` from
//! `Prng::new(seed)` exactly as [`crate::generate`] does and logs each sample as a line
//! `sample I [w0, w1, …]` of hex words: for an f32 model (`firmware/src/bin/generate.rs`,
//! boards with an FPU only) the `f32` bit patterns in model units, mapped to data units by
//! the same code as `tinygan generate`'s; for an int8 model (`generate-int8.rs`, every
//! board) the Q15.16 data units core's int8 runner computes, the runner `tinygan generate`
//! runs on the host. The words are read back exactly, so the board's CSV is the host's
//! byte for byte when the bits are the same. The board is emulated by QEMU, or with
//! [`Runner::Probe`] a real one flashed and run by probe-rs (not tried on hardware here: no
//! board is attached to the build machines).

use crate::boards::Board;
use crate::dataset::Dataset;
use crate::plot::{ascii_digits, save_samples};
use crate::presets::registry::LoadedGenerator;
use crate::quantize::runner::to_rows;
use crate::sampler::Sampler;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The source tree whose firmware `deploy` builds (this crate's workspace).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What a deployment produced.
pub struct Deployed {
    /// The board's samples in data units, one row each.
    pub rows: Vec<Vec<f32>>,
    /// The host's samples from the same model, `n` and seed (what `tinygan generate`
    /// writes).
    pub host: Vec<Vec<f32>>,
    /// The data set the model file records.
    pub trained_on: Option<Dataset>,
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

/// The model as the firmware takes it: which binary runs it, what the build needs to know,
/// and how the logged words become data units.
enum Model {
    /// An f32 generator: `generate`, its preset type; words are `f32` in model units.
    F32(LoadedGenerator),
    /// An int8 model file: `generate-int8`; words are Q15.16 data units.
    Int8(Option<Dataset>),
}

impl Model {
    fn open(path: &Path, board: &Board) -> Result<Self> {
        let bytes = crate::model_io::read(path)?;
        if let Some(int8) = crate::quantize::file::read(&bytes) {
            let (_, about) = int8.with_context(|| path.display().to_string())?;
            return Ok(Self::Int8(about.data));
        }
        let g = LoadedGenerator::from_bytes(&bytes).with_context(|| path.display().to_string())?;
        if !board.has_fpu() {
            bail!(
                "{} is an f32 model and {} ({}) has no floating-point unit: quantise it \
                 first, `tinygan quantize --model {} --out MODEL.int8.tgan`, and deploy the \
                 int8 file",
                path.display(),
                board.name,
                board.cpu,
                path.display()
            );
        }
        Ok(Self::F32(g))
    }

    /// The firmware binary.
    fn bin(&self) -> &'static str {
        match self {
            Self::F32(_) => "generate",
            Self::Int8(_) => "generate-int8",
        }
    }

    /// The logged words of `n` samples in data units.
    fn rows(&self, words: Vec<Vec<u32>>) -> Vec<Vec<f32>> {
        match self {
            Self::F32(g) => {
                let mut rows: Vec<Vec<f32>> = words
                    .into_iter()
                    .map(|r| r.into_iter().map(f32::from_bits).collect())
                    .collect();
                g.to_data(&mut rows);
                rows
            }
            Self::Int8(_) => {
                let n = words.len();
                let flat: Vec<i32> = words.into_iter().flatten().map(|w| w as i32).collect();
                to_rows(&flat, n)
            }
        }
    }
}

/// Builds the generation firmware for `board` with the model at `model` (f32 or int8),
/// runs it on `runner` and returns the `n` samples it generated from `seed`, with the
/// host's. Errors are one message: the model (checked on the host first; an f32 model on
/// a board without an FPU), missing tools, a model that does not fit the board, a
/// firmware failure (the board's own error line) or a time-out.
pub fn deploy(
    model: &Path,
    board: &Board,
    n: usize,
    seed: u64,
    runner: Runner,
) -> Result<Deployed> {
    let kind = Model::open(model, board)?;
    let host: Vec<Vec<f32>> = Sampler::open(model)?.rows(seed).take(n).collect();
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
    let mut command = Command::new(&script);
    command
        .arg(match runner {
            Runner::Qemu => "run",
            Runner::Probe => "flash",
        })
        .args([board.name, kind.bin()])
        .env("TINYGAN_MODEL", &model)
        .env("TINYGAN_SAMPLES", n.to_string())
        .env("TINYGAN_SEED", seed.to_string())
        .env("FIRMWARE_TIMEOUT", &timeout);
    if let Model::F32(g) = &kind {
        command.env("TINYGAN_GENERATOR", g.core_type());
    }
    let out = command
        .output()
        .with_context(|| format!("cannot run {}", script.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => {}
        Some(3) => bail!("{}", build_failure(board, kind.bin(), &stderr)),
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
    let words = parse_samples(&stdout, n).with_context(|| {
        format!(
            "cannot read the samples {} printed (run `scripts/firmware.sh run {} {}` with \
             TINYGAN_MODEL set to see its log)",
            board.name,
            board.name,
            kind.bin()
        )
    })?;
    Ok(Deployed {
        rows: kind.rows(words),
        host,
        trained_on: match &kind {
            Model::F32(g) => g.trained_on,
            Model::Int8(data) => *data,
        },
    })
}

/// What a deployment shows: whether the board's samples are the host's bit for bit (the
/// host generating with the same seed), a terminal preview of the first digits from host
/// and board, and the metrics of the board's samples (the data set the file records; at
/// least its number of modes of samples). With `png`, the board's samples as a picture.
pub fn report(d: &Deployed, board: &Board, seed: u64, png: Option<&Path>) -> Result<String> {
    let n = d.rows.len();
    let host = &d.host;
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
    let Some(data) = d.trained_on else {
        out += "the model does not record its data set (format version 1): no metrics\n";
        return Ok(out);
    };
    if data == Dataset::Digits {
        let shown = n.min(10);
        out += &format!("host, first {shown}:\n{}", ascii_digits(host, shown));
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

/// One message for a failed build of firmware `bin`: the linker's line when the image does
/// not fit the board's flash or RAM, else where to see the build log.
fn build_failure(board: &Board, bin: &str, log: &str) -> String {
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
             {bin}` with TINYGAN_MODEL (and for f32 TINYGAN_GENERATOR) set for the whole log",
            board.name,
            last_line(log, |l| l.starts_with("error")).unwrap_or("see the build log"),
            board.name
        ),
    }
}

/// The `n` samples of the firmware's log: lines `sample I [w0, w1, …]`, `I` counting from
/// 0, each `w` a hex 32-bit word.
pub fn parse_samples(log: &str, n: usize) -> Result<Vec<Vec<u32>>> {
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
            .map(|w| u32::from_str_radix(w, 16))
            .collect::<Result<Vec<u32>, _>>()
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

    /// Words are read back as the bit patterns they name: 0x3f800000 is the `f32` 1.0,
    /// 0xfffe0000 the Q15.16 −2.0.
    #[test]
    fn sample_lines_read_back_to_the_same_bits() {
        let log = "INFO  model: ...\nsample 0 [3f800000, fffe0000]\nsample 1 [1, 0]\nstack: used 1";
        let rows = parse_samples(log, 2).unwrap();
        assert_eq!(rows, [vec![0x3f80_0000, 0xfffe_0000], vec![1, 0]]);
        assert_eq!(f32::from_bits(rows[0][0]), 1.0);
        assert_eq!(to_rows(&[rows[0][1] as i32], 1), [vec![-2.0]]);
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
