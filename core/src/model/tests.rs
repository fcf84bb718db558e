//! Model file tests: a round trip, and one test per kind of corruption the reader rejects.

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

fn encode(n: &Net, scaling: Option<(&[f32], &[f32])>) -> Vec<u8> {
    let mut buf = vec![0u8; encoded_len(n, scaling)];
    assert_eq!(write(n, scaling, &mut buf), Ok(buf.len()));
    buf
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
}

#[test]
fn rejects_bad_magic() {
    let mut buf = encode(&sample(), None);
    buf[0] = b'X';
    assert_eq!(ModelFile::parse(&buf).unwrap_err(), LoadError::BadMagic);
}

#[test]
fn rejects_future_version() {
    let mut buf = encode(&sample(), None);
    buf[4] = 2;
    assert_eq!(
        ModelFile::parse(&buf).unwrap_err(),
        LoadError::UnsupportedVersion(2)
    );
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
    // Entry 0 (a.w, 6 elements) claims 5.
    buf[HEADER_LEN + 12] = 5;
    reseal(&mut buf);
    let file = ModelFile::parse(&buf).unwrap();
    let mut m = Net::ZERO;
    assert_eq!(
        file.load_into(&mut m).unwrap_err(),
        LoadError::TensorLength {
            index: 0,
            expected: 6,
            found: 5
        }
    );
    assert_eq!(m, Net::ZERO);
}

#[test]
fn rejects_entries_out_of_bounds_misaligned_or_unknown() {
    let edits: [(usize, u8); 4] = [(0, 9), (1, 7), (8, 4), (14, 1)];
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
        write(&n, None, &mut small),
        Err(WriteError::BufferTooSmall { .. })
    ));
    let mut buf = vec![0u8; 4096];
    assert_eq!(
        write(&n, Some((&[0.0], &[1.0, 2.0])), &mut buf),
        Err(WriteError::ScalingMismatch)
    );
}
