//! Training runs pinned bit for bit, and training on threads with a small stack.
//!
//! The hashes are FNV-1a (64-bit) of `model.tgan` as written by `tinygan train` built from
//! commit 2fcde08, before the training state moved into core and was built in place
//! (`tinygan train --data DATA --steps N --seed 1 [--config FILE]` with the same keys as
//! below, hashed outside the program): a change that alters any trained weight, or the
//! file format, fails here.

use super::*;

/// FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `model.tgan` of `data` trained `steps` iterations with seed 1 and the config keys
/// `keys` over the preset.
fn model_bytes(data: Dataset, steps: u32, keys: &str) -> Vec<u8> {
    let config = TrainConfig {
        steps,
        seed: 1,
        ..data.preset().merge_str(keys).unwrap()
    };
    let dir = std::env::temp_dir().join(format!(
        "tinygan-pinned-{}-{:x}",
        std::process::id(),
        fnv1a(format!("{data:?}{steps}{keys}").as_bytes())
    ));
    let mut folder = RunFolder::begin(&dir, true).unwrap();
    run(data, &config, Some(&mut folder)).unwrap();
    folder.commit().unwrap();
    let bytes = std::fs::read(dir.join("model.tgan")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    bytes
}

/// Each preset family and the run-level options (multiple generators, EMA of G with
/// warm-up and decay, both historical averages, each optimiser, the semi-supervised D
/// with VBN) give the model files they gave before the refactor, byte for byte.
#[test]
fn trained_models_are_pinned() {
    let cases: [(Dataset, u32, &str, u64); 9] = [
        (Dataset::Ring8, 200, "", 0xc60f_60a4_095d_0556),
        (Dataset::Grid25, 200, "", 0x5605_a9d7_6c45_02d7),
        (Dataset::Digits, 20, "", 0x6c93_ad2d_d2bb_4d3f),
        (Dataset::Ring8, 100, "generators = 3", 0x49c7_d500_1527_fde4),
        (
            Dataset::Grid25,
            200,
            "ema_g = 0.99\nlr_warmup = 20\nlr_final = 0.1",
            0x33d6_4ab8_3e25_bc48,
        ),
        (
            Dataset::Ring8,
            200,
            "history = 0.1\nhistory_kind = \"ema\"",
            0xb716_7e8e_fee1_e5da,
        ),
        (
            Dataset::Ring8,
            200,
            "history = 0.1\nhistory_kind = \"window\"\noptimizer = \"rmsprop\"",
            0x45cc_d3ae_fded_fd18,
        ),
        (
            Dataset::Ring8,
            200,
            "optimizer = \"sgd\"\nlr_g = 0.01\nlr_d = 0.01",
            0x2f8d_774d_b4a3_8077,
        ),
        (
            Dataset::Digits,
            20,
            "generator = \"vbn\"\ndiscriminator = \"classes\"\nsupervised = 0.5\nema_g = 0.9\nhistory = 0.01\nhistory_kind = \"window\"",
            0x92fa_aab6_198f_0e70,
        ),
    ];
    for (data, steps, keys, want) in cases {
        let got = fnv1a(&model_bytes(data, steps, keys));
        assert_eq!(got, want, "{data:?}, {steps} steps, {keys:?}: {got:#018x}");
    }
}

/// Every preset family trains (with EMA of G and a window history, the biggest state) on
/// a thread with a 2 MiB stack, the default of `std::thread`: the state never passes
/// through the stack.
#[test]
fn every_preset_family_trains_on_a_small_stack() {
    for data in [Dataset::Ring8, Dataset::Grid25, Dataset::Digits] {
        let config = TrainConfig {
            steps: 2,
            ..data
                .preset()
                .merge_str("ema_g = 0.9\nhistory = 0.1\nhistory_kind = \"window\"\ngenerators = 2")
                .unwrap()
        };
        let losses = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || run(data, &config, None).map(|o| o.losses.len()))
            .unwrap()
            .join()
            .expect("the training thread ran out of stack or panicked")
            .unwrap();
        assert_eq!(losses, 2, "{data:?}");
    }
}
