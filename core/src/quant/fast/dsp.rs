//! The Cortex-M DSP-extension instructions the packed kernels use, as safe functions: the
//! one module of the crate that contains `unsafe` (each `asm!` block), compiled only for
//! targets with the DSP extension (`target_feature = "dsp"`: thumbv7em, i.e. Cortex-M4 and
//! M7, as the firmware's build sets it).
//!
//! LLVM does not form SMLAD from a paired multiply-accumulate by itself, the
//! `core::arch::arm` intrinsics that exist are unstable `unsafe fn`s, and SXTB16 has no
//! intrinsic at all, hence `asm!`. Every block reads registers and writes one register:
//! no pointer, no memory access, no stack; the portable twins in
//! [`super::pairs::portable`] compute the same bits (checked on the board by the
//! firmware's self-test).
#![allow(unsafe_code)]

use core::arch::asm;

/// SMLAD: `acc + a.lo·b.lo + a.hi·b.hi` with the halfwords as `i16`, the sum taken modulo
/// 2³² (the instruction sets the sticky Q flag on overflow and nothing else).
#[inline(always)]
pub fn smlad(a: u32, b: u32, acc: i32) -> i32 {
    let out: i32;
    // SAFETY: register operands only; no memory access, no stack use. It may set the Q
    // flag, so flags are not declared preserved.
    unsafe {
        asm!(
            "smlad {out}, {a}, {b}, {acc}",
            out = lateout(reg) out,
            a = in(reg) a,
            b = in(reg) b,
            acc = in(reg) acc,
            options(pure, nomem, nostack),
        );
    }
    out
}

/// SXTB16: bytes 0 and 2 of `x` sign-extended into the low and high halfwords.
#[inline(always)]
pub fn sxtb16(x: u32) -> u32 {
    let out: u32;
    // SAFETY: register operands only; no memory access, no stack use, flags untouched.
    unsafe {
        asm!(
            "sxtb16 {out}, {x}",
            out = lateout(reg) out,
            x = in(reg) x,
            options(pure, nomem, nostack, preserves_flags),
        );
    }
    out
}

/// SXTB16 of `x` rotated right by 8: bytes 1 and 3 sign-extended into the low and high
/// halfwords.
#[inline(always)]
pub fn sxtb16_ror8(x: u32) -> u32 {
    let out: u32;
    // SAFETY: register operands only; no memory access, no stack use, flags untouched.
    unsafe {
        asm!(
            "sxtb16 {out}, {x}, ror #8",
            out = lateout(reg) out,
            x = in(reg) x,
            options(pure, nomem, nostack, preserves_flags),
        );
    }
    out
}
