//! The int8 reader: one test per kind of file it refuses, each on the golden int8 file
//! with one field changed (and the CRC recomputed where the field behind it is tested).

use super::*;
use crate::model::golden_int8::{KINDS, Owned};
use crate::model::{ALIGN, ENTRY_LEN, HEADER_LEN, VERSION, crc32, data_start};
use std::vec::Vec;

fn golden() -> Vec<u8> {
    Owned::new().encode()
}

/// Recomputes the CRC after a deliberate edit, so that the field under test is what fails.
fn reseal(buf: &mut [u8]) {
    let crc = crc32(&buf[HEADER_LEN..]);
    buf[20..24].copy_from_slice(&crc.to_le_bytes());
}

/// `(table position of the entry, absolute offset of its data)` of `(role, index)`.
fn locate(buf: &[u8], role: Role, index: usize) -> (usize, usize) {
    let file = ModelFile::parse(buf).unwrap();
    let i = (0..file.len())
        .find(|&i| {
            file.entry(i)
                .is_ok_and(|e| (e.role, e.index as usize) == (role, index))
        })
        .unwrap();
    let e = file.entry(i).unwrap();
    (
        HEADER_LEN + i * ENTRY_LEN,
        data_start(file.len()) + e.offset as usize,
    )
}

/// The golden file with word `word` of layer `l`'s descriptor set to `value`, resealed.
fn with_word(l: usize, word: usize, value: i32) -> Vec<u8> {
    let mut buf = golden();
    let (_, at) = locate(&buf, Role::Int8Layer, l);
    buf[at + 4 * word..at + 4 * word + 4].copy_from_slice(&value.to_le_bytes());
    reseal(&mut buf);
    buf
}

fn parse(buf: &[u8]) -> Result<Int8Model<'_>, LoadError> {
    Int8Model::parse(buf)
}

#[test]
fn golden_network_parses_and_its_fingerprint_is_the_chain_of_its_layers() {
    let buf = golden();
    let m = parse(&buf).unwrap();
    assert_eq!(m.len(), KINDS.len());
    let by_hand = KINDS
        .iter()
        .fold(chain(&[]), |h, k| fnv1a(h, &[k.fingerprint()]));
    assert_eq!(m.file().fingerprint, by_hand);
    assert_eq!(m.check_fingerprint(by_hand), Ok(()));
    assert_eq!(buf.len() % ALIGN, 0);
}

#[test]
fn int8_rejects_bad_magic() {
    let mut buf = golden();
    buf[0] = b'X';
    assert_eq!(parse(&buf).unwrap_err(), LoadError::BadMagic);
}

#[test]
fn int8_rejects_future_version() {
    let mut buf = golden();
    buf[4..6].copy_from_slice(&(VERSION + 1).to_le_bytes());
    assert_eq!(
        parse(&buf).unwrap_err(),
        LoadError::UnsupportedVersion(VERSION + 1)
    );
}

#[test]
fn int8_rejects_non_zero_flags() {
    let mut buf = golden();
    buf[6] = 0x80;
    assert_eq!(parse(&buf).unwrap_err(), LoadError::NonZeroFlags);
}

/// A firmware built for another int8 network refuses the file; a header whose fingerprint
/// is not its layers' is refused by everyone.
#[test]
fn int8_rejects_wrong_architecture() {
    let buf = golden();
    let m = parse(&buf).unwrap();
    let other = fingerprint([KINDS[0]]);
    assert_eq!(
        m.check_fingerprint(other),
        Err(LoadError::WrongArchitecture {
            expected: other,
            found: m.file().fingerprint
        })
    );
    let mut bad = buf.clone();
    bad[8] ^= 1;
    reseal(&mut bad);
    assert!(matches!(
        parse(&bad).unwrap_err(),
        LoadError::WrongArchitecture { .. }
    ));
}

#[test]
fn int8_rejects_bad_crc() {
    let mut buf = golden();
    let (_, at) = locate(&buf, Role::Int8Weights, 2);
    buf[at] ^= 0x10;
    assert_eq!(parse(&buf).unwrap_err(), LoadError::BadChecksum);
}

#[test]
fn int8_rejects_truncated_header() {
    let buf = golden();
    for n in 0..HEADER_LEN {
        assert_eq!(parse(&buf[..n]).unwrap_err(), LoadError::TruncatedHeader);
    }
}

#[test]
fn int8_rejects_truncated_data() {
    let buf = golden();
    let start = data_start(ModelFile::parse(&buf).unwrap().len());
    for n in [start, start + 1, buf.len() - 1] {
        assert_eq!(parse(&buf[..n]).unwrap_err(), LoadError::TruncatedData);
    }
}

