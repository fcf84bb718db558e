//! The quantiser against the f32 networks it comes from.

use super::fold::{Linear, Op, Stage, stages};
use super::int8::Bits;
use super::{Activations, Settings, WeightBits, plan, quantize, weight_plan};
use crate::generate::sample_rows;
use crate::model_io::OutputScaling;
use crate::presets::digits::{DigitsG, DigitsGBn, DigitsGVbn, DigitsGWide};
use crate::presets::mixture::{MixDMbd, MixG, MixGBn, MixGVbn};
use crate::quantize::report::error;
use tinygan_core::layers::{BatchNorm1d, Dense, Layer, Relu, VirtualBatchNorm1d};
use tinygan_core::params::{Params, TensorKind};
use tinygan_core::rng::{Prng, fill_gaussian, gaussian, uniform};
use tinygan_core::tensor::flat_mut;
use tinygan_core::{Network, Zero, init};

/// [`random`] weights, then normalisation statistics of the network's own activations:
/// 30 training-mode passes over batches of 32 fresh `z` (batch norm's running statistics
/// move to the batches', virtual batch norm records its reference batch's).
fn realistic<G: Network>(seed: u64) -> Box<G> {
    let mut g = random::<G>(seed);
    let mut rng = Prng::new(seed + 1);
    let mut z = Box::new([G::In::ZERO; 32]);
    let mut acts = Box::new(G::Acts::<32>::ZERO);
    for _ in 0..30 {
        fill_gaussian(&mut rng, flat_mut(&mut z[..]));
        g.forward_train(&z, &mut acts);
    }
    g
}

/// Kaiming weights, biases `N(0, 0.1²)`, gains `1 + N(0, 0.1²)`, and normalisation
/// statistics: means `N(0, 0.3²)`, variances uniform in [0.5, 2].
fn random<N: Network>(seed: u64) -> Box<N> {
    let mut rng = Prng::new(seed);
    let mut n = Box::new(N::ZERO);
    init::kaiming_normal(&mut *n, &mut rng, 0.0);
    for t in 0..N::TENSORS {
        let kind = n.tensor_kind(t);
        for v in n.tensor_mut(t) {
            match kind {
                TensorKind::Bias => *v = 0.1 * gaussian(&mut rng),
                TensorKind::Gain => *v = 1.0 + 0.1 * gaussian(&mut rng),
                TensorKind::Weight { .. } => {}
            }
        }
    }
    for b in 0..N::BUFFERS {
        let variance = n.buffer_init(b) == 1.0;
        for v in n.buffer_mut(b) {
            *v = if variance {
                0.5 + 1.5 * uniform(&mut rng)
            } else {
                0.3 * gaussian(&mut rng)
            };
        }
    }
    n
}

tinygan_core::network! {
    /// Dense, batch norm, ReLU.
    struct DenseBn, acts DenseBnActs {
        fc: Dense<6, 5>,
        bn: BatchNorm1d<5>,
        relu: Relu<[f32; 5]>,
    }
}

tinygan_core::network! {
    /// Dense, virtual batch norm (reference of 4).
    struct DenseVbn, acts DenseVbnActs {
        fc: Dense<6, 5>,
        bn: VirtualBatchNorm1d<5, 4>,
    }
}

/// `W x + b` of a folded dense stage.
fn folded_dense(op: &Op, x: &[f32]) -> Vec<f32> {
    let Op::Linear {
        kind: Linear::Dense { inp, .. },
        w,
        b,
        ..
    } = op
    else {
        panic!("not a dense stage: {op:?}")
    };
    w.chunks(*inp)
        .zip(b)
        .map(|(row, bo)| bo + row.iter().zip(x).map(|(p, q)| p * q).sum::<f32>())
        .collect()
}

/// Batch norm folded into the dense layer before it gives that pair's inference output,
/// and the ReLU after it fuses into the same stage.
#[test]
fn batch_norm_folds_into_the_dense_layer() {
    let net = random::<DenseBn>(1);
    let st = stages(&*net).unwrap();
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].name, "fc+bn+relu");
    assert!(matches!(st[0].op, Op::Linear { relu: true, .. }));
    let x = [[0.3, -1.0, 0.5, 2.0, -0.2, 0.9]];
    let mut acts = DenseBnActs::<1>::ZERO;
    net.forward(&x, &mut acts);
    for (p, q) in folded_dense(&st[0].op, &x[0]).iter().zip(&acts.bn[0]) {
        assert!((p - q).abs() < 1e-5, "{p} vs {q}");
    }
}

