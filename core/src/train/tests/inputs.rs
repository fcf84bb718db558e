//! What D is fed: instance noise, translation and experience replay, read from D's own
//! activations (a D whose output, or first layer, is its input).

use super::probe::*;
use crate::gan::{Anneal, Share, Translate};
use crate::net::Network;
use crate::train::{GObjective, StepConfig, Workspace};

/// Noise on both batches with `σ(t) = σ₀(1 − t/N)`, `σ₀ = 1`, `N = 4`: 0.75 at step 1, 0.5
/// at step 2, 0.25 at step 3, exactly 0 from step 4 (in the D update, the adversarial G
/// update and the real batch of the feature-matching G update).
#[test]
fn instance_noise_reaches_both_batches_with_the_scheduled_sigma() {
    const N: usize = 512;
    let config = StepConfig {
        noise: Some(Anneal::linear(1.0, 4)),
        ..StepConfig::BASELINE
    };
    // G and D the identity: D's output is exactly what D was fed.
    let mut gan = probe::<_, _, (), (), N>(lin(1.0, 0.0), lin(1.0, 0.0), (), (), config);
    let real = [[3.0f32]; N];
    let mut constant = |x: &mut [[f32; 1]; N], _: &mut [u8; N]| *x = real;

    // What the last update fed D, against the clean batches: the real batch (when it drew
    // one) and G's output.
    let seen = |ws: &Workspace<Lin1, Lin1, N>, real_too: bool, sigma: f32, what: &str| {
        if real_too {
            assert_noise(Lin1::output(&ws.d_real), &real, sigma, what);
        }
        let fresh = Lin1::output(&ws.g_acts);
        assert_noise(Lin1::output(&ws.d_fake), fresh, sigma, what);
    };
    gan.step = 1;
    gan.d_step(&mut constant);
    seen(&gan.ws, true, 0.75, "D update");
    gan.step = 2;
    gan.g_step(&mut unused);
    seen(&gan.ws, false, 0.5, "adversarial G update");
    gan.config.g_objective = GObjective::FeatureMatching { layer: 0 };
    gan.step = 3;
    gan.g_step(&mut constant);
    seen(&gan.ws, true, 0.25, "feature-matching G update");

    gan.step = 4;
    gan.d_step(&mut constant);
    let ws = &gan.ws;
    assert_eq!(Lin1::output(&ws.d_real), &real, "σ = 0 after annealing");
    assert_eq!(Lin1::output(&ws.d_fake), Lin1::output(&ws.g_acts));
}

/// The four translations a 1×4 image can take with `m = 1`: a vertical offset empties it
/// (fill 0), a horizontal one moves it one pixel. Returns `(dx, image)` with `dx = None`
/// for the emptied image.
fn translations(x: [f32; 4]) -> [(Option<isize>, [f32; 4]); 4] {
    [
        (Some(0), x),
        (Some(1), [0.0, x[0], x[1], x[2]]),
        (Some(-1), [x[1], x[2], x[3], 0.0]),
        (None, [0.0; 4]),
    ]
}

/// The offset that turns `from` into `seen`; panics if `seen` is no translation of it.
fn offset(from: [f32; 4], seen: &[f32], what: &str) -> Option<isize> {
    translations(from)
        .iter()
        .find(|(_, t)| t[..] == *seen)
        .unwrap_or_else(|| panic!("{what}: D saw {seen:?}, no translation of {from:?}"))
        .0
}

const SHIFT: Translate = Translate {
    channels: 1,
    height: 1,
    width: 4,
    max: 1,
    fill: 0.0,
};

