//! The model reader on arbitrary bytes: [`ModelFile::parse`], everything a parsed file
//! hands out, the load path into every built-in generator ([`ModelFile::load_into`] and
//! the firmware's compile-time decoding, [`Embedded`]) and [`Int8Model::parse`] with every
//! layer. None of it may panic; a file the container check refuses is refused by the int8
//! reader too, and every entry of a parsed file is valid.
//!
//! A mutated file almost always fails its CRC-32 first, so each input is also read with
//! its checksum recomputed: the fuzzer then reaches the table, layout, metadata and int8
//! checks behind it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tinygan_core::model::int8::Int8Model;
use tinygan_core::model::{DType, Embedded, HEADER_LEN, ModelFile, crc32};
use tinygan_core::presets::digits::{DigitsG, DigitsGBn, DigitsGVbn, DigitsGWide};
use tinygan_core::presets::mixture::{MixG, MixGBn, MixGVbn};
use tinygan_core::{Params, Zero};

/// Whether `a` and `b` hold the same bits in every tensor and buffer (NaNs included).
fn same_bits<G: Params>(a: &G, b: &G) -> bool {
    let bits = |t: &[f32]| t.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    (0..G::TENSORS).all(|i| bits(a.tensor(i)) == bits(b.tensor(i)))
        && (0..G::BUFFERS).all(|i| bits(a.buffer(i)) == bits(b.buffer(i)))
}

/// Loads `$file` (of `$bytes`) into a `$g` by both paths: a refused load leaves the
/// network unchanged; an accepted one equals the firmware's compile-time decoding.
macro_rules! load {
    ($g:ty, $file:expr, $bytes:expr) => {{
        let mut net = Box::new(<$g>::ZERO);
        if $file.load_into(&mut *net).is_ok() {
            let embedded = Box::new(<$g>::from_model(&Embedded::new($bytes)));
            assert!(
                same_bits(&*embedded, &*net),
                "Embedded decoding differs from load_into"
            );
        } else {
            assert!(
                same_bits(&*net, &<$g>::ZERO),
                "a refused load changed the network"
            );
        }
    }};
}

fn read(bytes: &[u8]) {
    let Ok(file) = ModelFile::parse(bytes) else {
        assert!(Int8Model::parse(bytes).is_err());
        return;
    };
    for i in 0..file.len() {
        let e = file.entry(i).expect("a parsed file's entries are valid");
        if e.dtype == DType::F32 {
            for k in 0..e.len as usize {
                std::hint::black_box(file.value(&e, k));
            }
        }
    }
    std::hint::black_box(file.metadata().iter().count());
    std::hint::black_box(file.output_scaling());
    load!(MixG, file, bytes);
    load!(MixGBn, file, bytes);
    load!(MixGVbn, file, bytes);
    load!(DigitsG, file, bytes);
    load!(DigitsGBn, file, bytes);
    load!(DigitsGVbn, file, bytes);
    load!(DigitsGWide, file, bytes);
    if let Ok(model) = Int8Model::parse(bytes) {
        for k in 0..model.len() {
            std::hint::black_box(model.layer(k).expect("a parsed model's layers are valid"));
        }
        std::hint::black_box(model.output_map());
    }
}

fuzz_target!(|bytes: &[u8]| {
    read(bytes);
    if bytes.len() >= HEADER_LEN {
        let mut sealed = bytes.to_vec();
        let crc = crc32(&sealed[HEADER_LEN..]);
        sealed[20..24].copy_from_slice(&crc.to_le_bytes());
        read(&sealed);
    }
});