/// Virtual batch norm folds as its linearisation at the reference mean, so it is exact
/// for a sample whose pre-norm values equal the reference mean: set the reference mean
/// to the dense output of `x`.
#[test]
fn virtual_batch_norm_folds_exactly_at_the_reference_mean() {
    let mut net = random::<DenseVbn>(2);
    let x = [[0.3, -1.0, 0.5, 2.0, -0.2, 0.9]];
    let mut h = [[0.0; 5]];
    net.fc.forward(&x, &mut h);
    net.bn.ref_mean = h[0];
    let st = stages(&*net).unwrap();
    let mut acts = DenseVbnActs::<1>::ZERO;
    net.forward(&x, &mut acts);
    for (p, q) in folded_dense(&st[0].op, &x[0]).iter().zip(&acts.bn[0]) {
        assert!((p - q).abs() < 1e-5, "{p} vs {q}");
    }
}

/// Errors name the layer: minibatch discrimination has no int8 form, and a batch norm
/// with no layer before it cannot be folded.
#[test]
fn layers_without_an_int8_form_are_named_errors() {
    let e = quantize(&*random::<MixDMbd>(3), None, &calibrated(10)).unwrap_err();
    assert!(
        format!("{e:#}").contains("layer `mbd` (MinibatchDiscrimination)"),
        "{e:#}"
    );
    tinygan_core::network! {
        /// Batch norm first.
        struct BnFirst, acts BnFirstActs {
            bn: BatchNorm1d<4>,
            fc: Dense<4, 2>,
        }
    }
    let e = quantize(&*random::<BnFirst>(3), None, &calibrated(10)).unwrap_err();
    assert!(
        format!("{e:#}").contains("layer `bn` (batch norm)"),
        "{e:#}"
    );
    let e = quantize(&*random::<MixG>(3), None, &calibrated(0)).unwrap_err();
    assert!(format!("{e:#}").contains("at least 1 sample"), "{e:#}");
}

/// The default settings, calibrated on `n` samples.
fn calibrated(n: usize) -> Settings {
    Settings {
        calibration: n,
        ..Settings::default()
    }
}

/// Every preset generator quantises, and on 500 fresh `z` its int8 outputs (data units,
/// here a scale of 2 and an offset of 1, so one int8 tanh output code is 2/128) stay close
/// to the f32 model's: a mean error under 3 codes and a largest under 24 (activations
/// beyond the calibrated range clip). With virtual batch norm, whose fold is a
/// linearisation (see [`super::fold`]) that is off by up to a seventh at 3σ from the
/// reference mean in each normalised layer, only the mean error is bounded, by 12 codes.
/// A wrong fold, channel order or zero point moves outputs by a sizeable part of their
/// range (tens of codes on average). The 16x8 scheme meets the same bounds and its mean
/// error is no larger than pure int8's (finer activations, the same weights).
#[test]
fn every_preset_generator_quantises_close_to_f32() {
    fn check<G: Network>(name: &str, mean_codes: f64, max_codes: f64) {
        let g = realistic::<G>(4);
        let scaling = OutputScaling {
            offset: vec![1.0],
            scale: vec![2.0],
        };
        let mut reference: Vec<Vec<f32>> = sample_rows(&*g, 9).take(500).collect();
        reference.iter_mut().for_each(|r| scaling.to_data(r));
        let errors = [Activations::Int8, Activations::Mixed].map(|activations| {
            let settings = Settings {
                activations,
                ..Settings::default()
            };
            let q = quantize(&*g, Some(&scaling), &settings).unwrap();
            let e = error(&reference, &q.sample(500, 9));
            let code = 2.0 / 128.0;
            assert!(
                e.mean_abs < mean_codes * code && e.max_abs < max_codes * code,
                "{name}, {settings:?}: {e:?}"
            );
            e.mean_abs
        });
        assert!(errors[1] <= errors[0], "{name}: 16x8 {errors:?}");
    }
    check::<MixG>("MixG", 3.0, 24.0);
    check::<MixGBn>("MixGBn", 3.0, 24.0);
    check::<MixGVbn>("MixGVbn", 12.0, f64::INFINITY);
    check::<DigitsG>("DigitsG", 3.0, 24.0);
    check::<DigitsGBn>("DigitsGBn", 3.0, 24.0);
    check::<DigitsGVbn>("DigitsGVbn", 12.0, f64::INFINITY);
    check::<DigitsGWide>("DigitsGWide", 3.0, 24.0);
}

