//! Mutation test of the readers: over 100,000 damaged model files, made from the golden
//! f32 file (`golden/v2.tgan`) and the golden int8 file (`golden/v3.tgan`).
//!
//! - every byte set to four other values (`b ^ 0x01`, `b ^ 0x80`, `!b`, and 0 or 0x5A),
//!   once as is and once with the CRC recomputed over the damage (so the checks behind
//!   the CRC see it), and every truncation of both files;
//! - the rest random, from a seeded PRNG: runs of random bytes, a 32-bit field set to an
//!   edge value (0, 1, −1, `i32::MIN`, a length ± 1), a table entry copied over another,
//!   bytes inserted or removed; half of them with the CRC recomputed.
//!
//! The rule each damaged file must meet: nothing panics (the f32 reader, the
//! compile-time decoder [`Embedded`] and the int8 reader all run on every file), and
//! - with the CRC left as it is, the file is refused (CRC-32 detects every error of up
//!   to 32 consecutive bits, and the header fields it does not cover are checked on their
//!   own: magic, version, flags, fingerprint, counts, the CRC itself);
//! - with the CRC recomputed, the file is refused, or it is a valid file whose contents
//!   are exactly what it says: written again from what the reader read (the f32 network,
//!   or the int8 layers and output map, with the scaling and the metadata), it is the same
//!   bytes. A changed weight code or metadata letter is such a file; a changed length,
//!   offset, role, layer shape, padding byte or reserved bit is not, and must be refused.
//!
//! 125,000 files (18,576 systematic), about half of them resealed; it runs in 3 to 5 s in
//! the debug build of `cargo test` on the 2-core test machine, so CI runs it with the rest.
//! It found two gaps, since closed: bytes a reader never looked at (padding, and tensors
//! placed anywhere in the data: [`ModelFile::parse`] now requires the writer's layout), and
//! a map to data units with index 1 or only one half.

use super::golden::Golden;
use super::golden_int8::Owned;
use super::int8::Int8Model;
use super::*;
use crate::rng::Prng;
use crate::tensor::Zero;
use std::vec::Vec;

const F32_FILE: &[u8] = include_bytes!("golden/v2.tgan");

fn reseal(buf: &mut [u8]) {
    if buf.len() >= HEADER_LEN {
        let crc = crc32(&buf[HEADER_LEN..]);
        buf[20..24].copy_from_slice(&crc.to_le_bytes());
    }
}

/// The metadata pairs and scaling of a parsed file, as writer extras.
fn rewrite(file: &ModelFile<'_>, write: impl FnOnce(&Extras<'_>) -> Vec<u8>) -> Vec<u8> {
    let pairs: Vec<(&str, &str)> = file.metadata().iter().collect();
    let values = |e: Entry| (0..e.len as usize).map(|k| file.value(&e, k)).collect();
    let scaling: Option<(Vec<f32>, Vec<f32>)> =
        file.output_scaling().map(|(o, s)| (values(o), values(s)));
    write(&Extras {
        scaling: scaling.as_ref().map(|(o, s)| (&o[..], &s[..])),
        metadata: &pairs,
    })
}

/// The f32 file `b` loaded into the golden network, written again; `None` if refused.
fn f32_reread(b: &[u8]) -> Option<Vec<u8>> {
    let _ = Golden::from_model(&Embedded::new(b));
    let file = ModelFile::parse(b).ok()?;
    let mut net = Golden::ZERO;
    file.load_into(&mut net).ok()?;
    Some(rewrite(&file, |extras| {
        let mut out = std::vec![0u8; encoded_len(&net, extras)];
        write(&net, extras, &mut out).unwrap();
        out
    }))
}

/// The int8 file `b`'s layers and output map, written again; `None` if refused.
fn int8_reread(b: &[u8]) -> Option<Vec<u8>> {
    let m = Int8Model::parse(b).ok()?;
    let layers: Vec<_> = (0..m.len()).map(|k| m.layer(k).unwrap()).collect();
    Some(rewrite(m.file(), |extras| {
        let mut out = std::vec![0u8; encoded_len_int8(&layers, m.output_map(), extras)];
        write_int8(&layers, m.output_map(), extras, &mut out).unwrap();
        out
    }))
}

/// Tally of the mutants.
#[derive(Default)]
struct Tally {
    files: usize,
    refused: usize,
    resealed: usize,
}

