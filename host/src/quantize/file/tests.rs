//! Every preset's generator, trained briefly and quantised, round-trips through its int8
//! model file: core's runner on the file read back computes the bits of the generator
//! written, run layer by layer on the host.

use super::{encode, read};
use crate::config::{GenArch, TrainConfig};
use crate::dataset::Dataset;
use crate::model_io::About;
use crate::presets::registry::LoadedGenerator;
use crate::quantize::int8::{Bits, Kernel};
use crate::quantize::{Activations, Settings, WeightBits};
use crate::run::run;
use crate::run_folder::RunFolder;

/// Calibration samples (few: this checks the file, not the accuracy).
const CALIB: usize = 64;

/// Trains `data` with `generator` (and `generators` of them) for 2 iterations, then
/// quantises every generator file of the run and checks its round trip. Returns how many
/// generator files were checked.
fn round_trips(name: &str, data: Dataset, generator: GenArch, generators: u32) -> usize {
    let dir = std::env::temp_dir().join(format!("tinygan-int8-file-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    let config = TrainConfig {
        steps: 2,
        generator,
        generators,
        ..data.preset()
    };
    let mut folder = RunFolder::begin(&dir, false).unwrap();
    run(data, &config, Some(&mut folder)).unwrap();
    folder.commit().unwrap();
    let files = std::iter::once("model.tgan".to_string())
        .chain((0..generators).map(|k| format!("model-{k}.tgan")))
        .map(|f| dir.join(f))
        .filter(|p| p.exists());
    let mut checked = 0;
    for path in files {
        let g = LoadedGenerator::open(&path).unwrap();
        let settings = |activations| Settings {
            calibration: CALIB,
            activations,
            weights: WeightBits::Int8,
        };
        let q = g.quantize(&settings(Activations::Int8)).unwrap();
        let bytes = encode(&q, &g.about()).unwrap();
        // Format version 3 holds 8-bit activations only.
        let wide = g.quantize(&settings(Activations::Mixed)).unwrap();
        let e = encode(&wide, &g.about()).unwrap_err();
        assert!(
            format!("{e:#}").contains("stores 8-bit activations only"),
            "{e:#}"
        );
        let (back, about) = read(&bytes).expect("an int8 file").unwrap();
        assert_eq!(about, About::new(crate::model_io::Kind::Generator, data));
        assert_eq!(back.bytes(), &bytes[..]);
        assert_eq!(back.scaling, g.scaling, "{name}: the map to data units");
        // Core's runner on the file computes the bits of the host's layers, sample for
        // sample, and in data units (not all one value).
        let (run, layers) = (back.sample(40, 7).unwrap(), q.sample(40, 7));
        let bits = |rows: &[Vec<f32>]| -> Vec<u32> {
            rows.iter().flatten().map(|v| v.to_bits()).collect()
        };
        assert_eq!(bits(&run), bits(&layers), "{name}: {}", path.display());
        assert!(run.iter().any(|r| r != &run[0]), "{name}: samples vary");
        // 16-bit weights in the first dense or convolution layer: the file holds them
        // (an I16 weights entry) and runs to the host's bits.
        let linear = q
            .layers
            .iter()
            .filter(|l| matches!(l.kernel, Kernel::Linear(_)))
            .count();
        let first16 = std::iter::once(Bits::I16)
            .chain(std::iter::repeat_n(Bits::I8, linear - 1))
            .collect();
        let q16 = g
            .quantize(&Settings {
                weights: WeightBits::Each(first16),
                ..settings(Activations::Int8)
            })
            .unwrap();
        let (back16, _) = read(&encode(&q16, &g.about()).unwrap()).unwrap().unwrap();
        let m16 = tinygan_core::model::int8::Int8Model::parse(back16.bytes()).unwrap();
        assert!(matches!(
            m16.layer(0).unwrap().weights,
            tinygan_core::quant::Weights::I16(_)
        ));
        assert_eq!(
            bits(&back16.sample(40, 7).unwrap()),
            bits(&q16.sample(40, 7)),
            "{name}: 16-bit weights"
        );
        // An f32 file is not taken for an int8 one.
        assert!(read(&std::fs::read(&path).unwrap()).is_none());
        checked += 1;
    }
    std::fs::remove_dir_all(&dir).unwrap();
    checked
}

#[test]
fn ring8_generator_round_trips() {
    assert_eq!(round_trips("ring8", Dataset::Ring8, GenArch::Plain, 1), 1);
}

#[test]
fn grid25_generator_round_trips() {
    let preset = Dataset::Grid25.preset();
    assert_eq!(
        round_trips("grid25", Dataset::Grid25, preset.generator, 1),
        1
    );
}

#[test]
fn digits_generator_round_trips() {
    assert_eq!(round_trips("digits", Dataset::Digits, GenArch::Plain, 1), 1);
}

#[test]
fn wide_digits_generator_round_trips() {
    assert_eq!(round_trips("wide", Dataset::Digits, GenArch::Wide, 1), 1);
}

#[test]
fn vbn_generators_round_trip() {
    assert_eq!(round_trips("vbn-ring8", Dataset::Ring8, GenArch::Vbn, 1), 1);
    assert_eq!(
        round_trips("vbn-digits", Dataset::Digits, GenArch::Vbn, 1),
        1
    );
}

#[test]
fn batchnorm_generators_round_trip() {
    assert_eq!(
        round_trips("bn-ring8", Dataset::Ring8, GenArch::Batchnorm, 1),
        1
    );
    assert_eq!(
        round_trips("bn-digits", Dataset::Digits, GenArch::Batchnorm, 1),
        1
    );
}

/// A multiple-GAN run: `model.tgan` and each kept `model-k.tgan`, one file per generator.
#[test]
fn mixture_generators_round_trip() {
    assert!(round_trips("mixture", Dataset::Ring8, GenArch::Plain, 3) >= 2);
}
