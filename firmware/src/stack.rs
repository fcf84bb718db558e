//! Stack high-water mark by painting: fill the free stack with a pattern at boot, and at the
//! end count how deep the pattern was overwritten.
//!
//! The stack grows down from `_stack_start` (top of RAM) towards `__sheap` (the end of
//! `.bss`/`.uninit`, from cortex-m-rt's `link.x`); everything between is stack.

/// The paint word; a stack word that still holds it was (almost certainly) never written.
const PAINT: u32 = 0x5A5A_C3C3;

unsafe extern "C" {
    static __sheap: u32;
    static _stack_start: u32;
}

fn bottom() -> usize {
    (&raw const __sheap) as usize
}

fn top() -> usize {
    (&raw const _stack_start) as usize
}

/// Bytes below the stack pointer left unpainted: room for `paint`'s own frame, which the
/// compiler may push after reading the stack pointer. The measure errs high by at most this.
const MARGIN: usize = 64;

/// Paints every word from the end of static RAM up to just below the current stack pointer.
/// Call it first thing in `main`; the words below the stack pointer belong to nobody yet.
#[inline(never)]
pub fn paint() {
    let sp = cortex_m::register::msp::read() as usize - MARGIN;
    let mut p = bottom() as *mut u32;
    while (p as usize) < sp {
        // SAFETY: [__sheap, sp) is free stack below this function's own frame, word aligned
        // (cortex-m-rt aligns __sheap to 4), and nothing else lives there.
        unsafe {
            p.write_volatile(PAINT);
            p = p.add(1);
        }
    }
}

/// Deepest stack use since [`paint`], in bytes, and the stack's size.
pub fn high_water() -> (usize, usize) {
    let mut p = bottom() as *const u32;
    // SAFETY: reads words of RAM inside [__sheap, _stack_start), all initialised by `paint`
    // or by stack use.
    while (p as usize) < top() && unsafe { p.read_volatile() } == PAINT {
        p = unsafe { p.add(1) };
    }
    (top() - p as usize, top() - bottom())
}

/// Logs `stack: used N of M bytes`, the line `scripts/firmware.sh size` reads.
pub fn report() {
    let (used, size) = high_water();
    defmt::info!("stack: used {=usize} of {=usize} bytes", used, size);
}
