//! `tinygan bench kernels`: the layers of the reference models one at a time, forward
//! and backward, in GFLOP/s, against the machine's peak.
//!
//! FLOPs are `2·MACs` per sample forward and `4·MACs` backward (input and parameter
//! gradients), the MACs as in [`super::models`]. The same-run baseline is the plain-loop
//! dense kernel ([`tinygan_core::kernels::dense::reference`]) on the largest dense layer:
//! the tiled kernels' gain over straightforward loops, measured under the same load.

use super::{median, rates};
use crate::heap::boxed_zero;
use serde::Serialize;
use tinygan_core::Tensor;
use tinygan_core::kernels::dense;
use tinygan_core::layers::{
    BatchNorm1d, Conv2d, ConvTranspose2d, Dense, MinibatchDiscrimination, TrainLayer,
};
use tinygan_core::rng::{Prng, fill_gaussian};
use tinygan_core::tensor::flat_mut;

/// One layer's figures.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The layer and its shape.
    pub layer: String,
    /// Batch.
    pub batch: usize,
    /// MACs per sample (0 where the layer has none worth counting).
    pub macs: usize,
    /// Median forward passes per second.
    pub forward_per_s: f64,
    /// Median backward passes (input and parameter gradients) per second.
    pub backward_per_s: f64,
}

impl Row {
    /// Forward and backward GFLOP/s.
    pub fn gflops(&self) -> (f64, f64) {
        let f = 2.0 * (self.macs * self.batch) as f64 * 1e-9;
        (f * self.forward_per_s, 2.0 * f * self.backward_per_s)
    }
}

/// A boxed batch of `T` filled with seeded Gaussian values.
fn batch<T: Tensor, const B: usize>(rng: &mut Prng) -> Box<[T; B]> {
    let mut b = boxed_zero::<[T; B]>();
    fill_gaussian(rng, flat_mut(&mut *b));
    b
}

/// Times `L` at batch `B`: `reps` repetitions of `calls` calls, medians.
fn time<L: TrainLayer, const B: usize>(name: &str, macs: usize, reps: usize, calls: usize) -> Row {
    let mut rng = Prng::new(7);
    let mut layer = boxed_zero::<L>();
    for i in 0..L::TENSORS {
        fill_gaussian(&mut rng, layer.tensor_mut(i));
    }
    let (x, dy) = (batch::<L::In, B>(&mut rng), batch::<L::Out, B>(&mut rng));
    let (mut y, mut dx) = (batch::<L::Out, B>(&mut rng), batch::<L::In, B>(&mut rng));
    let mut grads = boxed_zero::<L>();
    let forward = rates(reps, calls, || layer.forward_train(&x, &mut y));
    let backward = rates(reps, calls, || {
        layer.backward(&x, &y, &dy, &mut dx, &mut grads)
    });
    Row {
        layer: name.into(),
        batch: B,
        macs,
        forward_per_s: median(&forward),
        backward_per_s: median(&backward),
    }
}

/// The plain-loop dense forward of `Dense<400, 400>` at batch 100.
fn reference_dense(reps: usize, calls: usize) -> Row {
    const N: usize = 400;
    const B: usize = 100;
    let mut rng = Prng::new(7);
    let (mut w, mut x) = (vec![0.0; N * N], vec![0.0; B * N]);
    fill_gaussian(&mut rng, &mut w);
    fill_gaussian(&mut rng, &mut x);
    let (b, mut y) = (vec![0.0; N], vec![0.0; B * N]);
    let forward = rates(reps, calls, || {
        dense::reference::forward(&w, &b, &x, &mut y, N, N)
    });
    Row {
        layer: "dense 400→400, plain loops (baseline)".into(),
        batch: B,
        macs: N * N,
        forward_per_s: median(&forward),
        backward_per_s: f64::NAN,
    }
}

/// Every layer, `reps` repetitions of `calls` calls each.
pub fn run(reps: usize, calls: usize) -> Vec<Row> {
    vec![
        reference_dense(reps, calls),
        time::<Dense<400, 400>, 100>("dense 400→400", 400 * 400, reps, calls),
        time::<Dense<200, 200>, 100>("dense 200→200", 200 * 200, reps, calls),
        time::<BatchNorm1d<400>, 100>("batch norm 400", 0, reps, calls),
        time::<Conv2d<1, 32, 8, 8, 4, 2, 1, 4, 4>, 64>(
            "conv 1→32, 8×8→4×4, k4 s2",
            32 * 4 * 4 * 16,
            reps,
            calls,
        ),
        time::<Conv2d<32, 64, 4, 4, 4, 2, 1, 2, 2>, 64>(
            "conv 32→64, 4×4→2×2, k4 s2",
            64 * 2 * 2 * 32 * 16,
            reps,
            calls,
        ),
        time::<ConvTranspose2d<32, 16, 4, 4, 4, 2, 1, 8, 8>, 64>(
            "transposed conv 32→16, 4×4→8×8, k4 s2",
            32 * 4 * 4 * 16 * 16,
            reps,
            calls,
        ),
        time::<Conv2d<16, 1, 8, 8, 3, 1, 1, 8, 8>, 64>(
            "conv 16→1, 8×8, k3",
            8 * 8 * 16 * 9,
            reps,
            calls,
        ),
        time::<MinibatchDiscrimination<256, 16, 8, 272>, 64>(
            "minibatch discrimination 256, 16×8",
            256 * 16 * 8,
            reps,
            calls,
        ),
    ]
}

/// The rows as a table, with each rate against the baseline row's.
pub fn table(rows: &[Row]) -> String {
    let base = rows.first().map_or(f64::NAN, |r| r.gflops().0);
    let mut s = format!(
        "{:<42} {:>6} {:>12} {:>12} {:>9}\n",
        "layer", "batch", "fwd GFLOP/s", "bwd GFLOP/s", "fwd/base"
    );
    for r in rows {
        let (f, b) = r.gflops();
        let cell = |v: f64| {
            if v.is_finite() && r.macs > 0 {
                format!("{v:.1}")
            } else {
                "-".into()
            }
        };
        s += &format!(
            "{:<42} {:>6} {:>12} {:>12} {:>9}\n",
            r.layer,
            r.batch,
            cell(f),
            cell(b),
            if r.macs > 0 {
                format!("{:.2}", f / base)
            } else {
                "-".into()
            }
        );
    }
    s += "batch norm 400 (no MACs): ";
    if let Some(bn) = rows.iter().find(|r| r.macs == 0) {
        s += &format!(
            "{:.1} µs forward, {:.1} µs backward\n",
            1e6 / bn.forward_per_s,
            1e6 / bn.backward_per_s
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layer_is_timed() {
        let rows = run(1, 1);
        assert_eq!(rows.len(), 9);
        for r in &rows[1..] {
            assert!(
                r.forward_per_s > 0.0 && r.backward_per_s > 0.0,
                "{}",
                r.layer
            );
        }
        assert!(table(&rows).contains("dense 400→400"));
    }

    #[test]
    fn gflops_count_two_flops_per_mac_forward_four_backward() {
        let r = Row {
            layer: String::new(),
            batch: 2,
            macs: 5,
            forward_per_s: 1e9,
            backward_per_s: 1e9,
        };
        assert_eq!(r.gflops(), (20.0, 40.0));
    }
}
