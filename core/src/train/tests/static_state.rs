//! The digits training state as a `static`: built from [`Zero::ZERO`] at compile time,
//! readied in place and trained, with no heap and no copy of the state on the stack (the
//! basis of training on a device).

use super::*;
use crate::layers::{Conv2d, Flatten, LeakyRelu};
use crate::optim::{AnyOptimizer, OptimizerConfig};
use crate::presets::digits::{DigitsG, Image};
use std::sync::Mutex;

crate::network! {
    /// The host's digits discriminator: strided convolutions to 32×4×4 and 64×2×2, a dense
    /// logit.
    struct DigitsD, acts DigitsDActs {
        c1: Conv2d<1, 32, 8, 8, 4, 2, 1, 4, 4>,
        a1: LeakyRelu<[[[f32; 4]; 4]; 32]>,
        c2: Conv2d<32, 64, 4, 4, 4, 2, 1, 2, 2>,
        a2: LeakyRelu<[[[f32; 2]; 2]; 64]>,
        flat: Flatten<64, 2, 2, 256>,
        out: Dense<256, 1>,
    }
}

const BATCH: usize = 16;

type DigitsGan =
    Gan<DigitsG, DigitsD, AnyOptimizer<DigitsG>, AnyOptimizer<DigitsD>, (), (), BATCH, 32>;

/// The whole state: a `static` initialised from the `Zero` constant (a device would hand it
/// out once from a critical section; the test's lock plays that part).
static STATE: Mutex<DigitsGan> = Mutex::new(Gan::ZERO);

/// One iteration from the static state: both losses finite, and every G weight moved by at
/// most Adam's first-step bound `lr` (`lr·|g|/(|g| + ε)`), most by nearly `lr` exactly.
#[test]
fn the_digits_state_trains_as_a_static() {
    let mut gan = STATE.lock().unwrap();
    let mut rng = Prng::new(3);
    crate::init::kaiming_normal(&mut gan.g, &mut rng, 0.0);
    crate::init::kaiming_normal(&mut gan.d, &mut rng, 0.2);
    let lr = 1e-3;
    let adam = OptimizerConfig::Adam(AdamConfig {
        lr,
        ..AdamConfig::DCGAN
    });
    gan.opt_g.configure(adam);
    gan.opt_d.configure(adam);
    gan.reset(StepConfig::BASELINE, crate::gan::Balance::fixed(1, 1), 5);
    let before: std::vec::Vec<f32> = (0..DigitsG::TENSORS)
        .flat_map(|i| gan.g.tensor(i).to_vec())
        .collect();
    // A vertical bar on a dark background, every real image the same.
    let mut bar: Image = [[[-1.0; 8]; 8]; 1];
    bar[0].iter_mut().for_each(|row| row[3] = 1.0);
    let stats = gan.iteration(|x: &mut [Image; BATCH], _: &mut [u8; BATCH]| x.fill(bar));
    assert!(stats.d_loss.is_some_and(f32::is_finite), "{stats:?}");
    assert!(stats.g_loss.is_some_and(f32::is_finite), "{stats:?}");
    let after = (0..DigitsG::TENSORS).flat_map(|i| gan.g.tensor(i).to_vec());
    let steps: std::vec::Vec<f32> = after.zip(&before).map(|(a, b)| (a - b).abs()).collect();
    assert!(steps.iter().all(|&s| s <= lr * 1.001), "a step above lr");
    let full = steps.iter().filter(|&&s| s > 0.9 * lr).count();
    assert!(
        full * 2 > steps.len(),
        "{full} of {} weights moved by about lr",
        steps.len()
    );
}
