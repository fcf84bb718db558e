//! int8 generation: the int8 model file embedded at build time (`TINYGAN_MODEL`, see
//! `build.rs`) is validated at boot and read in place from flash, then `SAMPLES` samples
//! are generated from `SEED` by core's int8 runner (`tinygan_core::model::int8::run`, the
//! code `tinygan generate` runs on the host) and logged as their Q15.16 data units, one
//! line per sample: `sample I [w0, w1, …]` (hex words, `value · 65536` as two's
//! complement), which `tinygan deploy` parses back exactly.
//!
//! The one buffer the layers run in is a static of the model's
//! `Int8Model::scratch_len()` codes (the build computes it from the file); `z` and the
//! outputs of one sample live on the stack. The three steps of the first sample run in
//! probe regions (`scripts/firmware.sh probe`): drawing `z` (f32), quantising it, and the
//! int8 generator (every layer and the map to data units, its multiply-accumulates in the
//! region's name). A file the reader refuses is reported (what is wrong) and the run ends with
//! failure before anything is generated.
#![no_std]
#![no_main]

use core::cell::RefCell;
use cortex_m::interrupt::{self, Mutex};
use cortex_m_rt::entry;
use tinygan_core::model::int8::Int8Model;
use tinygan_core::rng::{Prng, fill_gaussian};
use tinygan_firmware::{exit, probe, stack};

include!(concat!(env!("OUT_DIR"), "/model.rs"));

/// The codes the layers run in (zero-initialised: no copy at boot).
static SCRATCH_CODES: Mutex<RefCell<[i8; SCRATCH]>> = Mutex::new(RefCell::new([0; SCRATCH]));

/// `f(input)`, inside a probe region called `name` (of `macs` multiply-accumulates, if
/// any) when `on`.
fn probed<I, R>(on: bool, name: &str, macs: usize, input: I, f: impl FnOnce(I) -> R) -> R {
    match (on, macs) {
        (false, _) => f(input),
        (true, 0) => probe::measure(name, input, f),
        (true, _) => probe::measure_macs(name, macs, input, f),
    }
}

/// Reports `what` as the reason the model was refused and ends the run with failure.
fn refuse(what: impl core::fmt::Display) -> ! {
    defmt::error!(
        "model rejected: {}; nothing generated",
        defmt::Display2Format(&what)
    );
    exit(false)
}

#[entry]
fn main() -> ! {
    stack::paint();
    defmt::println!("tinygan generate-int8 on {=str}", tinygan_firmware::BOARD);
    let model = Int8Model::parse(&MODEL.0).unwrap_or_else(|e| refuse(e));
    if (model.z_len(), model.out_len()) != (Z_LEN, OUT_LEN) || model.scratch_len() > SCRATCH {
        refuse(format_args!(
            "the image was built for another model: {} latent values, {} outputs and {} \
             scratch codes per sample, the file needs {}, {} and {}",
            Z_LEN,
            OUT_LEN,
            SCRATCH,
            model.z_len(),
            model.out_len(),
            model.scratch_len()
        ));
    }
    defmt::println!(
        "model: {=usize} bytes, int8, {=usize} layers, {=usize} MACs, {=usize} scratch codes; \
         {=usize} samples from seed {=u64}",
        MODEL.0.len(),
        model.len(),
        model.macs(),
        SCRATCH,
        SAMPLES,
        SEED
    );
    let mut rng = Prng::new(SEED);
    let mut z = [0.0f32; Z_LEN];
    let mut out = [0i32; OUT_LEN];
    let mut words = [0u32; OUT_LEN];
    probe::measure("empty", (), |()| ());
    interrupt::free(|cs| {
        let mut scratch = SCRATCH_CODES.borrow(cs).borrow_mut();
        for i in 0..SAMPLES {
            let on = i == 0;
            probed(
                on,
                "z draw (f32 Gaussian)",
                0,
                (&mut rng, &mut z),
                |(r, z)| fill_gaussian(r, z),
            );
            let codes = scratch.get_mut(..Z_LEN).unwrap_or_else(|| exit(false));
            probed(on, "z to codes", 0, (&z, codes), |(z, c)| {
                model.quantize_z(z, c)
            });
            let name = "int8 generator: every layer and the map to data units";
            let args = (&mut scratch[..], &mut out);
            let run = probed(on, name, model.macs(), args, |(s, out)| {
                model.forward(s, 1).map(|codes| model.to_data(codes, out))
            });
            if let Err(e) = run {
                refuse(e);
            }
            for (w, &v) in words.iter_mut().zip(&out) {
                *w = v as u32;
            }
            defmt::println!("sample {=usize} {=[?]:x}", i, words[..]);
        }
    });
    stack::report();
    exit(true)
}
