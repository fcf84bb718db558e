//! The committed firmware self-test vectors must be exactly what the host computes now.

#[test]
fn committed_firmware_vectors_are_current() {
    let path = tinygan_tests::firmware::root().join("firmware/src/vectors.rs");
    let committed = std::fs::read_to_string(&path).expect("read firmware/src/vectors.rs");
    assert!(
        committed == tinygan::vectors::firmware_vectors(),
        "firmware/src/vectors.rs is stale: core's results changed. If that is intended, run\n  \
         cargo run -p tinygan -- selftest-vectors > firmware/src/vectors.rs"
    );
}
