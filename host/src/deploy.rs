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

pub mod budget;

use crate::boards::Board;
use crate::dataset::Dataset;
use crate::model_io::OutputScaling;
use crate::plot::{ascii_digits, save_samples};
use crate::presets::registry::LoadedGenerator;
use crate::quantize::runner::to_rows;
use crate::sampler::Sampler;
use anyhow::{Context, Result, bail};
use budget::Need;
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
    /// The map from model units to the data units of `rows` and `host` (the model's).
    pub scaling: Option<OutputScaling>,
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
    /// The model at `path` and what it needs of a board's memory at the least.
    fn open(path: &Path, board: &Board) -> Result<(Self, Need)> {
        let bytes = crate::model_io::read(path)?;
        if let Some(int8) = crate::quantize::file::read(&bytes) {
            let (q, about) = int8.with_context(|| path.display().to_string())?;
            let need = Need::int8(bytes.len(), q.z_len(), q.scratch_len(), q.out_len());
            return Ok((Self::Int8(about.data), need));
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
        let (net, acts) = g.footprint();
        Ok((Self::F32(g), Need::f32(bytes.len(), net, acts)))
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
/// a board without an FPU; a model whose own flash or RAM exceeds the board's,
/// [`budget`], before anything is built), missing tools, an image that does not fit the
/// board (the linker's overflow), a firmware failure (the board's own error line) or a
/// time-out.
pub fn deploy(
    model: &Path,
    board: &Board,
    n: usize,
    seed: u64,
    runner: Runner,
) -> Result<Deployed> {
    let (kind, need) = Model::open(model, board)?;
    need.check(board, model)?;
    let sampler = Sampler::open(model)?;
    let host: Vec<Vec<f32>> = sampler.rows(seed).take(n).collect::<Result<_>>()?;
    let scaling = sampler.scaling().cloned();
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
        scaling,
    })
}

