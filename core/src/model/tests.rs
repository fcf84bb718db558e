//! Model file tests: a round trip, and one test per kind of corruption the reader rejects.

use super::metadata::text_len;
use super::*;
use crate::layers::Dense;
use crate::tensor::Zero;
use std::vec;
use std::vec::Vec;

crate::network! {
    struct Net, acts NetActs {
        a: Dense<3, 2>,
        b: Dense<2, 1>,
    }
}

crate::network! {
    struct Other, acts OtherActs {
        a: Dense<3, 2>,
        b: Dense<2, 2>,
    }
}

fn sample() -> Net {
    let mut n = Net::ZERO;
    crate::gradcheck::randomize(&mut n, 11);
    n
}

/// Metadata of the test files: what `tinygan train` writes into a generator.
const META: &[(&str, &str)] = &[("kind", "generator"), ("data", "ring8")];

fn encode_with(n: &Net, extras: &Extras<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; encoded_len(n, extras)];
    assert_eq!(write(n, extras, &mut buf), Ok(buf.len()));
    buf
}

fn encode(n: &Net, scaling: Option<(&[f32], &[f32])>) -> Vec<u8> {
    encode_with(
        n,
        &Extras {
            scaling,
            metadata: META,
        },
    )
}

/// Recomputes the CRC after a deliberate edit, so that the field under test is what fails.
fn reseal(buf: &mut [u8]) {
    let crc = crc32(&buf[HEADER_LEN..]);
    buf[20..24].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn round_trip_restores_every_tensor_and_the_scaling() {
    let n = sample();
    let buf = encode(&n, Some((&[0.5, -1.0], &[4.0, 2.0])));
    let file = ModelFile::parse(&buf).unwrap();
    let mut m = Net::ZERO;
    file.load_into(&mut m).unwrap();
    assert_eq!(m, n);
    let (o, s) = file.output_scaling().unwrap();
    assert_eq!((file.value(&o, 1), file.value(&s, 0)), (-1.0, 4.0));
    assert_eq!(buf.len() % ALIGN, 0);
    assert_eq!(file.version, F32_VERSION);
    let meta = file.metadata();
    assert_eq!(meta.as_str(), "kind=generator\ndata=ring8\n");
    assert_eq!(
        (meta.get(KEY_KIND), meta.get(KEY_DATA)),
        (Some("generator"), Some("ring8"))
    );
    assert_eq!(meta.get("columns"), None);
    assert!(meta.iter().eq(META.iter().copied()));
}

#[test]
fn no_metadata_pairs_write_no_metadata_entry() {
    let n = sample();
    let buf = encode_with(&n, &Extras::default());
    let file = ModelFile::parse(&buf).unwrap();
    assert_eq!(file.len(), Net::TENSORS + Net::BUFFERS);
    assert!(file.metadata().is_empty());
}

#[test]
fn rejects_bad_magic() {
    let mut buf = encode(&sample(), None);
    buf[0] = b'X';
    assert_eq!(ModelFile::parse(&buf).unwrap_err(), LoadError::BadMagic);
}

#[test]
fn rejects_future_version_and_version_zero() {
    for v in [VERSION + 1, 0] {
        let mut buf = encode(&sample(), None);
        buf[4..6].copy_from_slice(&v.to_le_bytes());
        assert_eq!(
            ModelFile::parse(&buf).unwrap_err(),
            LoadError::UnsupportedVersion(v)
        );
    }
}

#[test]
fn rejects_non_zero_flags_and_reserved_bytes() {
    for at in [6, 7, 24, 31] {
        let mut buf = encode(&sample(), None);
        buf[at] = 1;
        assert_eq!(ModelFile::parse(&buf).unwrap_err(), LoadError::NonZeroFlags);
    }
}

#[test]
fn rejects_wrong_architecture() {
    let buf = encode(&sample(), None);
    let mut other = Other::ZERO;
    let err = ModelFile::parse(&buf).unwrap().load_into(&mut other);
    assert!(matches!(err, Err(LoadError::WrongArchitecture { .. })));
    assert_eq!(other, Other::ZERO, "nothing copied");
}

#[test]
fn rejects_bad_crc() {
    let mut buf = encode(&sample(), None);
    let last = buf.len() - 1;
    buf[last] ^= 0x40;
    assert_eq!(ModelFile::parse(&buf).unwrap_err(), LoadError::BadChecksum);
}

#[test]
fn rejects_truncated_header_table_and_data() {
    let buf = encode(&sample(), None);
    assert_eq!(
        ModelFile::parse(&buf[..HEADER_LEN - 1]).unwrap_err(),
        LoadError::TruncatedHeader
    );
    assert_eq!(
        ModelFile::parse(&buf[..HEADER_LEN + 8]).unwrap_err(),
        LoadError::TruncatedTable
    );
    assert_eq!(
        ModelFile::parse(&buf[..buf.len() - 4]).unwrap_err(),
        LoadError::TruncatedData
    );
    let mut longer = buf.clone();
    longer.push(0);
    assert_eq!(
        ModelFile::parse(&longer).unwrap_err(),
        LoadError::TrailingBytes
    );
}

#[test]
fn rejects_tensor_length_mismatch() {
    let mut buf = encode(&sample(), None);
    // Entry 0 (a.w, 6 elements, 24 bytes padded to 32) claims 8: its padding.
    buf[HEADER_LEN + 12] = 8;
    reseal(&mut buf);
    let file = ModelFile::parse(&buf).unwrap();
    let mut m = Net::ZERO;
    assert_eq!(
        file.load_into(&mut m).unwrap_err(),
        LoadError::TensorLength {
            index: 0,
            expected: 6,
            found: 8
        }
    );
    assert_eq!(m, Net::ZERO);
}

/// A gap between tensors, an overlap, a non-zero padding byte (after a.w's 24 bytes).
#[test]
fn rejects_tensors_that_do_not_tile_the_data() {
    let n = sample();
    let plain = encode_with(&n, &Extras::default());
    let start = data_start(ModelFile::parse(&plain).unwrap().len());
    let edits: [(usize, u8); 3] = [
        (HEADER_LEN + ENTRY_LEN + 8, 48),
        (HEADER_LEN + ENTRY_LEN + 8, 0),
        (start + 24, 1),
    ];
    for (at, value) in edits {
        let mut buf = plain.clone();
        buf[at] = value;
        reseal(&mut buf);
        assert_eq!(
            ModelFile::parse(&buf).unwrap_err(),
            LoadError::Layout,
            "byte {at}"
        );
    }
}

#[test]
fn rejects_entries_out_of_bounds_misaligned_or_unknown() {
    // Unknown role, unknown dtype, text dtype on a tensor, metadata role on a tensor,
    // misaligned offset, length past the data.
    let edits: [(usize, u8); 6] = [(0, 9), (1, 7), (1, 1), (0, 4), (8, 4), (14, 1)];
    for (field, value) in edits {
        let mut buf = encode(&sample(), None);
        buf[HEADER_LEN + ENTRY_LEN + field] = value;
        reseal(&mut buf);
        assert_eq!(
            ModelFile::parse(&buf).unwrap_err(),
            LoadError::BadEntry(1),
            "field {field}"
        );
    }
}

#[test]
fn every_single_byte_flip_and_truncation_is_rejected() {
    let n = sample();
    let buf = encode(&n, Some((&[0.0], &[1.0])));
    assert!(!ModelFile::parse(&buf).unwrap().metadata().is_empty());
    for at in 0..buf.len() {
        for bit in [0x01u8, 0x80] {
            let mut bad = buf.clone();
            bad[at] ^= bit;
            let mut m = Net::ZERO;
            let loaded = ModelFile::parse(&bad).and_then(|f| f.load_into(&mut m));
            assert!(
                loaded.is_err(),
                "flip of bit {bit:#x} at byte {at} was accepted"
            );
        }
    }
    for len in 0..buf.len() {
        assert!(
            ModelFile::parse(&buf[..len]).is_err(),
            "truncation to {len}"
        );
    }
}

#[test]
fn small_buffer_and_mismatched_scaling_are_write_errors() {
    let n = sample();
    let mut small = [0u8; 16];
    assert!(matches!(
        write(&n, &Extras::default(), &mut small),
        Err(WriteError::BufferTooSmall { .. })
    ));
    let mut buf = vec![0u8; 4096];
    let extras = Extras {
        scaling: Some((&[0.0], &[1.0, 2.0])),
        metadata: META,
    };
    assert_eq!(
        write(&n, &extras, &mut buf),
        Err(WriteError::ScalingMismatch)
    );
}

/// The metadata entry (the last one) of a file written by [`encode`]: `(table position,
/// absolute offset of its text)`.
fn metadata_entry(buf: &[u8]) -> (usize, usize) {
    let file = ModelFile::parse(buf).unwrap();
    let i = file.len() - 1;
    let e = file.entry(i).unwrap();
    assert_eq!(e.role, Role::Metadata);
    (
        HEADER_LEN + i * ENTRY_LEN,
        data_start(file.len()) + e.offset as usize,
    )
}

/// `buf` with its metadata text replaced by `text` (same length, CRC recomputed).
fn with_metadata_text(text: &[u8]) -> Result<(), LoadError> {
    let mut buf = encode(&sample(), None);
    let (_, at) = metadata_entry(&buf);
    assert_eq!(text.len(), text_len(META), "same length as the original");
    buf[at..at + text.len()].copy_from_slice(text);
    reseal(&mut buf);
    ModelFile::parse(&buf).map(|_| ())
}

#[test]
fn rejects_metadata_that_is_not_utf8() {
    // "kind=generator\ndata=ring8\n" with the 'r' of ring8 replaced by 0xFF (at byte 20).
    let mut text = *b"kind=generator\ndata=ring8\n";
    text[20] = 0xFF;
    assert_eq!(
        with_metadata_text(&text),
        Err(LoadError::BadMetadata(MetadataError::NotUtf8 { at: 20 }))
    );
}

#[test]
fn rejects_metadata_lines_that_break_the_rule() {
    let cases: [(&[u8], MetadataError); 6] = [
        (
            b"kind=generator\ndata ring8\n",
            MetadataError::NoEquals { line: 2 },
        ),
        (
            b"Kind=generator\ndata=ring8\n",
            MetadataError::BadKey { line: 1 },
        ),
        (
            b"=kindgenerator\ndata=ring8\n",
            MetadataError::BadKey { line: 1 },
        ),
        (
            b"kind=generator\ndata=ring\t\n",
            MetadataError::BadValue { line: 2 },
        ),
        (
            b"kind=generator\nkind=ring8\n",
            MetadataError::DuplicateKey { line: 2 },
        ),
        (b"kind=generator\ndata=ring8 ", MetadataError::Unterminated),
    ];
    for (text, want) in cases {
        assert_eq!(
            with_metadata_text(text),
            Err(LoadError::BadMetadata(want)),
            "{}",
            std::string::String::from_utf8_lossy(text)
        );
    }
}

#[test]
fn rejects_metadata_length_past_the_data() {
    let mut buf = encode(&sample(), None);
    let (entry, at) = metadata_entry(&buf);
    let past = (buf.len() - at + 1) as u32;
    buf[entry + 12..entry + 16].copy_from_slice(&past.to_le_bytes());
    reseal(&mut buf);
    let i = ((entry - HEADER_LEN) / ENTRY_LEN) as u32;
    assert_eq!(ModelFile::parse(&buf).unwrap_err(), LoadError::BadEntry(i));
}

#[test]
fn rejects_metadata_longer_than_the_limit() {
    let long = [b'x'; MAX_LEN];
    let value = core::str::from_utf8(&long[..MAX_LEN - 2]).unwrap();
    // "a=" + value + "\n" is MAX_LEN + 1 bytes: the writer refuses it, and a reader
    // refuses a file that holds it.
    let n = sample();
    let mut buf = vec![0u8; 4096];
    let extras = Extras {
        scaling: None,
        metadata: &[("a", value)],
    };
    assert_eq!(
        write(&n, &extras, &mut buf),
        Err(WriteError::BadMetadata(MetadataError::TooLong {
            len: MAX_LEN as u32 + 1
        }))
    );
    let fits = &value[1..];
    let mut buf = encode_with(
        &n,
        &Extras {
            scaling: None,
            metadata: &[("a", fits)],
        },
    );
    ModelFile::parse(&buf).unwrap();
    // The entry now starts at the data's offset 0 and spans 1,025 bytes (inside the data,
    // which holds the tensors and the 1,024-byte text): too long.
    let (entry, _) = metadata_entry(&buf);
    buf[entry + 8..entry + 12].copy_from_slice(&0u32.to_le_bytes());
    buf[entry + 12..entry + 16].copy_from_slice(&(MAX_LEN as u32 + 1).to_le_bytes());
    reseal(&mut buf);
    assert_eq!(
        ModelFile::parse(&buf).unwrap_err(),
        LoadError::BadMetadata(MetadataError::TooLong {
            len: MAX_LEN as u32 + 1
        })
    );
}

#[test]
fn rejects_a_second_metadata_entry() {
    let mut buf = encode(&sample(), None);
    // Entry 0 (a.w) becomes a second metadata entry over the same 6 · 4 bytes.
    let (entry, _) = metadata_entry(&buf);
    let meta_entry: [u8; ENTRY_LEN] = buf[entry..entry + ENTRY_LEN].try_into().unwrap();
    buf[HEADER_LEN..HEADER_LEN + ENTRY_LEN].copy_from_slice(&meta_entry);
    reseal(&mut buf);
    let i = ((entry - HEADER_LEN) / ENTRY_LEN) as u32;
    assert_eq!(ModelFile::parse(&buf).unwrap_err(), LoadError::BadEntry(i));
}

#[test]
fn rejects_a_metadata_entry_in_a_version_1_file() {
    let mut buf = encode(&sample(), None);
    let (entry, _) = metadata_entry(&buf);
    buf[4..6].copy_from_slice(&1u16.to_le_bytes());
    let i = ((entry - HEADER_LEN) / ENTRY_LEN) as u32;
    assert_eq!(ModelFile::parse(&buf).unwrap_err(), LoadError::BadEntry(i));
}

#[test]
fn writer_refuses_pairs_a_reader_would_read_differently() {
    let n = sample();
    let mut buf = vec![0u8; 4096];
    for (pairs, want) in [
        (&[("da=ta", "x")][..], MetadataError::BadKey { line: 1 }),
        (
            &[("kind", "generator"), ("data", "a\nb=c")][..],
            MetadataError::BadValue { line: 2 },
        ),
        (
            &[("kind", "a"), ("kind", "b")][..],
            MetadataError::DuplicateKey { line: 2 },
        ),
    ] {
        let extras = Extras {
            scaling: None,
            metadata: pairs,
        };
        assert_eq!(
            write(&n, &extras, &mut buf),
            Err(WriteError::BadMetadata(want))
        );
    }
}

/// The map to data units is one offset and one scale entry, index 0, of one length: a
/// scale entry with index 1, or 1 value against the offset's 2, is refused.
#[test]
fn rejects_half_a_map_to_data_units() {
    let buf = encode(&sample(), Some((&[0.5, -1.0], &[4.0, 2.0])));
    let file = ModelFile::parse(&buf).unwrap();
    let role = |i: usize| file.entry(i).unwrap().role;
    let scale = (0..file.len())
        .find(|&i| role(i) == Role::OutputScale)
        .unwrap();
    let offset = (0..file.len())
        .find(|&i| role(i) == Role::OutputOffset)
        .unwrap();
    for (field, value, refused) in [(4, 1, scale), (12, 1, offset)] {
        let mut bad = buf.clone();
        bad[HEADER_LEN + scale * ENTRY_LEN + field] = value;
        reseal(&mut bad);
        assert_eq!(
            ModelFile::parse(&bad).unwrap_err(),
            LoadError::BadEntry(refused as u32),
            "field {field}"
        );
    }
}
