//! The frozen int8 model files `golden/v3.tgan` and `golden/v3-w16.tgan` (provenance in
//! `golden/README.md`): a chain of every int8 layer kind whose every code, record and
//! scale follows a formula, so that the reader of every later version keeps reading them
//! to the same values. `v3-w16.tgan` is the same network with 16-bit weights in layers 0
//! (dense) and 4 (transposed convolution).

use super::int8::{Int8Model, Kind, Layer, TABLE_LEN};
use super::*;
use crate::kernels::conv::ConvShape;
use crate::quant::{Channel, ChannelBytes, LayerIo, Requant, Weights};
use std::vec::Vec;

/// The layers' kinds: 3 → 8 → 8 → 27 → 27 → 9 → 9 → 9 → 9 codes.
pub(super) const KINDS: [Kind; 8] = [
    Kind::Dense { inp: 3, out: 8 },
    Kind::Shuffle {
        co: 2,
        h: 1,
        w: 1,
        r: 2,
    },
    Kind::Conv(ConvShape {
        cin: 2,
        cout: 3,
        h: 2,
        w: 2,
        oh: 3,
        ow: 3,
        kh: 2,
        kw: 2,
        sh: 1,
        sw: 1,
        ph: 1,
        pw: 1,
    }),
    Kind::LeakyRelu { len: 27 },
    Kind::ConvTranspose(ConvShape {
        cin: 1,
        cout: 3,
        h: 3,
        w: 3,
        oh: 3,
        ow: 3,
        kh: 1,
        kw: 1,
        sh: 1,
        sw: 1,
        ph: 0,
        pw: 0,
    }),
    Kind::Unshuffle {
        co: 1,
        h: 1,
        w: 1,
        r: 3,
    },
    Kind::Relu { len: 9 },
    Kind::Lut { len: 9 },
];

/// Weight code `k` of layer `l`: `(7k + 3l) mod 255 − 127`.
pub(super) fn weight(l: usize, k: usize) -> u8 {
    (((7 * k + 3 * l) % 255) as i32 - 127) as i8 as u8
}

/// The layers with 16-bit weights in `v3-w16.tgan`.
pub(super) const WIDE: [usize; 2] = [0, 4];

/// 16-bit weight code `k` of layer `l`: `(4099k + 5l) mod 65535 − 32767`.
pub(super) fn weight16(l: usize, k: usize) -> i16 {
    (((4099 * k + 5 * l) % 65535) as i32 - 32767) as i16
}

/// Record `c` of layer `l` (`l = 8`: the output map): bias `100 (c − 2)`, multiplier
/// `2³⁰ + 12345 c + l`, shift `−l − 1`.
pub(super) fn record(l: usize, c: usize) -> Channel {
    Channel {
        bias: 100 * (c as i32 - 2),
        requant: Requant {
            multiplier: (1 << 30) + 12345 * c as i32 + l as i32,
            shift: -(l as i32) - 1,
        },
    }
}

/// The output scale of layer `l` (`l = −1`: of `z`): multiplier `2³⁰ + 1000 (l + 1)`,
/// shift −7; zero point `5l − 20`. A ReLU and a (un)shuffle keep their input's map.
pub(super) fn output_map(l: i32) -> (Requant, i8) {
    let keeps = l >= 0
        && matches!(
            KINDS[l as usize],
            Kind::Relu { .. } | Kind::Shuffle { .. } | Kind::Unshuffle { .. }
        );
    if keeps {
        return output_map(l - 1);
    }
    (
        Requant {
            multiplier: (1 << 30) + 1000 * (l + 1),
            shift: -7,
        },
        (5 * l - 20) as i8,
    )
}

/// Table entry `j`: `3j mod 256`.
pub(super) fn table_entry(j: usize) -> u8 {
    (3 * j % 256) as u8
}

/// Records of the output map.
pub(super) const MAPS: usize = 2;

/// The golden network's parameters, owned: `(weights, records, table)` per layer.
pub(super) struct Owned {
    /// Stored weight codes per layer.
    weights: Vec<Vec<u8>>,
    /// Whether layer `l`'s weights are 16-bit.
    wide: [bool; 8],
    records: Vec<Vec<ChannelBytes>>,
    table: [u8; TABLE_LEN],
    pub(super) maps: Vec<ChannelBytes>,
}

