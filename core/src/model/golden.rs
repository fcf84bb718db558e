//! Frozen model files, one per format version, in `golden/` (provenance in
//! `golden/README.md`): every version this reader knows keeps loading, with the values it
//! was written with.

use super::*;
use crate::layers::Dense;
use crate::tensor::Zero;

crate::network! {
    /// The network of the golden files: 3 → 2 → 1, four tensors, 11 values.
    pub(super) struct Golden, acts GoldenActs {
        a: Dense<3, 2>,
        b: Dense<2, 1>,
    }
}

/// Element `k` of tensor `i` of the golden network: `(−1)^k · (i + 1 + k/4)`, exact in f32.
fn golden_value(i: usize, k: usize) -> f32 {
    let v = (i + 1) as f32 + k as f32 / 4.0;
    if k.is_multiple_of(2) { v } else { -v }
}

/// The golden files' output scaling `(offset, scale)`.
const OFFSET: [f32; 2] = [0.5, -1.0];
const SCALE: [f32; 2] = [4.0, 2.0];
/// The metadata of the golden files from version 2 on: the two keys `tinygan train`
/// writes, and one it does not know, with text beyond ASCII.
const METADATA: &[(&str, &str)] = &[
    ("kind", "generator"),
    ("data", "formula"),
    ("note", "(−1)^k · (i + 1 + k/4)"),
];

fn extras() -> Extras<'static> {
    Extras {
        scaling: Some((&OFFSET, &SCALE)),
        metadata: METADATA,
    }
}

fn golden_net() -> Golden {
    let mut n = Golden::ZERO;
    for i in 0..Golden::TENSORS {
        for (k, v) in n.tensor_mut(i).iter_mut().enumerate() {
            *v = golden_value(i, k);
        }
    }
    n
}

/// Checks that `bytes` loads into the golden network with the golden values and scaling.
fn assert_loads_golden(bytes: &[u8]) {
    let file = ModelFile::parse(bytes).unwrap();
    let mut n = Golden::ZERO;
    file.load_into(&mut n).unwrap();
    for i in 0..Golden::TENSORS {
        for (k, v) in n.tensor(i).iter().enumerate() {
            assert_eq!(*v, golden_value(i, k), "tensor {i} element {k}");
        }
    }
    let (o, s) = file.output_scaling().unwrap();
    for k in 0..2 {
        assert_eq!(
            (file.value(&o, k), file.value(&s, k)),
            (OFFSET[k], SCALE[k])
        );
    }
}

#[test]
fn golden_v1_file_loads_without_metadata() {
    let bytes = include_bytes!("golden/v1.tgan");
    assert_eq!(&bytes[4..6], &[1, 0], "format version 1");
    assert_loads_golden(bytes);
    assert!(ModelFile::parse(bytes).unwrap().metadata().is_empty());
}

#[test]
fn golden_v2_file_loads_with_its_metadata() {
    let bytes = include_bytes!("golden/v2.tgan");
    assert_eq!(&bytes[4..6], &[2, 0], "format version 2");
    assert_loads_golden(bytes);
    let meta = ModelFile::parse(bytes).unwrap().metadata();
    assert_eq!(
        meta.as_str(),
        "kind=generator\ndata=formula\nnote=(−1)^k · (i + 1 + k/4)\n"
    );
}

/// While the f32 writer writes version 2 ([`F32_VERSION`]), it writes the golden file
/// byte for byte: a change of the layout shows here before it reaches a file.
#[test]
fn writer_reproduces_the_golden_v2_file() {
    let golden = include_bytes!("golden/v2.tgan");
    let net = golden_net();
    let mut buf = std::vec![0u8; encoded_len(&net, &extras())];
    write(&net, &extras(), &mut buf).unwrap();
    assert_eq!(&buf[..], &golden[..]);
}

/// Writes `golden/v{VERSION}.tgan` and `golden/v{VERSION}-w16.tgan`, the int8 golden
/// networks of `golden_int8.rs`, each only if it does not exist yet or is empty (a
/// frozen file is never rewritten):
/// `cargo test -p tinygan-core write_golden_file -- --ignored`.
#[test]
#[ignore = "writes the golden file of a new format version"]
fn write_golden_file() {
    use super::golden_int8::Owned;
    for (name, owned) in [("", Owned::new()), ("-w16", Owned::wide())] {
        let path = std::format!(
            "{}/src/model/golden/v{VERSION}{name}.tgan",
            std::env!("CARGO_MANIFEST_DIR")
        );
        if std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
            std::println!("{path} exists: frozen, not rewritten");
            continue;
        }
        std::fs::write(&path, owned.encode()).unwrap();
        std::println!("wrote {path}");
    }
}

/// The golden network decoded by the compiler from each version's file.
static GOLDEN_DECODED: [Golden; 2] = [
    Golden::from_model(&Embedded::new(include_bytes!("golden/v1.tgan"))),
    Golden::from_model(&Embedded::new(include_bytes!("golden/v2.tgan"))),
];

#[test]
fn golden_files_decode_at_compile_time() {
    for (version, net) in GOLDEN_DECODED.iter().enumerate() {
        for i in 0..Golden::TENSORS {
            for (k, v) in net.tensor(i).iter().enumerate() {
                assert_eq!(
                    *v,
                    golden_value(i, k),
                    "v{} tensor {i} element {k}",
                    version + 1
                );
            }
        }
    }
}

/// Decoding never panics (a panic at compile time would stop a firmware build instead of
/// letting the board report the bad file): every truncation and every flipped byte of the
/// golden file decodes to some network, and the file's checks refuse each one.
#[test]
fn damaged_golden_files_decode_without_panic_and_are_refused() {
    let bytes = include_bytes!("golden/v1.tgan");
    let refused = |b: &[u8]| {
        let _ = Golden::from_model(&Embedded::new(b));
        ModelFile::parse(b)
            .and_then(|f| f.check(&Golden::ZERO))
            .is_err()
    };
    for n in 0..bytes.len() {
        assert!(refused(&bytes[..n]), "truncated to {n} bytes");
    }
    for at in 0..bytes.len() {
        let mut b = *bytes;
        b[at] ^= 0xA5;
        assert!(refused(&b), "byte {at} flipped");
    }
}
