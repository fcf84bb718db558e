//! Cost probe of the int8 kernels at the sizes of the digits generator (`DigitsG`): its
//! `Dense` 32 → 512, `ConvTranspose2d` 32×4×4 → 16×8×8 (k4, s2, p1) and `Conv2d`
//! 16×8×8 → 1×8×8 (k3, p1), batch 1. Each layer runs twice on the same input, once by the
//! reference kernel and once by the kernel the board's dispatch picks
//! (`quant::fast`), each in a probe region (`scripts/firmware.sh probe BOARD int8`) named
//! with the multiply-accumulates it computes (taps inside the input only); the two outputs
//! must agree bit for bit. Weights and records are `static`s in flash, as a model's are.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use tinygan_core::kernels::conv::ConvShape;
use tinygan_core::layers::{Conv2d, ConvTranspose2d};
use tinygan_core::quant::conv::{conv_transpose2d, conv2d};
use tinygan_core::quant::{Channel, ChannelBytes, LayerIo, Requant, dense, fast};
use tinygan_core::rng::Prng;
use tinygan_firmware::{checks::Checks, probe, stack};

/// `N` pseudo-random bytes (a 32-bit LCG's top bytes), computed by the compiler.
const fn codes<const N: usize>(seed: u32) -> [u8; N] {
    let mut out = [0; N];
    let mut s = seed;
    let mut k = 0;
    while k < N {
        s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        out[k] = (s >> 24) as u8;
        k += 1;
    }
    out
}

/// `N` channel records: bias `1000·(k mod 7) − 3000`, multiplier `2^(shift − 1)` with
/// `shift` putting typical sums at tens of codes.
const fn records<const N: usize>(shift: i32) -> [ChannelBytes; N] {
    let mut out = [[0; 12]; N];
    let mut k = 0;
    while k < N {
        let c = Channel {
            bias: 1000 * (k % 7) as i32 - 3000,
            requant: Requant {
                multiplier: 1 << 30,
                shift,
            },
        };
        out[k] = c.to_le_bytes();
        k += 1;
    }
    out
}

const UP: ConvShape = ConvTranspose2d::<32, 16, 4, 4, 4, 2, 1, 8, 8>::SHAPE;
const CONV: ConvShape = Conv2d::<16, 1, 8, 8, 3, 1, 1, 8, 8>::SHAPE;

static DENSE_W: [u8; 32 * 512] = codes(1);
static DENSE_C: [ChannelBytes; 512] = records(-8);
static UP_W: [u8; 32 * 16 * 16] = codes(2);
static UP_C: [ChannelBytes; 16] = records(-10);
static CONV_W: [u8; 16 * 9] = codes(3);
static CONV_C: [ChannelBytes; 1] = records(-10);

/// Multiply-accumulates of a convolution `s` whose taps land inside its input (those of
/// its transposed convolution are the same products).
fn macs(s: &ConvShape) -> usize {
    let inside = |o: usize, k: usize, stride: usize, pad: usize, len: usize| {
        (o * stride + k).checked_sub(pad).is_some_and(|v| v < len)
    };
    let mut n = 0;
    for oy in 0..s.oh {
        for ox in 0..s.ow {
            for i in 0..s.kh {
                for j in 0..s.kw {
                    n +=
                        (inside(oy, i, s.sh, s.ph, s.h) && inside(ox, j, s.sw, s.pw, s.w)) as usize;
                }
            }
        }
    }
    n * s.cin * s.cout
}

#[entry]
fn main() -> ! {
    stack::paint();
    defmt::println!("tinygan int8 probe on {=str}", tinygan_firmware::BOARD);
    let fast_name = if fast::PACKED {
        "packed (m4)"
    } else {
        "m0 dense, reference conv"
    };
    defmt::println!("dispatch: {=str}", fast_name);
    let mut checks = Checks::default();
    let mut rng = Prng::new(7);
    probe::measure("empty", (), |()| ());

    let mut x = [0i8; 32];
    x.iter_mut().for_each(|v| *v = rng.next_u32() as i8);
    let io = LayerIo::new(-3, -128);
    let (mut want, mut got) = ([0i8; 512], [0i8; 512]);
    probe::measure_macs(
        "int8 Dense 32->512, reference",
        32 * 512,
        (&x, &mut want),
        |(x, y)| {
            dense::forward(&DENSE_W, &DENSE_C, io, x, y, 32, 512);
            y
        },
    );
    probe::measure_macs(
        "int8 Dense 32->512, fast",
        32 * 512,
        (&x, &mut got),
        |(x, y)| {
            fast::dense(&DENSE_W, &DENSE_C, io, x, y, 32, 512);
            y
        },
    );
    checks.codes("int8 Dense 32->512: fast = reference", &got, &want);

    let mut x = [0i8; 512];
    x.iter_mut().for_each(|v| *v = rng.next_u32() as i8);
    let (mut want, mut got) = ([0i8; 1024], [0i8; 1024]);
    probe::measure_macs(
        "int8 ConvTranspose2d 32x4x4->16x8x8 k4 s2 p1, reference",
        macs(&UP),
        (&x, &mut want),
        |(x, y)| {
            conv_transpose2d(&UP, &UP_W, &UP_C, io, x, y);
            y
        },
    );
    probe::measure_macs(
        "int8 ConvTranspose2d 32x4x4->16x8x8 k4 s2 p1, fast",
        macs(&UP),
        (&x, &mut got),
        |(x, y)| {
            fast::conv_transpose2d(&UP, &UP_W, &UP_C, io, x, y);
            y
        },
    );
    checks.codes("int8 ConvTranspose2d: fast = reference", &got, &want);

    let mut x = [0i8; 1024];
    x.iter_mut().for_each(|v| *v = rng.next_u32() as i8);
    let (mut want, mut got) = ([0i8; 64], [0i8; 64]);
    probe::measure_macs(
        "int8 Conv2d 16x8x8->1x8x8 k3 p1, reference",
        macs(&CONV),
        (&x, &mut want),
        |(x, y)| {
            conv2d(&CONV, &CONV_W, &CONV_C, io, x, y);
            y
        },
    );
    probe::measure_macs(
        "int8 Conv2d 16x8x8->1x8x8 k3 p1, fast",
        macs(&CONV),
        (&x, &mut got),
        |(x, y)| {
            fast::conv2d(&CONV, &CONV_W, &CONV_C, io, x, y);
            y
        },
    );
    checks.codes("int8 Conv2d: fast = reference", &got, &want);

    stack::report();
    checks.finish()
}
