//! The runner: a two-layer network worked by hand, the scratch size of the golden chain
//! (every layer kind) by hand, batches against single samples, and refused buffers.

use super::*;
use crate::model::golden_int8::Owned;
use crate::model::{Extras, encoded_len_int8, write_int8};
use crate::quant::{ChannelBytes, LayerIo, Requant, Weights};
use std::vec;
use std::vec::Vec;

/// `1 = 2³⁰ · 2^(1 − 31)` and `½ = 2³⁰ · 2^(0 − 31)`.
const ONE: Requant = Requant {
    multiplier: 1 << 30,
    shift: 1,
};
const HALF: Requant = Requant {
    multiplier: 1 << 30,
    shift: 0,
};

/// Dense 2 → 2 (weights `[[1, 2], [3, −4]]`, bias 0, `M = ½`, all scales 1, zero points
/// 0), then ReLU; the output map is `data = code` (`M = 1`, bias 0).
fn by_hand() -> Vec<u8> {
    let weights = [1i8, 2, 3, -4].map(|w| w as u8);
    let half = Channel {
        bias: 0,
        requant: HALF,
    }
    .to_le_bytes();
    let records = [half, half];
    let io = LayerIo::new(0, 0);
    let layers = [
        Layer {
            kind: Kind::Dense { inp: 2, out: 2 },
            input_scale: ONE,
            output_scale: ONE,
            io,
            weights: Weights::I8(&weights),
            channels: &records,
            table: None,
        },
        Layer {
            kind: Kind::Relu { len: 2 },
            input_scale: ONE,
            output_scale: ONE,
            io,
            weights: Weights::I8(&[]),
            channels: &[],
            table: None,
        },
    ];
    let maps: [ChannelBytes; 1] = [Channel {
        bias: 0,
        requant: ONE,
    }
    .to_le_bytes()];
    let extras = Extras {
        scaling: None,
        metadata: &[],
    };
    let mut buf = vec![0u8; encoded_len_int8(&layers, &maps, &extras)];
    let n = write_int8(&layers, &maps, &extras, &mut buf).unwrap();
    buf.truncate(n);
    buf
}

/// z = (2, 3): codes (2, 3); sums 1·2 + 2·3 = 8 and 3·2 − 4·3 = −6, halved to 4 and −3;
/// ReLU gives 4 and 0; in Q15.16, 4·2¹⁶ and 0. z = (−1.4, 0.6) rounds to (−1, 1):
/// sums 1 and −7, halved to 1 and −3 (halves round up), so 1 and 0.
#[test]
fn two_layers_by_hand() {
    let bytes = by_hand();
    let m = Int8Model::parse(&bytes).unwrap();
    assert_eq!((m.z_len(), m.out_len(), m.scratch_len()), (2, 2, 4));
    let mut scratch = [0i8; 8];
    let mut out = [0i32; 4];
    m.generate(&[2.0, 3.0, -1.4, 0.6], &mut scratch, &mut out)
        .unwrap();
    assert_eq!(out, [4 << 16, 0, 1 << 16, 0]);
}

/// The golden chain 3 → 8 → 8 → 27 → 27 → 9 → 9 → 9 → 9 codes: the widest step is the
/// leaky ReLU's 27 + 27. MACs: dense 3 · 8 = 24, convolution 3 · 2 · 2 · 2 weights at
/// 3 · 3 positions = 216, transposed convolution 3 · 1 weights at 3 · 3 = 27.
#[test]
fn golden_chain_sizes_by_hand() {
    let bytes = Owned::new().encode();
    let m = Int8Model::parse(&bytes).unwrap();
    assert_eq!((m.z_len(), m.out_len(), m.scratch_len()), (3, 9, 54));
    assert_eq!(m.macs(), 24 + 216 + 27);
}

/// A batch of 5 gives the bits of 5 runs of one sample (the buffer's two ends alternate
/// with the batch's sizes).
#[test]
fn a_batch_is_its_samples_one_at_a_time() {
    let bytes = Owned::new().encode();
    let m = Int8Model::parse(&bytes).unwrap();
    let z: Vec<f32> = (0..15).map(|k| (k as f32 - 7.0) * 37.0).collect();
    let mut scratch = vec![0i8; 5 * 54];
    let mut batch = vec![0i32; 5 * 9];
    m.generate(&z, &mut scratch, &mut batch).unwrap();
    for (zi, want) in z.chunks(3).zip(batch.chunks(9)) {
        let mut one = [0i32; 9];
        m.generate(zi, &mut [0i8; 54], &mut one).unwrap();
        assert_eq!(one, want);
    }
    assert!(
        batch.iter().any(|&v| v != batch[0]),
        "the outputs vary with z"
    );
}

#[test]
fn too_small_scratch_is_an_error() {
    let bytes = Owned::new().encode();
    let m = Int8Model::parse(&bytes).unwrap();
    let mut out = [0i32; 18];
    let e = m
        .generate(&[0.0; 6], &mut [0i8; 107], &mut out)
        .unwrap_err();
    assert_eq!(
        e,
        RunError::Scratch {
            needed: 108,
            given: 107
        }
    );
    let e = m.forward(&mut [0i8; 53], 1).unwrap_err();
    assert_eq!(
        e,
        RunError::Scratch {
            needed: 54,
            given: 53
        }
    );
}

#[test]
fn latents_and_outputs_of_different_sample_counts_are_an_error() {
    let bytes = Owned::new().encode();
    let m = Int8Model::parse(&bytes).unwrap();
    let mut scratch = [0i8; 200];
    let samples = |z: usize, out: usize| RunError::Samples {
        z,
        z_per_sample: 3,
        out,
        out_per_sample: 9,
    };
    let e = m.generate(&[0.0; 4], &mut scratch, &mut [0; 9]);
    assert_eq!(e, Err(samples(4, 9)), "z not whole samples");
    let e = m.generate(&[0.0; 6], &mut scratch, &mut [0; 9]);
    assert_eq!(e, Err(samples(6, 9)), "2 latents, 1 output");
}