/// The 16x8 rule by hand: `MixG`'s dense layers sum at most 128 products, so every tensor
/// gets `i16` codes (`128 · 127 · 32768 < 2³⁰`); in `DigitsGWide` the last convolution
/// sums `32 · 3 · 3 = 288` products (`288 · 127 · 32768 ≥ 2³⁰`), so the tensor it reads
/// (the transposed convolution's output after its ReLU) stays `i8`, while the transposed
/// convolution reads `64 · ⌈4/2⌉ · ⌈4/2⌉ = 256` products and takes `i16`.
#[test]
fn the_16x8_rule_keeps_i8_where_sums_could_leave_i32() {
    use Bits::{I8, I16};
    let mix = stages(&*random::<MixG>(1)).unwrap();
    let w8 = |s: &[Stage]| vec![I8; s.len()];
    assert_eq!(
        plan(&mix, &w8(&mix), &Activations::Mixed).unwrap(),
        vec![I16; 6]
    );
    assert_eq!(
        plan(&mix, &w8(&mix), &Activations::Int8).unwrap(),
        vec![I8; 6]
    );
    let wide = stages(&*random::<DigitsGWide>(1)).unwrap();
    let names: Vec<&str> = wide.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["fc+a1", "up+a2", "conv", "tanh"]);
    assert_eq!(
        plan(&wide, &w8(&wide), &Activations::Mixed).unwrap(),
        vec![I16, I16, I8, I16, I16]
    );
    // An explicit list: one entry for z and each dense stage; the table keeps its input's.
    let each = Activations::parse("8,16,16,8,16").unwrap();
    assert_eq!(
        plan(&mix, &w8(&mix), &each).unwrap(),
        vec![I8, I16, I16, I8, I16, I16]
    );
    let e = plan(&mix, &w8(&mix), &Activations::parse("8,16").unwrap()).unwrap_err();
    assert!(
        format!("{e:#}").contains(
            "2 activation types given, but this generator has 5: z, fc1+a1, fc2+a2, fc3+a3, out"
        ),
        "{e:#}"
    );
    let e = plan(
        &wide,
        &w8(&wide),
        &Activations::parse("16,16,16,16").unwrap(),
    )
    .unwrap_err();
    assert!(
        format!("{e:#}").contains("layer `conv` sums too many products"),
        "{e:#}"
    );
    let e = Activations::parse("8,12").unwrap_err();
    assert!(
        format!("{e:#}").contains("activation bits `12` in `8,12`"),
        "{e:#}"
    );
}

/// Core's runner (the code a board runs: the file's parameters in place, the optimised
/// kernels' dispatch, one buffer) computes, for every preset generator quantised to pure
/// int8, the bits of the host's layer-by-layer reference path, on 300 samples in a
/// stream of chunks and on a batch of 7; and the 16x8 scheme, which the file cannot
/// hold, has no file to run.
#[test]
fn the_runner_computes_the_layers_bits_for_every_preset_generator() {
    use super::runner::Int8File;
    fn check<G: Network>(name: &str) {
        let g = realistic::<G>(6);
        let scaling = OutputScaling {
            offset: vec![0.5],
            scale: vec![3.0],
        };
        let settings = |activations| Settings {
            activations,
            ..Settings::default()
        };
        let q = quantize(&*g, Some(&scaling), &settings(Activations::Int8)).unwrap();
        let file = Int8File::of(&q).unwrap().expect("8-bit codes: a file");
        let m = tinygan_core::model::int8::Int8Model::parse(file.bytes()).unwrap();
        assert_eq!(m.macs(), G::MACS, "{name}: MACs of the f32 network");
        let bits = |rows: Vec<Vec<f32>>| -> Vec<u32> {
            rows.iter().flatten().map(|v| v.to_bits()).collect()
        };
        let layers = bits(q.rows(11).take(300).collect());
        let run = bits(file.rows(11).take(300).collect::<Result<_, _>>().unwrap());
        let differ = run.iter().zip(&layers).position(|(a, b)| a != b);
        assert_eq!(
            (run.len(), differ),
            (layers.len(), None),
            "{name}: first difference"
        );
        let batch = bits(file.sample(7, 11).unwrap());
        assert!(
            batch == layers[..layers.len() / 300 * 7],
            "{name}: a batch of 7"
        );
        assert!(
            layers.iter().any(|&v| v != layers[0]),
            "{name}: outputs vary"
        );
        let wide = quantize(&*g, Some(&scaling), &settings(Activations::Mixed)).unwrap();
        assert!(Int8File::of(&wide).unwrap().is_none(), "{name}: 16x8");
    }
    check::<MixG>("MixG");
    check::<MixGBn>("MixGBn");
    check::<MixGVbn>("MixGVbn");
    check::<DigitsG>("DigitsG");
    check::<DigitsGBn>("DigitsGBn");
    check::<DigitsGVbn>("DigitsGVbn");
    check::<DigitsGWide>("DigitsGWide");
}