/// What a deployment shows: whether the board's samples are the host's bit for bit (the
/// host generating with the same seed), a terminal preview of the first digits from host
/// and board, and the metrics of the board's samples (the data set the file records; at
/// least its number of modes of samples). With `png`, the board's samples as a picture.
/// The preview, the metrics and the picture take model units, as `tinygan eval` scores
/// them.
pub fn report(d: &Deployed, board: &Board, seed: u64, png: Option<&Path>) -> Result<String> {
    let n = d.rows.len();
    let bits = |r: &Vec<f32>| r.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let differ = d
        .host
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
    let model_units = |rows: &[Vec<f32>]| {
        let mut rows = rows.to_vec();
        if let Some(s) = &d.scaling {
            rows.iter_mut().for_each(|r| s.to_model(r));
        }
        rows
    };
    let (host, rows) = (model_units(&d.host), model_units(&d.rows));
    if data == Dataset::Digits {
        let shown = n.min(10);
        out += &format!("host, first {shown}:\n{}", ascii_digits(&host, shown));
        out += &format!(
            "{}, first {shown}:\n{}",
            board.name,
            ascii_digits(&rows, shown)
        );
    }
    if data.eval_counts().check("samples", n as i128).is_ok() {
        let metrics = data.score(&rows)?;
        out += &format!(
            "metrics of the board's samples on {data}:\n{}\n",
            serde_json::to_string_pretty(&metrics)?
        );
    } else {
        out += &format!("metrics need at least {} samples\n", data.modes());
    }
    if let Some(path) = png {
        save_samples(path, data, &rows)?;
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

    /// A valid int8 file (no metadata) of one ReLU over 4,096 codes: per sample the board
    /// holds 8,192 scratch codes (input and output side by side), 4,096 `f32` latents and
    /// 4,096 `i32` outputs, 8,192 + 4 · 8,192 = 40,960 bytes of RAM, over the micro:bit's
    /// 16 KiB and within the netduinoplus2's 128. `deploy` refuses it in one message
    /// before it builds or runs anything (no firmware tool is called: this runs without
    /// QEMU or the thumb toolchain).
    #[test]
    fn int8_model_over_the_m0s_ram_is_refused_before_building() {
        use tinygan_core::model::int8::{Kind, Layer};
        use tinygan_core::model::{Extras, encoded_len_int8, write_int8};
        use tinygan_core::quant::{Channel, LayerIo, Requant, Weights};
        let one = Requant {
            multiplier: 1 << 30,
            shift: 1,
        };
        let layers = [Layer {
            kind: Kind::Relu { len: 4096 },
            input_scale: one,
            output_scale: one,
            io: LayerIo::new(0, 0),
            weights: Weights::I8(&[]),
            channels: &[],
            table: None,
        }];
        let map = [Channel {
            bias: 0,
            requant: one,
        }
        .to_le_bytes()];
        let extras = Extras {
            scaling: None,
            metadata: &[],
        };
        let mut bytes = vec![0u8; encoded_len_int8(&layers, &map, &extras)];
        let len = write_int8(&layers, &map, &extras, &mut bytes).unwrap();
        bytes.truncate(len);
        let dir = std::env::temp_dir().join(format!("tinygan-budget-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("relu4096.int8.tgan");
        std::fs::write(&path, &bytes).unwrap();
        let microbit = crate::boards::find("microbit").unwrap();
        let e = match deploy(&path, &microbit, 4, 0, Runner::Qemu) {
            Ok(_) => panic!("deployed a model over the micro:bit's RAM"),
            Err(e) => format!("{e:#}"),
        };
        assert_eq!(
            e,
            format!(
                "{} does not fit microbit (nRF51822_xxAA, Cortex-M0): the model alone needs \
                 40960 bytes of RAM (8192 scratch codes, 4096 latent values and 4096 outputs \
                 of one sample), and it has 16 KiB (16384 bytes); deploy it to netduinoplus2 \
                 instead, or a smaller model",
                path.display()
            )
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// An f32 model needs its file and the decoded network in flash and one sample's
    /// activations in RAM. The digits generator's activations, from its layer shapes: the
    /// dense and ReLU outputs and the reshaped copy, 3 · 512 values; the transposed
    /// convolution and its ReLU, 2 · 16 · 8 · 8; the convolution and tanh, 2 · 64; 3,712
    /// `f32`, 14,848 bytes. The wide generator's (twice the channels): 3 · 1,024 +
    /// 2 · 2,048 + 2 · 64 = 7,296 values, 29,184 bytes.
    #[test]
    fn f32_footprint_is_the_network_and_one_samples_activations() {
        use tinygan_core::presets::digits::{DigitsG, DigitsGWide};
        use tinygan_core::tensor::Zero;
        let about = crate::model_io::About::new(crate::model_io::Kind::Generator, Dataset::Digits);
        for (bytes, acts) in [
            (
                crate::model_io::encode(&*Box::new(DigitsG::ZERO), None, &about),
                14_848,
            ),
            (
                crate::model_io::encode(&*Box::new(DigitsGWide::ZERO), None, &about),
                29_184,
            ),
        ] {
            let g = LoadedGenerator::from_bytes(&bytes).unwrap();
            let (net, got) = g.footprint();
            assert_eq!(got, acts);
            // The network is its parameters and buffers, 4 bytes each.
            assert_eq!(net, 4 * g.param_count());
        }
    }

    /// The report previews, scores and draws the board's samples in model units, as
    /// `tinygan eval` scores them: digits in data units `8 + 8·v` (values `v` in
    /// [−1, 1] that the map and its inverse keep exact) report the preview and the metrics
    /// of the `v`, and the same bits as the host's are reported as such.
    #[test]
    fn report_takes_model_units() {
        let model: Vec<Vec<f32>> = (0..20)
            .map(|i| {
                (0..64)
                    .map(|k| ((i * 37 + k * 11) % 17) as f32 / 8.0 - 1.0)
                    .collect()
            })
            .collect();
        let data: Vec<Vec<f32>> = model
            .iter()
            .map(|r| r.iter().map(|v| 8.0 + 8.0 * v).collect())
            .collect();
        let d = Deployed {
            rows: data.clone(),
            host: data,
            trained_on: Some(Dataset::Digits),
            scaling: Some(OutputScaling {
                offset: vec![8.0],
                scale: vec![8.0],
            }),
        };
        let board = crate::boards::find("microbit").unwrap();
        let text = report(&d, &board, 3, None).unwrap();
        let metrics = serde_json::to_string_pretty(&Dataset::Digits.score(&model).unwrap());
        let preview = ascii_digits(&model, 10);
        assert!(
            text.starts_with(
                "microbit (nRF51822_xxAA, Cortex-M0) generated 20 samples from seed 3: bit for \
                 bit the host's (tinygan generate)\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "host, first 10:\n{preview}microbit, first 10:\n{preview}"
            )),
            "{text}"
        );
        assert!(text.contains(&metrics.unwrap()), "{text}");
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
