//! The D/G schedule: how many updates of each side an iteration takes, counted apart (a D
//! update draws one real batch, an adversarial G update none).

use super::probe::*;
use crate::gan::Balance;
use crate::train::StepConfig;
use std::vec::Vec;

/// Runs `iterations` iterations with `balance`; returns the D and G updates taken and, per
/// iteration, whether each side reported a loss.
fn updates(balance: Balance, iterations: usize) -> (u32, u32, Vec<(bool, bool)>) {
    const N: usize = 8;
    let mut gan =
        probe::<_, _, (), (), N>(lin(1.0, 0.0), lin(1.0, 0.0), (), (), StepConfig::BASELINE);
    gan.balance = balance;
    let (mut draws, mut real) = (0, normal::<N>(0.0, 1.0, 1));
    let mut sides = Vec::new();
    for _ in 0..iterations {
        let stats = gan.iteration(|x: &mut [[f32; 1]; N], y: &mut [u8; N]| {
            draws += 1;
            real(x, y);
        });
        sides.push((stats.d_loss.is_some(), stats.g_loss.is_some()));
    }
    (draws, gan.step - draws, sides)
}

#[test]
fn fixed_balance_takes_the_stated_updates() {
    assert_eq!(updates(Balance::fixed(2, 1), 3).0, 6);
    assert_eq!(updates(Balance::fixed(2, 1), 3).1, 3);
    let (d, g, sides) = updates(Balance::fixed(1, 3), 3);
    assert_eq!((d, g), (3, 9));
    assert!(sides.iter().all(|&s| s == (true, true)));
}

/// D always wants to rest (its floor is +∞) and may rest two iterations in a row: it trains
/// in iterations 1 (no loss yet) and 4, rests in 2, 3, 5, 6. G always wants to rest and
/// may rest one: it trains in 1, 3, 5.
#[test]
fn adaptive_balance_rests_the_side_below_its_floor() {
    let d_rests = Balance::adaptive(1, 1, f32::INFINITY, f32::NEG_INFINITY, 2);
    let (d, g, sides) = updates(d_rests, 6);
    assert_eq!((d, g), (2, 6));
    let trained_d: Vec<bool> = sides.iter().map(|s| s.0).collect();
    assert_eq!(trained_d, [true, false, false, true, false, false]);

    let g_rests = Balance::adaptive(2, 1, f32::NEG_INFINITY, f32::INFINITY, 1);
    let (d, g, sides) = updates(g_rests, 6);
    assert_eq!((d, g), (12, 3));
    let trained_g: Vec<bool> = sides.iter().map(|s| s.1).collect();
    assert_eq!(trained_g, [true, false, true, false, true, false]);
}