/// The convolution's weights (24 codes, padded to 32 bytes) claim 25, and its records
/// (9 words, padded to 48 bytes) 10 words: lengths within the padding, so the layout holds
/// and the length is what is wrong.
#[test]
fn int8_rejects_tensor_length_mismatch() {
    for (role, len, expected) in [(Role::Int8Weights, 25u32, 24), (Role::Int8Channels, 10, 9)] {
        let mut buf = golden();
        let (entry, _) = locate(&buf, role, 2);
        buf[entry + 12..entry + 16].copy_from_slice(&len.to_le_bytes());
        reseal(&mut buf);
        assert_eq!(
            parse(&buf).unwrap_err(),
            LoadError::TensorLength {
                index: 2,
                expected,
                found: len
            }
        );
    }
}

/// A scale of zero (multiplier 0) in a descriptor, and a zero multiplier in a channel
/// record and in the output map.
#[test]
fn int8_rejects_zero_scale() {
    let zero = |layer| LoadError::QuantRange {
        layer,
        param: QuantParam::Multiplier,
    };
    assert_eq!(parse(&with_word(2, 5, 0)).unwrap_err(), zero(Some(2)));
    // Not normalised: 2³⁰ − 1.
    assert_eq!(
        parse(&with_word(0, 2, (1 << 30) - 1)).unwrap_err(),
        zero(Some(0))
    );
    let mut buf = golden();
    let (_, at) = locate(&buf, Role::Int8Channels, 4);
    buf[at + 4..at + 8].fill(0);
    reseal(&mut buf);
    assert_eq!(parse(&buf).unwrap_err(), zero(Some(4)));
    let mut buf = golden();
    let (_, at) = locate(&buf, Role::Int8OutputMap, 0);
    buf[at + 16..at + 20].fill(0);
    reseal(&mut buf);
    assert_eq!(parse(&buf).unwrap_err(), zero(None));
}

#[test]
fn int8_rejects_shift_beyond_31() {
    let shift = LoadError::QuantRange {
        layer: Some(3),
        param: QuantParam::Shift,
    };
    for s in [31, 32, -32, i32::MIN, i32::MAX] {
        assert_eq!(parse(&with_word(3, 6, s)).unwrap_err(), shift, "shift {s}");
    }
    // The leaky ReLU's negative-side record.
    let mut buf = golden();
    let (_, at) = locate(&buf, Role::Int8Channels, 3);
    buf[at + 20..at + 24].copy_from_slice(&40i32.to_le_bytes());
    reseal(&mut buf);
    assert_eq!(parse(&buf).unwrap_err(), shift);
}

#[test]
fn int8_rejects_zero_point_outside_int8() {
    for (word, z) in [(4, 128), (7, -129), (7, 1000)] {
        assert_eq!(
            parse(&with_word(5, word, z)).unwrap_err(),
            LoadError::QuantRange {
                layer: Some(5),
                param: QuantParam::ZeroPoint
            },
            "word {word} = {z}"
        );
    }
}

#[test]
fn int8_rejects_clamp_out_of_range_or_inverted() {
    // Layer 0 fuses a ReLU: its clamp starts at its zero point, −20.
    for (word, v) in [(8, -129), (9, 128), (9, -21)] {
        assert_eq!(
            parse(&with_word(0, word, v)).unwrap_err(),
            LoadError::QuantRange {
                layer: Some(0),
                param: QuantParam::Clamp
            },
            "word {word} = {v}"
        );
    }
}

/// Layer 2's input zero point differs from layer 1's output; a ReLU that changes the map.
#[test]
fn int8_rejects_a_broken_chain_of_maps() {
    let chain_error = |l| LoadError::QuantRange {
        layer: Some(l),
        param: QuantParam::Chain,
    };
    let z = golden_int8_zero(2);
    assert_eq!(
        parse(&with_word(2, 4, z as i32 + 1)).unwrap_err(),
        chain_error(2)
    );
    assert_eq!(
        parse(&with_word(6, 7, z as i32 + 1)).unwrap_err(),
        chain_error(6)
    );
}

fn golden_int8_zero(l: usize) -> i8 {
    parse(&golden()).unwrap().layer(l).unwrap().io.input_zero
}

