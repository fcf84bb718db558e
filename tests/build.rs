//! Compiles the QEMU firmware tests as ignored when `TINYGAN_SKIP_QEMU=1`: libtest then
//! reports them as ignored, never as passed (a test cannot ignore itself at run time).
//! Hands the tests the compiler that builds them (`TINYGAN_TEST_RUSTC`), which the export
//! test compiles the exported Rust source with.

fn main() {
    println!("cargo::rerun-if-env-changed=TINYGAN_SKIP_QEMU");
    println!("cargo::rustc-check-cfg=cfg(skip_qemu)");
    if std::env::var("TINYGAN_SKIP_QEMU").is_ok_and(|v| v == "1") {
        println!("cargo::rustc-cfg=skip_qemu");
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    println!("cargo::rustc-env=TINYGAN_TEST_RUSTC={rustc}");
}
