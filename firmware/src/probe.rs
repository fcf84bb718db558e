//! Cost probe: marker functions around a region whose executed instructions QEMU counts.
//!
//! `scripts/firmware.sh probe BOARD` runs a binary under QEMU with the TCG plugin
//! `scripts/probe.c`, which counts instructions executed between entering
//! [`tinygan_probe_start`] and entering [`tinygan_probe_stop`] and prints one count per
//! region, in order. [`measure`] logs the region's name first, so the script pairs names and
//! counts by order. The region `empty` measures the markers' own overhead, which the script
//! subtracts from every other region.

use core::hint::black_box;

// Each marker passes its own constant through `black_box`: that gives the two a distinct
// body (with fat LTO, identical functions are merged into one address and the plugin could
// not tell start from stop) and a side effect the optimiser must keep, call included.

/// Start marker: the plugin snapshots its instruction counter on entry here.
#[inline(never)]
#[unsafe(no_mangle)]
pub extern "C" fn tinygan_probe_start() {
    black_box(0x5747_0001u32);
}

/// Stop marker: the plugin prints the instructions executed since the start marker.
#[inline(never)]
#[unsafe(no_mangle)]
pub extern "C" fn tinygan_probe_stop() {
    black_box(0x5747_0002u32);
}

/// Runs `f(input)` between the markers and returns its result. `input` and the result pass
/// through `black_box`, so no work of `f` moves out of the region (return a reference to
/// any output buffer `f` writes).
pub fn measure<I, R>(name: &str, input: I, f: impl FnOnce(I) -> R) -> R {
    defmt::info!("probe region: {=str}", name);
    between_markers(input, f)
}

/// [`measure`] for a region of `macs` multiply-accumulates: the script then reports the
/// instructions per MAC too.
pub fn measure_macs<I, R>(name: &str, macs: usize, input: I, f: impl FnOnce(I) -> R) -> R {
    defmt::info!("probe region: {=str}, {=usize} MACs", name, macs);
    between_markers(input, f)
}

fn between_markers<I, R>(input: I, f: impl FnOnce(I) -> R) -> R {
    tinygan_probe_start();
    let out = black_box(f(black_box(input)));
    tinygan_probe_stop();
    out
}
