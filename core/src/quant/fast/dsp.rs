//! The Cortex-M DSP-extension instructions the packed kernels use, as safe functions: the
//! one module of the crate that contains `unsafe` (each `asm!` block), compiled only for
//! targets with the DSP extension (`target_feature = "dsp"`: thumbv7em, i.e. Cortex-M4 and
//! M7, as the firmware's build sets it).
//!
//! LLVM does not form SMLAD from a paired multiply-accumulate by itself, the
//! `core::arch::arm` intrinsics that exist are unstable `unsafe fn`s, and SXTB16 has no
//! intrinsic at all, hence `asm!`. The one block reads and writes registers only: no
//! pointer, no memory access, no stack; the portable twin in [`super::pairs::portable`]
//! computes the same bits (checked on the board by the firmware's self-test).
#![allow(unsafe_code)]

use core::arch::asm;

/// `acc + b₀·c₀.lo + b₂·c₀.hi + b₁·c₁.lo + b₃·c₁.hi` with `b₀..b₃` the bytes of `w` as
/// `i8` and the halfwords of `c` as `i16`, the sum taken modulo 2³²: SXTB16, SMLAD,
/// SXTB16 ROR 8, SMLAD (the instructions set the sticky Q flag on overflow and nothing
/// else). One block, so that the accumulator stays in one register.
#[inline(always)]
pub fn mac4(acc: i32, w: u32, c: [u32; 2]) -> i32 {
    let mut acc = acc;
    // SAFETY: register operands only; no memory access, no stack use. The scratch `t` is
    // written before `c` is read, so it is an early-clobber output; `w` is overwritten.
    // SMLAD may set the Q flag, so flags are not declared preserved.
    unsafe {
        asm!(
            "sxtb16 {t}, {w}",
            "smlad {acc}, {t}, {c0}, {acc}",
            "sxtb16 {w}, {w}, ror #8",
            "smlad {acc}, {w}, {c1}, {acc}",
            acc = inout(reg) acc,
            w = inout(reg) w => _,
            t = out(reg) _,
            c0 = in(reg) c[0],
            c1 = in(reg) c[1],
            options(pure, nomem, nostack),
        );
    }
    acc
}