impl Tally {
    /// Checks mutant `b` of the f32 file (`int8` false) or the int8 file, by the rule of
    /// the module docs.
    fn check(&mut self, b: &[u8], resealed: bool, int8: bool) {
        self.files += 1;
        self.resealed += resealed as usize;
        // Both readers run on every file; the other kind's reader must refuse it.
        let (f32_read, int8_read) = (f32_reread(b), int8_reread(b));
        let (ours, other) = if int8 {
            (int8_read, f32_read)
        } else {
            (f32_read, int8_read)
        };
        assert!(other.is_none(), "a damaged file read as the other kind");
        match ours {
            None => self.refused += 1,
            Some(again) => {
                assert!(
                    resealed,
                    "a damaged file with its CRC left as it is was read"
                );
                assert_eq!(again, b, "a resealed file was read as something else");
            }
        }
    }
}

/// Every byte set to four other values, with and without resealing, and every
/// truncation.
fn every_byte_and_length(base: &[u8], int8: bool, t: &mut Tally) {
    for at in 0..base.len() {
        let b = base[at];
        for v in [b ^ 0x01, b ^ 0x80, !b, if b == 0 { 0x5A } else { 0 }] {
            let mut m = base.to_vec();
            m[at] = v;
            t.check(&m, false, int8);
            reseal(&mut m);
            t.check(&m, true, int8);
        }
    }
    for len in 0..base.len() {
        t.check(&base[..len], false, int8);
    }
}

/// One random mutant of `base`.
fn random_mutant(base: &[u8], rng: &mut Prng) -> Vec<u8> {
    let mut m = base.to_vec();
    let pick = |rng: &mut Prng, n: usize| (rng.next_u32() as usize) % n.max(1);
    match rng.next_u32() % 5 {
        0 => {
            let (at, run) = (pick(rng, m.len()), 1 + pick(rng, 8));
            for b in m.iter_mut().skip(at).take(run) {
                *b = rng.next_u32() as u8;
            }
        }
        1 => {
            let at = 4 * pick(rng, m.len() / 4);
            let old = u32::from_le_bytes(m[at..at + 4].try_into().unwrap());
            let edges = [
                0,
                1,
                u32::MAX,
                0x8000_0000,
                old.wrapping_add(1),
                old.wrapping_sub(1),
            ];
            let v = edges[pick(rng, edges.len())];
            m[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
        2 => {
            let entries = (m.len() - HEADER_LEN) / ENTRY_LEN;
            let (from, to) = (pick(rng, entries), pick(rng, entries));
            let e = |i: usize| HEADER_LEN + ENTRY_LEN * i;
            m.copy_within(e(from)..e(from) + ENTRY_LEN, e(to));
            if from == to {
                m[e(to) + pick(rng, ENTRY_LEN)] ^= 1 << pick(rng, 8);
            }
        }
        3 => {
            let at = pick(rng, m.len() + 1);
            let extra = 1 + pick(rng, 16);
            for _ in 0..extra {
                m.insert(at, rng.next_u32() as u8);
            }
        }
        _ => {
            let at = pick(rng, m.len());
            let run = (1 + pick(rng, 16)).min(m.len() - at);
            m.drain(at..at + run);
        }
    }
    m
}

#[test]
fn over_100000_damaged_model_files_are_refused_or_read_exactly() {
    let int8_file = Owned::new().encode();
    assert!(f32_reread(F32_FILE).is_some_and(|b| b == F32_FILE));
    assert!(int8_reread(&int8_file).is_some_and(|b| b == int8_file));
    let mut t = Tally::default();
    every_byte_and_length(F32_FILE, false, &mut t);
    every_byte_and_length(&int8_file, true, &mut t);
    let systematic = t.files;
    let mut rng = Prng::new(13);
    while t.files < 125_000 {
        let int8 = rng.next_u32() & 1 == 1;
        let base: &[u8] = if int8 { &int8_file } else { F32_FILE };
        let mut m = random_mutant(base, &mut rng);
        if m == base {
            continue;
        }
        let resealed = rng.next_u32() & 1 == 1;
        if resealed {
            reseal(&mut m);
        }
        t.check(&m, resealed, int8);
    }
    // Every byte of both files × 8, plus every truncation.
    assert_eq!(systematic, 9 * (F32_FILE.len() + int8_file.len()));
    assert!(
        t.resealed * 3 >= t.files,
        "a good share resealed: {}",
        t.resealed
    );
    std::println!(
        "{} damaged files ({systematic} systematic, {} resealed): {} refused, the rest resealed \
         files read exactly as written",
        t.files,
        t.resealed,
        t.refused
    );
}
