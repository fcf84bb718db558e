//! Reads the board of the enabled board feature from `boards.txt`, writes its memory map
//! (`memory.x`) and adds the cortex-m-rt and defmt linker scripts; writes `model.rs`, the
//! model the `generate` and `generate-int8` binaries embed, and `generator.rs`, the f32
//! network type `generate` decodes it into.

use std::{env, fs, path::PathBuf};
use tinygan_core::model::int8::Int8Model;

/// One row of `boards.txt`.
struct Board {
    name: String,
    target: String,
    chip: String,
    cpu: String,
    flash: (String, String),
    ram: (String, String),
}

fn boards() -> Vec<Board> {
    let text = fs::read_to_string("boards.txt").expect("read boards.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let [name, target, chip, cpu, fo, fs, ro, rs] = f[..] else {
                panic!("boards.txt: 8 columns expected in {l:?}");
            };
            Board {
                name: name.into(),
                target: target.into(),
                chip: chip.into(),
                cpu: cpu.into(),
                flash: (fo.into(), fs.into()),
                ram: (ro.into(), rs.into()),
            }
        })
        .collect()
}

fn main() {
    println!("cargo:rerun-if-changed=boards.txt");
    let all = boards();
    let enabled: Vec<&Board> = all
        .iter()
        .filter(|b| env::var_os(format!("CARGO_FEATURE_{}", b.name.to_uppercase())).is_some())
        .collect();
    let [board] = enabled.as_slice() else {
        let names: Vec<&str> = all.iter().map(|b| b.name.as_str()).collect();
        panic!("enable exactly one board feature: {}", names.join(" or "));
    };
    let actual = env::var("TARGET").unwrap_or_default();
    assert_eq!(
        actual, board.target,
        "board {} needs --target {}, not {actual}",
        board.name, board.target
    );
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let memory = format!(
        "/* {} ({}, {}), from boards.txt */\nMEMORY\n{{\n  FLASH : ORIGIN = {}, LENGTH = {}K\n  RAM   : ORIGIN = {}, LENGTH = {}K\n}}\n",
        board.name, board.chip, board.cpu, board.flash.0, board.flash.1, board.ram.0, board.ram.1
    );
    fs::write(out.join("memory.x"), memory).expect("write memory.x");
    println!(
        "cargo:rustc-env=TINYGAN_BOARD={} ({}, {})",
        board.name, board.chip, board.cpu
    );
    println!("cargo:rustc-link-search={}", out.display());
    for arg in ["--nmagic", "-Tlink.x", "-Tdefmt.x"] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
    fs::write(out.join("model.rs"), model_rs()).expect("write model.rs");
    fs::write(out.join("generator.rs"), generator_rs()).expect("write generator.rs");
}

/// The items the generation binaries include, from the environment: `TINYGAN_MODEL` (path
/// of the model file), `TINYGAN_SAMPLES` (default 16) and `TINYGAN_SEED` (default 0); for
/// an int8 file (`Int8Model::parse` takes it) its sizes per sample: latent values, scratch
/// codes ([`Int8Model::scratch_len`]) and outputs, which size the int8 firmware's buffers
/// (0 for any other file, which the firmware refuses at boot). Without a model the items
/// are a compile error naming what to set (the other binaries do not include them).
fn model_rs() -> String {
    for var in ["MODEL", "SAMPLES", "SEED"] {
        println!("cargo:rerun-if-env-changed=TINYGAN_{var}");
    }
    let Ok(model) = env::var("TINYGAN_MODEL") else {
        return "compile_error!(\"the generation binaries embed a model: set TINYGAN_MODEL=FILE \
                (tinygan deploy sets it)\");\n"
            .into();
    };
    println!("cargo:rerun-if-changed={model}");
    let number = |var: &str, default: u64| {
        env::var(var).map_or(default, |v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{var}={v:?} is not a whole number"))
        })
    };
    let samples = number("TINYGAN_SAMPLES", 16);
    let seed = number("TINYGAN_SEED", 0);
    let bytes = fs::read(&model).unwrap_or_else(|e| panic!("TINYGAN_MODEL={model}: {e}"));
    let (z, scratch, out) =
        Int8Model::parse(&bytes).map_or((0, 0, 0), |m| (m.z_len(), m.scratch_len(), m.out_len()));
    format!(
        "/// Samples to generate.\n\
         const SAMPLES: usize = {samples};\n\
         /// Seed of the latent stream.\n\
         const SEED: u64 = {seed};\n\
         /// 16-byte alignment for the model file (the file's own data alignment).\n\
         #[repr(C, align(16))]\n\
         struct Aligned<T>(T);\n\
         /// The model file, in flash.\n\
         static MODEL: Aligned<[u8; {len}]> = Aligned(*include_bytes!({model:?}));\n\
         /// Latent values per sample of the int8 model (0: not an int8 file).\n\
         #[allow(dead_code)]\n\
         const Z_LEN: usize = {z};\n\
         /// Scratch codes per sample of the int8 model.\n\
         #[allow(dead_code)]\n\
         const SCRATCH: usize = {scratch};\n\
         /// Outputs per sample of the int8 model.\n\
         #[allow(dead_code)]\n\
         const OUT_LEN: usize = {out};\n",
        len = bytes.len()
    )
}

/// `type G`, the f32 generator type the model was written for (`TINYGAN_GENERATOR`, its
/// path under `tinygan_core::presets`, e.g. `mixture::MixG`), which `src/bin/generate.rs`
/// includes; unset, a compile error naming what to set.
fn generator_rs() -> String {
    println!("cargo:rerun-if-env-changed=TINYGAN_GENERATOR");
    let Ok(generator) = env::var("TINYGAN_GENERATOR") else {
        return "compile_error!(\"the f32 generate binary decodes the model into its type: set \
                TINYGAN_GENERATOR=TYPE (tinygan deploy sets it)\");\n"
            .into();
    };
    let valid = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    assert!(
        valid(&generator),
        "TINYGAN_GENERATOR={generator:?} is not a type path"
    );
    format!(
        "/// The generator type the model was written for.\n\
         type G = tinygan_core::presets::{generator};\n"
    )
}
