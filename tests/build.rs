//! Compiles the QEMU firmware tests as ignored when `TINYGAN_SKIP_QEMU=1`: libtest then
//! reports them as ignored, never as passed (a test cannot ignore itself at run time).

fn main() {
    println!("cargo::rerun-if-env-changed=TINYGAN_SKIP_QEMU");
    println!("cargo::rustc-check-cfg=cfg(skip_qemu)");
    if std::env::var("TINYGAN_SKIP_QEMU").is_ok_and(|v| v == "1") {
        println!("cargo::rustc-cfg=skip_qemu");
    }
}