/// An unknown kind, an unknown element type (and 16-bit codes, which no kernel runs yet),
/// a reserved word, an inconsistent convolution, an input length that is not the previous
/// output's, a size past the accumulator's limit.
#[test]
fn int8_rejects_bad_layer_descriptors() {
    let bad = [
        (0, 0, 9),
        (0, 1, DType::I16 as i32),
        (0, 1, 300),
        (1, 23, 1),
        (2, 14, 4),
        (6, 10, 10),
        (0, 10, MAX_TAPS as i32 + 1),
        (0, 10, -1),
    ];
    for (l, word, v) in bad {
        let e = parse(&with_word(l, word, v)).unwrap_err();
        assert!(
            matches!(
                e,
                LoadError::BadLayer(_) | LoadError::WrongArchitecture { .. }
            ),
            "layer {l} word {word} = {v}: {e:?}"
        );
    }
    // With the fingerprint left as it was, a changed shape is refused before the chain.
    assert_eq!(
        parse(&with_word(2, 14, 4)).unwrap_err(),
        LoadError::BadLayer(2)
    );
}

#[test]
fn int8_rejects_missing_and_superfluous_tensors() {
    // The table entry of layer 7 renumbered to layer 6 (a ReLU, which takes none).
    let mut buf = golden();
    let (entry, _) = locate(&buf, Role::Int8Table, 7);
    buf[entry + 4] = 6;
    reseal(&mut buf);
    assert_eq!(parse(&buf).unwrap_err(), LoadError::BadLayer(6));
    // Layer 0's weights become a second table of layer 7... refused as a duplicate.
    let mut buf = golden();
    let (entry, _) = locate(&buf, Role::Int8Weights, 0);
    buf[entry] = Role::Int8Table as u8;
    buf[entry + 4] = 7;
    reseal(&mut buf);
    assert!(matches!(parse(&buf).unwrap_err(), LoadError::BadEntry(_)));
    // Layer 0's weights renumbered past the last layer.
    let mut buf = golden();
    let (entry, _) = locate(&buf, Role::Int8Weights, 0);
    buf[entry + 4] = 8;
    reseal(&mut buf);
    assert!(matches!(parse(&buf).unwrap_err(), LoadError::BadEntry(_)));
    // Layer 0's weights renamed as its table: the weights are missing.
    let mut buf = golden();
    let (entry, _) = locate(&buf, Role::Int8Weights, 0);
    buf[entry] = Role::Int8Table as u8;
    reseal(&mut buf);
    assert!(matches!(
        parse(&buf).unwrap_err(),
        LoadError::MissingInt8 { layer: 0, .. } | LoadError::BadLayer(0)
    ));
}

#[test]
fn int8_rejects_a_missing_output_map_and_layer_gaps() {
    let mut buf = golden();
    let (entry, _) = locate(&buf, Role::Int8OutputMap, 0);
    buf[entry] = Role::Int8Layer as u8;
    buf[entry + 1] = DType::I32 as u8;
    buf[entry + 4] = 20;
    reseal(&mut buf);
    assert_eq!(parse(&buf).unwrap_err(), LoadError::NoLayers);
    let mut buf = golden();
    let (entry, _) = locate(&buf, Role::Int8OutputMap, 0);
    buf[entry] = 42;
    reseal(&mut buf);
    assert!(matches!(parse(&buf).unwrap_err(), LoadError::BadEntry(_)));
}

#[test]
fn writer_refuses_a_network_the_reader_would_refuse() {
    let owned = Owned::new();
    let mut layers = owned.layers();
    layers[3].output_scale.shift = 31;
    let extras = crate::model::Extras::default();
    let maps = &owned.maps;
    let mut buf = std::vec![0u8; crate::model::encoded_len_int8(&layers, maps, &extras)];
    let err = crate::model::write_int8(&layers, maps, &extras, &mut buf).unwrap_err();
    assert_eq!(
        err,
        crate::model::WriteError::BadInt8(LoadError::QuantRange {
            layer: Some(3),
            param: QuantParam::Shift
        })
    );
    assert!(
        matches!(err, crate::model::WriteError::BadInt8(_)),
        "{err:?}"
    );
}

/// `v3-w16.tgan`, whose layers 0 and 4 have 16-bit weights.
fn golden16() -> Vec<u8> {
    crate::model::golden_int8::GOLDEN_V3_W16.to_vec()
}

/// Layer 0's 24 16-bit codes (48 bytes) claimed as 23, an odd count whose 46 bytes fit
/// the same padding (the last code zeroed, so the padding reads zero): the length is what
/// is wrong.
#[test]
fn int8_rejects_16_bit_weights_of_the_wrong_length() {
    let mut buf = golden16();
    let (entry, at) = locate(&buf, Role::Int8Weights, 0);
    buf[at + 46..at + 48].fill(0);
    buf[entry + 12..entry + 16].copy_from_slice(&23u32.to_le_bytes());
    reseal(&mut buf);
    assert_eq!(
        parse(&buf).unwrap_err(),
        LoadError::TensorLength {
            index: 0,
            expected: 24,
            found: 23
        }
    );
}