/// Each image of both of D's batches is a translation of the image fed in, and some are
/// moved, in the D update and in the G update; G's gradient is the translation's adjoint
/// applied to the gradient at D's input: `∂L/∂x[p] = ∂L/∂y[p + dx]` inside the image, 0
/// where the pixel was shifted out, and 0 everywhere for an emptied image.
#[test]
fn translation_moves_both_batches_and_g_gets_the_adjoint() {
    const N: usize = 16;
    let config = StepConfig {
        translate: Some(SHIFT),
        ..StepConfig::BASELINE
    };
    let v = [0.5, -1.0, 2.0, 0.25];
    let d = Seen4 {
        id: identity4(),
        out: crate::layers::Dense { w: [v], b: [0.1] },
    };
    let g = Lin4 { fc: identity4() };
    let mut gan = probe::<_, _, (), (), N>(g, d, (), (), config);
    let image = [1.0, 2.0, 3.0, 4.0];
    let mut real = |x: &mut [[f32; 4]; N], _: &mut [u8; N]| *x = [image; N];

    let moved = |seen: &[f32], fed: &[[f32; 4]; N], what: &str| {
        let mut moved = 0;
        for (seen, &fed) in seen.chunks_exact(4).zip(fed) {
            moved += usize::from(offset(fed, seen, what) != Some(0));
        }
        assert!(moved > 0, "{what}: no image moved");
    };
    gan.d_step(&mut real);
    let ws = &gan.ws;
    moved(
        Seen4::layer_output(&ws.d_real, 0),
        &[image; N],
        "D update, real",
    );
    moved(
        Seen4::layer_output(&ws.d_fake, 0),
        Lin4::output(&ws.g_acts),
        "D update, fake",
    );

    gan.g_step(&mut unused);
    let ws = &gan.ws;
    let (fed, seen) = (Lin4::output(&ws.g_acts), Seen4::layer_output(&ws.d_fake, 0));
    moved(seen, fed, "G update, fake");
    for (i, (seen, &fed)) in seen.chunks_exact(4).zip(fed).enumerate() {
        // Non-saturating BCE: ∂L/∂s = (σ(s) − 1)/B, and ∂s/∂y = v.
        let s = Seen4::output(&ws.d_fake)[i][0];
        let ds = (sigmoid(f64::from(s)) - 1.0) / N as f64;
        let want = |p: isize| match offset(fed, seen, "G update") {
            Some(dx) if (0..4).contains(&(p + dx)) => ds * f64::from(v[(p + dx) as usize]),
            _ => 0.0,
        };
        for p in 0..4 {
            assert_close(ws.dx[i][p as usize], want(p), "G's output gradient");
        }
    }
}

/// The first D update stores its whole fresh batch; every later one takes exactly
/// `round(0.25 · 16) = 4` rows from earlier batches and keeps the other 12 fresh, storing
/// those: 16, 28, 40, 52, 64 stored, then full. A G update sees only fresh fakes.
#[test]
fn replay_mixes_the_stated_share_of_past_fakes_and_fills() {
    const N: usize = 16;
    let config = StepConfig {
        replay: Share::Fraction(0.25),
        ..StepConfig::BASELINE
    };
    let mut gan = probe::<_, _, (), (), N>(lin(1.0, 0.0), lin(1.0, 0.0), (), (), config);
    let mut real = normal::<N>(0.0, 1.0, 1);
    let mut past = std::vec::Vec::new();
    for (update, stored) in [16, 28, 40, 52, 64].into_iter().enumerate() {
        gan.d_step(&mut real);
        let ws = &gan.ws;
        let (fresh, seen) = (Lin1::output(&ws.g_acts), Lin1::output(&ws.d_fake));
        let replayed = if update == 0 { 0 } else { 4 };
        for (i, (s, f)) in seen.iter().zip(fresh).enumerate() {
            if i < replayed {
                assert!(
                    past.contains(s),
                    "update {update}, row {i}: not a past fake"
                );
                assert!(!fresh.contains(s), "update {update}, row {i}: a fresh fake");
            } else {
                assert_eq!(s, f, "update {update}, row {i}: not the fresh fake");
            }
        }
        past.extend_from_slice(&fresh[replayed..]);
        assert_eq!(gan.replay.len(), stored, "after update {update}");
    }
    assert!(gan.replay.is_full());
    gan.g_step(&mut unused);
    let ws = &gan.ws;
    assert_eq!(Lin1::output(&ws.d_fake), Lin1::output(&ws.g_acts));
}
