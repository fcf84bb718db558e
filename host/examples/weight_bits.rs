//! How much of a 2-D generator's int8 error its weights alone make: the f32 generator
//! with the weights of one dense layer (or all) rounded to `B` bits per output channel
//! (`s_c = max |w_c| / (2^(B−1) − 1)`, `w ← s_c · round(w / s_c)`, as the quantiser
//! rounds them), activations left in f32, against the unrounded generator on the same z
//! (2,500 samples, seed 0), in data units.
//!
//! `cargo run --release -p tinygan --example weight_bits -- DIR/model.tgan`

use anyhow::{Result, bail};
use tinygan::presets::registry::{AnyGenerator, LoadedGenerator};
use tinygan::quantize::report::error;
use tinygan_core::params::{Params, TensorKind};
use tinygan_core::presets::mixture::MixG;

/// Rounds each row of `fan_in` weights to `bits` bits, symmetric, by its largest value.
fn round_rows(w: &mut [f32], fan_in: usize, bits: u32) {
    let levels = ((1u32 << (bits - 1)) - 1) as f64;
    for row in w.chunks_mut(fan_in) {
        let m = row.iter().fold(0.0f64, |a, &v| a.max((v as f64).abs()));
        if m > 0.0 {
            let s = m / levels;
            row.iter_mut()
                .for_each(|v| *v = ((*v as f64 / s).round() * s) as f32);
        }
    }
}

/// The generator's weight tensors: index and values per output channel.
fn weights<P: Params>(g: &P) -> Vec<(usize, usize)> {
    (0..P::TENSORS)
        .filter_map(|t| match g.tensor_kind(t) {
            TensorKind::Weight { fan_in, .. } => Some((t, fan_in)),
            _ => None,
        })
        .collect()
}

fn main() -> Result<()> {
    let Some(path) = std::env::args().nth(1) else {
        bail!("usage: weight_bits MODEL.tgan (a ring8 or grid25 generator)");
    };
    let reference = LoadedGenerator::open(path.as_ref())?.sample_data(2500, 0);
    for bits in [8, 10, 12] {
        for only in [None, Some(0), Some(1), Some(2), Some(3)] {
            let mut g = LoadedGenerator::open(path.as_ref())?;
            let AnyGenerator::Mix(net) = &mut g.net else {
                bail!("{path}: not a plain 2-D mixture generator (MixG)");
            };
            for (k, (t, fan_in)) in weights::<MixG>(net).into_iter().enumerate() {
                if only.is_none_or(|o| o == k) {
                    round_rows(net.tensor_mut(t), fan_in, bits);
                }
            }
            let e = error(&reference, &g.sample_data(2500, 0));
            let which = only.map_or("all layers".to_string(), |k| format!("layer {}", k + 1));
            println!(
                "{bits:>2}-bit weights, {which:<10}: mean abs error {:.4}, max {:.4}",
                e.mean_abs, e.max_abs
            );
        }
    }
    Ok(())
}
