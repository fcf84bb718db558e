//! tinygan on Cortex-M: board support shared by the firmware binaries.
//!
//! - [`fault`]: panic and HardFault handlers that log over defmt and end the run with failure;
//! - [`exit`]: end the run (QEMU exits with the status through semihosting);
//! - [`stack`]: stack painting and the measured high-water mark;
//! - [`probe`]: marker functions that delimit a region whose instructions QEMU counts;
//! - [`agree`]: the optimised int8 kernels against the reference kernels, bit for bit;
//! - [`checks`]: a tally of self-test checks that ends in `N passed, N failed`;
//! - [`vectors`]: expected self-test values computed on the host (generated file).
#![no_std]

pub mod agree;
pub mod checks;
pub mod fault;
pub mod probe;
pub mod stack;
#[rustfmt::skip] // generated; tests/tests/vectors.rs compares it byte for byte
pub mod vectors;

#[cfg(feature = "semihosting")]
use defmt_semihosting as _;

#[cfg(feature = "rtt")]
use defmt_rtt as _;

/// The board this image was built for: its row of `boards.txt` (set by `build.rs`).
pub const BOARD: &str = env!("TINYGAN_BOARD");

/// Ends the run: under QEMU or a debugger the semihosting exit status is 0 when `ok`, else 1.
pub fn exit(ok: bool) -> ! {
    semihosting::process::exit(if ok { 0 } else { 1 })
}