/// `--weights` per linear layer: `MixG` has four dense stages and a table; a list gives
/// each dense stage its bits and the table none; a list of the wrong length names the
/// layers; a bad entry names itself.
#[test]
fn weight_bits_follow_the_list_given() {
    use Bits::{I8, I16};
    let mix = stages(&*random::<MixG>(1)).unwrap();
    let each = WeightBits::parse("8,8,16,8").unwrap();
    assert_eq!(weight_plan(&mix, &each).unwrap(), vec![I8, I8, I16, I8, I8]);
    assert_eq!(
        weight_plan(&mix, &WeightBits::parse("16").unwrap()).unwrap(),
        vec![I16, I16, I16, I16, I8]
    );
    assert_eq!(weight_plan(&mix, &WeightBits::Int8).unwrap(), vec![I8; 5]);
    let e = weight_plan(&mix, &WeightBits::parse("8,16").unwrap()).unwrap_err();
    assert!(
        format!("{e:#}").contains(
            "2 weight types given, but this generator has 4 dense or convolution layers: \
             fc1+a1, fc2+a2, fc3+a3, out"
        ),
        "{e:#}"
    );
    let e = WeightBits::parse("8,32").unwrap_err();
    assert!(
        format!("{e:#}").contains("weight bits `32` in `8,32`"),
        "{e:#}"
    );
    // A layer with 16-bit weights sums 128 · 32767 · 32768 ≥ 2³⁰ on 16-bit inputs: under
    // the 16x8 rule its input (fc2+a2's output) stays i8, and asking for i16 is refused.
    let w = weight_plan(&mix, &each).unwrap();
    assert_eq!(
        plan(&mix, &w, &Activations::Mixed).unwrap(),
        vec![I16, I16, I8, I16, I16, I16]
    );
    let e = plan(&mix, &w, &Activations::parse("16,16,16,16,16").unwrap()).unwrap_err();
    assert!(
        format!("{e:#}").contains("layer `fc3+a3` sums too many products"),
        "{e:#}"
    );
}

/// 16-bit weights: each channel's largest weight is the code ±32767 (`s_w,c = max|w_c| /
/// 32767`), and the codes are two little-endian bytes each: the layer's `w` is twice as
/// long, and its parameter bytes grow by exactly the weight count.
#[test]
fn sixteen_bit_weights_span_their_codes() {
    let g = realistic::<MixG>(2);
    let settings = |weights| Settings {
        weights,
        ..calibrated(64)
    };
    let q8 = quantize(&*g, None, &settings(WeightBits::Int8)).unwrap();
    let q16 = quantize(&*g, None, &settings(WeightBits::parse("8,8,16,8").unwrap())).unwrap();
    let (l8, l16) = (&q8.layers[2], &q16.layers[2]);
    assert_eq!((l8.weight_bits, l16.weight_bits), (Bits::I8, Bits::I16));
    assert_eq!(l16.w.len(), 2 * l8.w.len());
    assert_eq!(q16.param_bytes(), q8.param_bytes() + l8.w.len());
    let Some(Linear::Dense { inp, out }) = (match l16.kernel {
        super::int8::Kernel::Linear(k) => Some(k),
        _ => None,
    }) else {
        panic!("layer 2 is dense");
    };
    let w = l16.weights();
    for o in 0..out {
        let largest = (0..inp).map(|i| w.get(o * inp + i).unwrap().abs()).max();
        assert_eq!(largest, Some(32767), "channel {o}");
    }
    // The other layers are the same.
    for k in [0, 1, 3] {
        assert_eq!(q8.layers[k], q16.layers[k], "layer {k}");
    }
}

/// A layer whose worst-case sum leaves `i32` is refused, naming it: `DigitsGWide`'s last
/// convolution sums `32 · 3 · 3 = 288` inputs, which after a ReLU span the codes −128 to
/// 127 (zero point −128, so `|q_x − z_x| ≤ 255`): `288 · 32767 · 255 ≈ 2.4 · 10⁹ ≥ 2³¹`.
/// The transposed convolution before it (`64 · 2 · 2 = 256` taps at most per output)
/// fits: `256 · 32767 · 255 < 2³¹`.
#[test]
fn sixteen_bit_weights_that_could_overflow_are_refused() {
    let g = realistic::<DigitsGWide>(3);
    let settings = |w: &str| Settings {
        weights: WeightBits::parse(w).unwrap(),
        ..calibrated(16)
    };
    let e = quantize(&*g, None, &settings("8,8,16")).unwrap_err();
    let msg = format!("{e:#}");
    assert!(msg.contains("layer `conv`"), "{msg}");
    assert!(msg.contains("288 taps · 32767 · 255"), "{msg}");
    assert!(msg.contains("give this layer 8-bit weights"), "{msg}");
    let q = quantize(&*g, None, &settings("8,16,8")).unwrap();
    assert_eq!(
        q.layers
            .iter()
            .filter(|l| l.weight_bits == Bits::I16)
            .count(),
        1
    );
}

