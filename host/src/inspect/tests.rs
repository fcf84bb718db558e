//! `inspect` of the frozen golden files (core/src/model/golden/README.md): every expected
//! value below comes from the formulas there or from the file's raw header bytes, not from
//! the reader.

use super::*;
use tinygan_core::model::{LoadError, QuantParam, crc32};

const V1: &[u8] = include_bytes!("../../../core/src/model/golden/v1.tgan");
const V2: &[u8] = include_bytes!("../../../core/src/model/golden/v2.tgan");
const V3: &[u8] = include_bytes!("../../../core/src/model/golden/v3.tgan");
const V3_W16: &[u8] = include_bytes!("../../../core/src/model/golden/v3-w16.tgan");

fn header_word(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

/// `multiplier · 2^(shift − 31)`, computed here.
fn real(multiplier: i64, shift: i32) -> f64 {
    multiplier as f64 * 2f64.powi(shift - 31)
}

/// Record `c` of layer `l` of the golden int8 file: bias `100 (c − 2)`, multiplier
/// `2³⁰ + 12345 c + l`, shift `−l − 1`.
fn golden_record(l: i64, c: i64) -> Record {
    let multiplier = (1 << 30) + 12345 * c + l;
    let shift = -(l as i32) - 1;
    Record {
        bias: 100 * (c as i32 - 2),
        requant: Scale {
            real: real(multiplier, shift),
            multiplier: multiplier as i32,
            shift,
        },
    }
}

#[test]
fn v3_header_and_metadata() {
    let r = inspect(V3).unwrap();
    assert_eq!(r.bytes, 1744);
    assert_eq!(r.version, 3);
    assert_eq!(r.fingerprint, header_word(V3, 8));
    assert_eq!(r.crc32, header_word(V3, 20));
    // 8 descriptors, weights of 3 layers, records of 4, a table, the output map, the f32
    // map's offset and scale and the metadata.
    assert_eq!(r.tensors, 8 + 3 + 4 + 1 + 1 + 2 + 1);
    assert_eq!(r.data_offset, 32 + 16 * 20);
    assert_eq!(r.data_len, 1744 - 352);
    assert_eq!(
        r.metadata,
        [
            ["kind".to_owned(), "generator".to_owned()],
            ["data".to_owned(), "formula".to_owned()]
        ]
    );
    assert_eq!(
        r.scaling,
        Some(Scaling {
            offset: vec![0.5],
            scale: vec![4.0]
        })
    );
}

#[test]
fn v3_table_tiles_the_data_with_shapes() {
    let r = inspect(V3).unwrap();
    let mut at = r.data_offset;
    for e in &r.table {
        assert_eq!(e.offset, at, "{e:?}");
        let size = match e.dtype.as_str() {
            "i8" | "text" => 1,
            "i16" => 2,
            "f32" | "i32" => 4,
            other => panic!("unexpected dtype {other}"),
        };
        assert_eq!(e.bytes, e.elements as usize * size, "{e:?}");
        assert_eq!(e.shape.iter().product::<usize>(), e.elements as usize);
        at += e.bytes.div_ceil(16) * 16;
    }
    assert_eq!(at, r.bytes);
    let find = |role: &str, index: u32| {
        r.table
            .iter()
            .find(|e| e.role == role && e.index == index)
            .unwrap_or_else(|| panic!("no {role} {index}"))
    };
    // Dense 3 -> 8: [out][in]; convolution 2 -> 3 channels, 2x2 kernel: [3][2][2][2];
    // transposed convolution of the 1 -> 3 channel 1x1 convolution: [3][1][1][1].
    assert_eq!(find("Int8Weights", 0).shape, [8, 3]);
    assert_eq!(find("Int8Weights", 2).shape, [3, 2, 2, 2]);
    assert_eq!(find("Int8Weights", 4).shape, [3, 1, 1, 1]);
    assert_eq!(find("Int8Channels", 0).shape, [8, 3]);
    assert_eq!(find("Int8Channels", 3).shape, [2, 3]);
    assert_eq!(find("Int8Table", 7).shape, [256]);
    assert_eq!(find("Int8Layer", 5).shape, [24]);
    assert_eq!(find("Int8OutputMap", 0).shape, [2, 3]);
    assert_eq!(find("Metadata", 0).dtype, "text");
    assert_eq!(find("OutputScale", 0).dtype, "f32");
}

#[test]
fn v3_layers_with_their_maps_and_records() {
    let q = inspect(V3).unwrap().int8.unwrap();
    let kinds: Vec<_> = q.layers.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            "dense",
            "pixel-shuffle",
            "conv2d",
            "leaky-relu",
            "conv-transpose2d",
            "pixel-unshuffle",
            "relu",
            "table"
        ]
    );
    let shapes: Vec<_> = q
        .layers
        .iter()
        .map(|l| (l.input.clone(), l.output.clone()))
        .collect();
    assert_eq!(
        shapes,
        [
            (vec![3], vec![8]),
            (vec![8, 1, 1], vec![2, 2, 2]),
            (vec![2, 2, 2], vec![3, 3, 3]),
            (vec![27], vec![27]),
            (vec![3, 3, 3], vec![1, 3, 3]),
            (vec![1, 3, 3], vec![9, 1, 1]),
            (vec![9], vec![9]),
            (vec![9], vec![9]),
        ]
    );
    let conv = q.layers[2].conv.unwrap();
    assert_eq!(
        (conv.kernel, conv.stride, conv.padding),
        ([2, 2], [1, 1], [1, 1])
    );
    assert_eq!(q.layers[1].factor, Some(2));
    assert_eq!(q.layers[5].factor, Some(3));

    // z's map: multiplier 2^30, shift -7, zero point 5·(−1) − 20; layer 0's output:
    // multiplier 2^30 + 1000, zero point −20, and its fused ReLU clamps at that zero point.
    let l0 = &q.layers[0];
    assert_eq!(l0.input_scale.real, 2f64.powi(-8));
    assert_eq!(l0.input_zero, -25);
    assert_eq!(l0.output_scale.real, real((1 << 30) + 1000, -7));
    assert_eq!(l0.output_zero, -20);
    assert_eq!(l0.clamp, [-20, 127]);
    assert_eq!((l0.weights, l0.weight_bits), (24, Some(8)));
    assert_eq!(q.layers[1].weight_bits, None);
    let expected: Vec<_> = (0..8).map(|c| golden_record(0, c)).collect();
    assert_eq!(l0.channels, expected);
    // The leaky ReLU's two records, the table layer's table, the output map.
    assert_eq!(
        q.layers[3].channels,
        [golden_record(3, 0), golden_record(3, 1)]
    );
    assert!(q.layers[7].table && !q.layers[6].table);
    assert_eq!(q.output_map, [golden_record(8, 0), golden_record(8, 1)]);
    // A ReLU keeps its input's map: layer 6 follows the unshuffle, which follows layer 4.
    assert_eq!(q.layers[6].output_scale.real, real((1 << 30) + 5000, -7));
    assert_eq!(q.layers[6].output_zero, 0);
}

