//! Self-test: core's PRNG, Gaussian sampler and Dense forward pass must reproduce the host's
//! values bit for bit (`vectors.rs`), and the optimised int8 kernels the reference kernels
//! (`agree`). Ends with `N passed, N failed` and the exit status.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use tinygan_core::parity::{self, ParityDense};
use tinygan_core::tensor::{flat, flat_mut};
use tinygan_core::{Layer, Zero};
use tinygan_firmware::{agree, checks::Checks, probe, stack, vectors};

#[entry]
fn main() -> ! {
    stack::paint();
    defmt::println!("tinygan selftest on {=str}", tinygan_firmware::BOARD);
    let mut checks = Checks::default();

    let mut words = [0; vectors::PRNG_WORDS.len()];
    parity::prng_words(vectors::SEED, &mut words);
    checks.words("Prng::next_u32", &words, &vectors::PRNG_WORDS);

    let mut z = [0.0; vectors::GAUSSIANS.len()];
    parity::gaussians(vectors::SEED, &mut z);
    checks.floats("fill_gaussian", &z, &vectors::GAUSSIANS);

    f32_dense(&mut checks);
    agree::run(&mut checks);

    stack::report();
    checks.finish()
}

/// The f32 `Dense<32, 32>` forward pass (probed) against the host's bits. Not inlined, so
/// that its layer (4 KB) leaves the stack before the int8 checks run.
#[inline(never)]
fn f32_dense(checks: &mut Checks) {
    let mut dense = ParityDense::ZERO;
    let mut x = [<ParityDense as Layer>::In::ZERO; 1];
    parity::seeded(vectors::SEED, &mut dense, flat_mut(&mut x));
    let mut y = [<ParityDense as Layer>::Out::ZERO; 1];
    probe::measure("empty", (), |()| ());
    let y = probe::measure(
        "Dense<32, 32> forward, batch 1, 1024 MACs",
        (&dense, &x, &mut y),
        |(d, x, y)| {
            d.forward(x, y);
            y
        },
    );
    checks.floats("Dense<32, 32>::forward", flat(y), &vectors::DENSE_Y);
}