/// 16-bit weights in every layer of a 2-D generator (8-bit activations) bring its int8
/// error below pure int8's on the same z: the weights' step is 258 times finer.
#[test]
fn sixteen_bit_weights_reduce_the_error() {
    let g = realistic::<MixG>(5);
    let reference: Vec<Vec<f32>> = sample_rows(&*g, 9).take(500).collect();
    let err = |weights| {
        let settings = Settings {
            weights,
            ..Settings::default()
        };
        let q = quantize(&*g, None, &settings).unwrap();
        error(&reference, &q.sample(500, 9)).mean_abs
    };
    let (e8, e16) = (err(WeightBits::Int8), err(WeightBits::Wide));
    assert!(e16 < e8, "16-bit {e16} against 8-bit {e8}");
}

/// `--weights auto` is the rule it states: on a 2-D generator whose third dense layer has
/// in each row one weight 60 times the row's largest (so that layer's 8-bit step is 60
/// times coarser than it would be, and its rounding dominates the error), with the error
/// of every one of the 16 choices of 8- or 16-bit weights per layer measured here on the
/// calibration samples, the greedy walk over that table (from pure int8, take the layer
/// that lowers the error most while it lowers it by more than `AUTO_GAIN` of itself)
/// takes that layer first; `auto` gives the list the walk ends on, and the generator
/// returned is the one of that list.
#[test]
fn auto_weights_follow_their_rule() {
    use super::{AUTO_GAIN, calibrate};
    let mut g = realistic::<MixG>(6);
    let third = (0..MixG::TENSORS)
        .filter(|&t| matches!(g.tensor_kind(t), TensorKind::Weight { .. }))
        .nth(2)
        .unwrap();
    let TensorKind::Weight { fan_in, .. } = g.tensor_kind(third) else {
        unreachable!()
    };
    for row in g.tensor_mut(third).chunks_mut(fan_in) {
        let m = row.iter().fold(0.0f32, |a, v| a.max(v.abs()));
        row[0] = 60.0 * m;
    }
    let n = 256;
    let reference: Vec<Vec<f32>> = sample_rows(&*g, calibrate::SEED).take(n).collect();
    let bits_of = |mask: usize| -> Vec<Bits> {
        (0..4)
            .map(|l| {
                if mask >> l & 1 == 1 {
                    Bits::I16
                } else {
                    Bits::I8
                }
            })
            .collect()
    };
    let table: Vec<f64> = (0..16)
        .map(|mask| {
            let settings = Settings {
                weights: WeightBits::Each(bits_of(mask)),
                ..calibrated(n)
            };
            let q = quantize(&*g, None, &settings).unwrap();
            error(&reference, &q.sample(n, calibrate::SEED)).mean_abs
        })
        .collect();
    let (mut mask, mut first) = (0usize, None);
    loop {
        let next = (0..4)
            .filter(|l| mask >> l & 1 == 0)
            .map(|l| mask | 1 << l)
            .min_by(|a, b| table[*a].total_cmp(&table[*b]));
        match next {
            Some(m) if table[mask] - table[m] > AUTO_GAIN * table[mask] => {
                first.get_or_insert(m);
                mask = m;
            }
            _ => break,
        }
    }
    assert_eq!(first, Some(0b0100), "errors per choice: {table:?}");
    let want = bits_of(mask);
    let auto = Settings {
        weights: WeightBits::parse("auto").unwrap(),
        ..calibrated(n)
    };
    let q = quantize(&*g, None, &auto).unwrap();
    let got: Vec<Bits> = q
        .layers
        .iter()
        .filter(|l| matches!(l.kernel, super::int8::Kernel::Linear(_)))
        .map(|l| l.weight_bits)
        .collect();
    assert_eq!(got, want);
    let listed = Settings {
        weights: WeightBits::Each(want),
        ..calibrated(n)
    };
    assert_eq!(q, quantize(&*g, None, &listed).unwrap());
}