impl Owned {
    /// The network of `v3.tgan`: 8-bit weights.
    pub(super) fn new() -> Self {
        Self::with_wide(&[])
    }

    /// The network of `v3-w16.tgan`: 16-bit weights in the layers [`WIDE`].
    pub(super) fn wide() -> Self {
        Self::with_wide(&WIDE)
    }

    /// The golden network with 16-bit weights in the layers `wide`.
    fn with_wide(wide: &[usize]) -> Self {
        let sizes = |l: usize| KINDS[l].sizes().unwrap();
        let wide: [bool; 8] = core::array::from_fn(|l| wide.contains(&l));
        Self {
            weights: (0..8)
                .map(|l| {
                    let codes = 0..sizes(l).weights;
                    if wide[l] {
                        codes.flat_map(|k| weight16(l, k).to_le_bytes()).collect()
                    } else {
                        codes.map(|k| weight(l, k)).collect()
                    }
                })
                .collect(),
            wide,
            records: (0..8)
                .map(|l| {
                    (0..sizes(l).channels)
                        .map(|c| record(l, c).to_le_bytes())
                        .collect()
                })
                .collect(),
            table: core::array::from_fn(table_entry),
            maps: (0..MAPS).map(|c| record(8, c).to_le_bytes()).collect(),
        }
    }

    /// The layers, borrowing the parameters. Layer 0 fuses a ReLU (its clamp starts at
    /// its output zero point).
    pub(super) fn layers(&self) -> Vec<Layer<'_>> {
        (0..8)
            .map(|l| {
                let (input_scale, input_zero) = output_map(l as i32 - 1);
                let (output_scale, output_zero) = output_map(l as i32);
                let io = LayerIo::new(input_zero, output_zero);
                Layer {
                    kind: KINDS[l],
                    input_scale,
                    output_scale,
                    io: if l == 0 {
                        LayerIo {
                            min: output_zero.into(),
                            ..io
                        }
                    } else {
                        io
                    },
                    weights: if self.wide[l] {
                        Weights::I16(&self.weights[l])
                    } else {
                        Weights::I8(&self.weights[l])
                    },
                    channels: &self.records[l],
                    table: matches!(KINDS[l], Kind::Lut { .. }).then_some(&self.table),
                }
            })
            .collect()
    }

    /// The golden file's bytes as the writer writes them now.
    pub(super) fn encode(&self) -> Vec<u8> {
        let layers = self.layers();
        let extras = extras();
        let mut buf = std::vec![0u8; encoded_len_int8(&layers, &self.maps, &extras)];
        write_int8(&layers, &self.maps, &extras, &mut buf).unwrap();
        buf
    }
}

/// The map to data units in model units and the metadata of the golden int8 file.
fn extras() -> Extras<'static> {
    Extras {
        scaling: Some((&[0.5], &[4.0])),
        metadata: &[("kind", "generator"), ("data", "formula")],
    }
}

/// The golden int8 file.
const GOLDEN_V3: &[u8] = include_bytes!("golden/v3.tgan");
/// The golden int8 file with 16-bit weights in the layers [`WIDE`].
pub(super) const GOLDEN_V3_W16: &[u8] = include_bytes!("golden/v3-w16.tgan");

#[test]
fn golden_v3_int8_file_loads_with_every_value() {
    assert_golden(GOLDEN_V3, &[]);
}

#[test]
fn golden_v3_w16_int8_file_loads_with_every_value() {
    assert_golden(GOLDEN_V3_W16, &WIDE);
    // Layer 0's first codes by hand: 4099·k − 32767 for k = 0, 1; layer 4's first 5·4 − 32767.
    let m = Int8Model::parse(GOLDEN_V3_W16).unwrap();
    let (l0, l4) = (m.layer(0).unwrap().weights, m.layer(4).unwrap().weights);
    assert_eq!((l0.get(0), l0.get(1)), (Some(-32767), Some(-28668)));
    assert_eq!(l4.get(0), Some(-32747));
    assert_eq!((l0.bytes().len(), l4.bytes().len()), (48, 6));
    // Stored little-endian: −32767 = 0x8001, −28668 = 0x9004; the entry's type is I16.
    assert_eq!(l0.bytes()[..4], [0x01, 0x80, 0x04, 0x90]);
    let e = m.file().find(Role::Int8Weights, 0).unwrap();
    assert_eq!((e.dtype, e.len), (DType::I16, 24));
}