/// The writer refuses 16-bit weights given as an odd number of bytes.
#[test]
fn writer_refuses_16_bit_weights_of_an_odd_byte_count() {
    let owned = crate::model::golden_int8::Owned::wide();
    let mut layers = owned.layers();
    let odd = [0u8; 47];
    layers[0].weights = Weights::I16(&odd);
    let extras = crate::model::Extras::default();
    let mut buf = std::vec![0u8; 4096];
    assert_eq!(
        crate::model::write_int8(&layers, &owned.maps, &extras, &mut buf),
        Err(crate::model::WriteError::BadInt8(LoadError::BadLayer(0)))
    );
}

/// 16-bit weights 2 bytes off the 16-byte alignment (still even): the entry is refused.
#[test]
fn int8_rejects_misaligned_16_bit_weights() {
    let mut buf = golden16();
    let (entry, _) = locate(&buf, Role::Int8Weights, 4);
    let offset = u32::from_le_bytes(buf[entry + 8..entry + 12].try_into().unwrap());
    buf[entry + 8..entry + 12].copy_from_slice(&(offset + 2).to_le_bytes());
    reseal(&mut buf);
    assert!(matches!(parse(&buf).unwrap_err(), LoadError::BadEntry(_)));
}

/// A weight code outside the symmetric range: −32768 in a 16-bit layer, −128 in an 8-bit
/// one (the quantiser writes ±32767 and ±127 at most).
#[test]
fn int8_rejects_weight_codes_out_of_range() {
    let weight = |l| LoadError::QuantRange {
        layer: Some(l),
        param: QuantParam::Weight,
    };
    let mut buf = golden16();
    let (_, at) = locate(&buf, Role::Int8Weights, 4);
    buf[at + 2..at + 4].copy_from_slice(&i16::MIN.to_le_bytes());
    reseal(&mut buf);
    assert_eq!(parse(&buf).unwrap_err(), weight(4));
    let mut buf = golden16();
    let (_, at) = locate(&buf, Role::Int8Weights, 2);
    buf[at + 5] = 0x80;
    reseal(&mut buf);
    assert_eq!(parse(&buf).unwrap_err(), weight(2));
    // ±32767 and ±127 themselves load.
    for (l, code) in [
        (4, &i16::MAX.to_le_bytes()[..]),
        (4, &(-32767i16).to_le_bytes()),
        (2, &[0x81]),
    ] {
        let mut buf = golden16();
        let (_, at) = locate(&buf, Role::Int8Weights, l);
        buf[at..at + code.len()].copy_from_slice(code);
        reseal(&mut buf);
        assert!(parse(&buf).is_ok(), "layer {l}: {code:?}");
    }
}

/// A 16-bit table is refused: only weights take 16-bit codes.
#[test]
fn int8_rejects_a_16_bit_table() {
    let mut buf = golden16();
    let (entry, _) = locate(&buf, Role::Int8Table, 7);
    buf[entry + 1] = DType::I16 as u8;
    reseal(&mut buf);
    assert!(matches!(parse(&buf).unwrap_err(), LoadError::BadEntry(_)));
}

/// A one-layer network `Dense { inp, out: 1 }` with 16-bit weights (all 1) written and read
/// back: up to [`MAX_TAPS16`] = 257 inputs it loads, 258 are refused (the writer refuses
/// what the reader would).
#[test]
fn int8_16_bit_weights_are_limited_to_257_taps() {
    let record = [Channel {
        bias: 0,
        requant: Requant {
            multiplier: 1 << 30,
            shift: -8,
        },
    }
    .to_le_bytes()];
    let scale = Requant {
        multiplier: 1 << 30,
        shift: -7,
    };
    let write = |inp: usize| {
        let w: Vec<u8> = (0..inp).flat_map(|_| 1i16.to_le_bytes()).collect();
        let layer = Layer {
            kind: Kind::Dense { inp, out: 1 },
            input_scale: scale,
            output_scale: scale,
            io: LayerIo::new(0, 0),
            weights: Weights::I16(&w),
            channels: &record,
            table: None,
        };
        let extras = crate::model::Extras::default();
        let mut buf = std::vec![0u8; crate::model::encoded_len_int8(&[layer], &record, &extras)];
        crate::model::write_int8(&[layer], &record, &extras, &mut buf).map(|_| ())
    };
    assert_eq!(write(MAX_TAPS16), Ok(()));
    assert_eq!(
        write(MAX_TAPS16 + 1),
        Err(crate::model::WriteError::BadInt8(LoadError::BadLayer(0)))
    );
}