#[test]
fn v2_and_v1_f32_files() {
    let r = inspect(V2).unwrap();
    assert_eq!((r.version, r.bytes, r.tensors), (2, 320, 7));
    assert!(r.int8.is_none());
    let params: Vec<_> = r
        .table
        .iter()
        .filter(|e| e.role == "Param")
        .map(|e| (e.index, e.elements))
        .collect();
    // Dense<3, 2>: weight 6, bias 2; Dense<2, 1>: weight 2, bias 1.
    assert_eq!(params, [(0, 6), (1, 2), (2, 2), (3, 1)]);
    let keys: Vec<_> = r.metadata.iter().map(|[k, _]| k.as_str()).collect();
    assert_eq!(keys, ["kind", "data", "note"]);
    assert_eq!(
        r.scaling,
        Some(Scaling {
            offset: vec![0.5, -1.0],
            scale: vec![4.0, 2.0]
        })
    );
    let r = inspect(V1).unwrap();
    assert_eq!((r.version, r.bytes, r.tensors), (1, 240, 6));
    assert!(r.metadata.is_empty());
    assert!(r.to_string().contains("(none)"));
}

#[test]
fn text_shows_every_layer_and_the_header() {
    let text = inspect(V3).unwrap().to_string();
    for needle in [
        "version      3 (int8 network)",
        &format!("fingerprint  {:#010x}", header_word(V3, 8)),
        "crc-32",
        "kind = generator",
        "Int8Weights",
        "conv-transpose2d 3x3x3 -> 1x3x3, kernel 1x1, stride 1x1, padding 0x0",
        "pixel-shuffle    8x1x1 -> 2x2x2, factor 2",
        "clamp -20..127",
        "24 weight codes, 8-bit",
        "8 channel records: bias -200..500",
        "256-entry table",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
}

/// `bytes` with its CRC recomputed, so that only what the test broke is wrong.
fn resealed(mut bytes: Vec<u8>) -> Vec<u8> {
    let crc = crc32(&bytes[32..]);
    bytes[20..24].copy_from_slice(&crc.to_le_bytes());
    bytes
}

#[test]
fn bad_files_are_the_readers_errors() {
    assert_eq!(inspect(&V3[..100]).unwrap_err(), LoadError::TruncatedTable);
    let mut flipped = V3.to_vec();
    flipped[1000] ^= 1;
    assert_eq!(inspect(&flipped).unwrap_err(), LoadError::BadChecksum);
    assert_eq!(
        inspect(b"kind=generator\ndata=ring8\nthis is not a model file\n").unwrap_err(),
        LoadError::BadMagic
    );
}

/// An int8 file whose container is sound but whose layer 0 has a zero input scale: the
/// container check alone takes it, `check` (and so `inspect`) refuses it.
#[test]
fn int8_network_is_validated_too() {
    let e = inspect(V3).unwrap().table[0].clone();
    assert_eq!((e.role.as_str(), e.index), ("Int8Layer", 0));
    let mut broken = V3.to_vec();
    // Descriptor word 2: the input scale's multiplier.
    broken[e.offset + 8..e.offset + 12].copy_from_slice(&0i32.to_le_bytes());
    let broken = resealed(broken);
    assert!(ModelFile::parse(&broken).is_ok());
    let refused = LoadError::QuantRange {
        layer: Some(0),
        param: QuantParam::Multiplier,
    };
    assert_eq!(check(&broken).unwrap_err(), refused);
    assert_eq!(inspect(&broken).unwrap_err(), refused);
}

/// The golden file with 16-bit weights in layers 0 and 4: their weights entries are
/// `i16`, two bytes a code, and the layers say 16-bit; the other weights stay 8-bit.
#[test]
fn v3_w16_shows_16_bit_weights() {
    let r = inspect(V3_W16).unwrap();
    let weights: Vec<_> = r
        .table
        .iter()
        .filter(|e| e.role == "Int8Weights")
        .map(|e| (e.index, e.dtype.as_str(), e.elements, e.bytes))
        .collect();
    assert_eq!(
        weights,
        [(0, "i16", 24, 48), (2, "i8", 24, 24), (4, "i16", 3, 6)]
    );
    let bits: Vec<_> = r
        .int8
        .unwrap()
        .layers
        .iter()
        .map(|l| l.weight_bits)
        .collect();
    assert_eq!(
        bits,
        [Some(16), None, Some(8), None, Some(16), None, None, None]
    );
    let text = inspect(V3_W16).unwrap().to_string();
    assert!(text.contains("24 weight codes, 16-bit"), "{text}");
}