/// Checks every value of a golden int8 file whose layers `wide` have 16-bit weights.
fn assert_golden(bytes: &[u8], wide: &[usize]) {
    assert_eq!(&bytes[4..6], &[3, 0], "format version 3");
    let m = Int8Model::parse(bytes).unwrap();
    assert_eq!(m.len(), 8);
    for (l, kind) in KINDS.iter().enumerate() {
        let layer = m.layer(l).unwrap();
        assert_eq!(layer.kind, *kind, "layer {l}");
        let (scale, zero) = output_map(l as i32);
        assert_eq!((layer.output_scale, layer.io.output_zero), (scale, zero));
        assert_eq!(layer.io.min, if l == 0 { zero } else { i8::MIN }.into());
        let sixteen = wide.contains(&l);
        assert_eq!(
            matches!(layer.weights, Weights::I16(_)),
            sixteen,
            "layer {l}"
        );
        for k in 0..layer.weights.len() {
            let want = if sixteen {
                weight16(l, k) as i32
            } else {
                weight(l, k) as i8 as i32
            };
            assert_eq!(layer.weights.get(k), Some(want), "layer {l} weight {k}");
        }
        for (c, r) in layer.channels.iter().enumerate() {
            assert_eq!(
                Channel::from_le_bytes(r),
                record(l, c),
                "layer {l} record {c}"
            );
        }
        assert_eq!(
            layer.table.map(|t| t[255]),
            matches!(kind, Kind::Lut { .. }).then_some(table_entry(255))
        );
    }
    // Sizes by hand: 24 conv weights of 3 channels, 3 transposed-conv weights of 1.
    assert_eq!(m.layer(2).unwrap().weights.len(), 24);
    assert_eq!(m.layer(4).unwrap().weights.len(), 3);
    assert_eq!(m.layer(4).unwrap().channels.len(), 1);
    assert_eq!(
        m.layer(3).unwrap().channels.len(),
        2,
        "leaky ReLU's two sides"
    );
    let maps: Vec<Channel> = m.output_map().iter().map(Channel::from_le_bytes).collect();
    assert_eq!(maps, [record(8, 0), record(8, 1)]);
    let (o, s) = m.file().output_scaling().unwrap();
    assert_eq!((m.file().value(&o, 0), m.file().value(&s, 0)), (0.5, 4.0));
    assert_eq!(
        m.file().metadata().as_str(),
        "kind=generator\ndata=formula\n"
    );
}

/// The weights are read in place: the slices point into the file's bytes at 16-aligned
/// offsets, so a `&'static [u8]` in flash serves the kernels without a copy.
#[test]
fn golden_v3_weights_are_borrowed_from_the_file_aligned() {
    static FLASH: [&[u8]; 2] = [GOLDEN_V3, GOLDEN_V3_W16];
    for file in FLASH {
        assert_borrowed_aligned(file);
    }
}

fn assert_borrowed_aligned(file: &'static [u8]) {
    let m = Int8Model::parse(file).unwrap();
    let range = file.as_ptr_range();
    for l in 0..m.len() {
        let layer = m.layer(l).unwrap();
        for bytes in [layer.weights.bytes(), layer.channels.as_flattened()] {
            if !bytes.is_empty() {
                assert!(range.contains(&bytes.as_ptr()), "layer {l} is not in place");
                let offset = bytes.as_ptr() as usize - file.as_ptr() as usize;
                assert_eq!(offset % ALIGN, 0, "layer {l} at offset {offset}");
            }
        }
    }
}

/// While the int8 writer writes version 3, it writes the golden files byte for byte.
#[test]
fn writer_reproduces_the_golden_v3_files() {
    assert_eq!(Owned::new().encode(), GOLDEN_V3);
    assert_eq!(Owned::wide().encode(), GOLDEN_V3_W16);
}

/// An f32 file is no int8 file, and an int8 file loads into no f32 network.
#[test]
fn f32_and_int8_files_are_not_taken_for_each_other() {
    assert_eq!(
        Int8Model::parse(include_bytes!("golden/v2.tgan")).unwrap_err(),
        LoadError::NoLayers
    );
    let file = ModelFile::parse(GOLDEN_V3).unwrap();
    assert!(file.find(Role::Param, 0).is_none());
}
