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
use tinygan_core::quant::{Channel, ChannelBytes, LayerIo, Requant, Weights, dense, fast};
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

/// Runs `reference` and `fast` on the same random input of `IN` codes, each in a probe
/// region of `macs` MACs (`names[0]`, `names[1]`), and checks their `OUT` codes agree
/// (`names[2]`).
fn compare<const IN: usize, const OUT: usize>(
    checks: &mut Checks,
    rng: &mut Prng,
    names: [&str; 3],
    macs: usize,
    reference: impl FnOnce(&[i8], &mut [i8]),
    fast: impl FnOnce(&[i8], &mut [i8]),
) {
    let mut x = [0i8; IN];
    x.iter_mut().for_each(|v| *v = rng.next_u32() as i8);
    let (mut want, mut got) = ([0i8; OUT], [0i8; OUT]);
    region(names[0], macs, &x, &mut want, reference);
    region(names[1], macs, &x, &mut got, fast);
    checks.codes(names[2], &got, &want);
}

/// `kernel(x, y)` in a probe region.
fn region(name: &str, macs: usize, x: &[i8], y: &mut [i8], kernel: impl FnOnce(&[i8], &mut [i8])) {
    probe::measure_macs(name, macs, (x, y), |(x, y)| {
        kernel(x, y);
        y
    });
}

#[entry]
fn main() -> ! {
    stack::paint();
    defmt::println!("tinygan int8 probe on {=str}", tinygan_firmware::BOARD);
    let fast_name = if fast::PACKED {
        "packed kernels (quant::fast::m4)"
    } else if fast::PLAIN {
        "convolutions on quant::fast::m0::Plain, dense on the reference kernel"
    } else {
        "reference kernels"
    };
    defmt::println!("dispatch: {=str}", fast_name);
    let mut checks = Checks::default();
    let mut rng = Prng::new(7);
    probe::measure("empty", (), |()| ());

    let io = LayerIo::new(-3, -128);
    compare::<32, 512>(
        &mut checks,
        &mut rng,
        [
            "int8 Dense 32->512, reference",
            "int8 Dense 32->512, fast",
            "int8 Dense 32->512: fast = reference",
        ],
        32 * 512,
        |x, y| dense::forward::<i8, _, _>(&DENSE_W, &DENSE_C, io, x, y, 32, 512),
        |x, y| fast::dense(Weights::I8(&DENSE_W), &DENSE_C, io, x, y, 32, 512),
    );
    compare::<512, 1024>(
        &mut checks,
        &mut rng,
        [
            "int8 ConvTranspose2d 32x4x4->16x8x8 k4 s2 p1, reference",
            "int8 ConvTranspose2d 32x4x4->16x8x8 k4 s2 p1, fast",
            "int8 ConvTranspose2d: fast = reference",
        ],
        macs(&UP),
        |x, y| conv_transpose2d::<i8, _, _>(&UP, &UP_W, &UP_C, io, x, y),
        |x, y| fast::conv_transpose2d(&UP, Weights::I8(&UP_W), &UP_C, io, x, y),
    );
    compare::<1024, 64>(
        &mut checks,
        &mut rng,
        [
            "int8 Conv2d 16x8x8->1x8x8 k3 p1, reference",
            "int8 Conv2d 16x8x8->1x8x8 k3 p1, fast",
            "int8 Conv2d: fast = reference",
        ],
        macs(&CONV),
        |x, y| conv2d::<i8, _, _>(&CONV, &CONV_W, &CONV_C, io, x, y),
        |x, y| fast::conv2d(&CONV, Weights::I8(&CONV_W), &CONV_C, io, x, y),
    );

    stack::report();
    checks.finish()
}
