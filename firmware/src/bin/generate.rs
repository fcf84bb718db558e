//! Generation: the model file embedded at build time (`TINYGAN_MODEL`, see `build.rs`) is
//! checked at boot, then `SAMPLES` samples are generated from `SEED` and logged as `f32`
//! bit patterns, one line per sample: `sample I [0xw0, 0xw1, …]` (hex words, model units),
//! which `tinygan deploy` parses back exactly.
//!
//! The first sample is generated inside a probe region (`scripts/firmware.sh probe`), with
//! the generator's multiply-accumulates in its name.
//!
//! The network value is decoded from the file by the compiler (`from_model`) into a
//! `static` in flash; only the activations of one sample take RAM. A file that fails
//! `ModelFile::parse` or was written for another architecture is reported and the run
//! ends with failure before the network is touched.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use tinygan_core::generate::next_batch;
use tinygan_core::model::{Embedded, ModelFile};
use tinygan_core::tensor::{Tensor, Zero, flat};
use tinygan_core::{Network, model::Fingerprint};
use tinygan_firmware::{exit, probe, stack};

include!(concat!(env!("OUT_DIR"), "/model.rs"));
include!(concat!(env!("OUT_DIR"), "/generator.rs"));

/// The generator, decoded from the embedded file at compile time (read-only memory).
static NET: G = G::from_model(&Embedded::new(&MODEL.0));

/// Values per sample.
const LEN: usize = <<G as Network>::Out as Tensor>::LEN;

#[entry]
fn main() -> ! {
    stack::paint();
    defmt::println!("tinygan generate on {=str}", tinygan_firmware::BOARD);
    let checked = ModelFile::parse(&MODEL.0).and_then(|file| file.check(&NET));
    if let Err(e) = checked {
        defmt::error!(
            "model rejected: {} (image built for fingerprint {=u32:#010x}); nothing generated",
            defmt::Display2Format(&e),
            G::FINGERPRINT
        );
        exit(false)
    }
    defmt::println!(
        "model: {=usize} bytes, fingerprint {=u32:#010x}; {=usize} samples from seed {=u64}",
        MODEL.0.len(),
        G::FINGERPRINT,
        SAMPLES,
        SEED
    );
    let acts =
        cortex_m::singleton!(: <G as Network>::Acts<1> = Zero::ZERO).unwrap_or_else(|| exit(false));
    let mut rng = tinygan_core::rng::Prng::new(SEED);
    let mut z = [<G as Network>::In::ZERO; 1];
    let mut bits = [0u32; LEN];
    probe::measure("empty", (), |()| ());
    for i in 0..SAMPLES {
        let y = if i == 0 {
            let name = "generate sample 0 (z draw and forward pass)";
            probe::measure_macs(
                name,
                G::MACS,
                (&mut rng, &mut z, &mut *acts),
                |(r, z, a)| next_batch(&NET, r, z, a),
            )
        } else {
            next_batch(&NET, &mut rng, &mut z, acts)
        };
        for (b, v) in bits.iter_mut().zip(flat(y)) {
            *b = v.to_bits();
        }
        defmt::println!("sample {=usize} {=[?]:x}", i, bits[..]);
    }
    stack::report();
    exit(true)
}
