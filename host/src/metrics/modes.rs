//! Mode coverage of a 2-D mixture, as in PacGAN (Lin et al. 2018, arXiv:1712.04086,
//! §5.1) and VEEGAN (Srivastava et al. 2017, arXiv:1705.07761, §4.1).

use crate::data::Toy;
use serde::{Deserialize, Serialize};

/// Samples scored per run unless stated otherwise (PacGAN's 2,500).
pub const DEFAULT_N: usize = 2500;

/// Mode-coverage scores of a set of 2-D samples.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModeScores {
    /// Samples scored.
    pub n: usize,
    /// Modes covered: modes that are the nearest mean of at least one HQ sample.
    pub modes: usize,
    /// Modes of the mixture (`K`).
    pub modes_total: usize,
    /// Fraction of samples that are high quality (within 3σ of their nearest mean).
    pub hq: f64,
    /// `KL(q ‖ U) = Σ_k q_k ln(K q_k)`, `q_k` = the share of HQ samples whose nearest mean
    /// is mode `k`, `U` uniform over the `K` modes, `0 · ln 0 = 0`. `ln K` (the value of a
    /// collapse onto one mode) when no sample is HQ, since `q` is then undefined.
    pub reverse_kl: f64,
}

/// The number of high-quality samples (within `3σ` of their nearest mean) nearest each
/// mean, in the order of `means` (a sample as near to two means counts for the first);
/// `points` in data units.
pub fn hq_per_mode(points: &[[f32; 2]], means: &[[f32; 2]], sigma: f32) -> Vec<usize> {
    let radius2 = (3.0 * f64::from(sigma)).powi(2);
    let mut counts = vec![0usize; means.len()];
    for p in points {
        let (nearest, d2) = means
            .iter()
            .map(|m| f64::from(p[0] - m[0]).powi(2) + f64::from(p[1] - m[1]).powi(2))
            .enumerate()
            .fold(
                (0, f64::INFINITY),
                |b, (i, d)| if d < b.1 { (i, d) } else { b },
            );
        if d2 <= radius2 {
            counts[nearest] += 1;
        }
    }
    counts
}

/// Scores `points` (data units) against a mixture with these `means` and common `sigma`.
pub fn mode_scores(points: &[[f32; 2]], means: &[[f32; 2]], sigma: f32) -> ModeScores {
    let k = means.len();
    let counts = hq_per_mode(points, means, sigma);
    let hq: usize = counts.iter().sum();
    let ln_k = (k as f64).ln();
    let reverse_kl = if hq == 0 {
        ln_k
    } else {
        counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let q = c as f64 / hq as f64;
                q * (q.ln() + ln_k)
            })
            .sum()
    };
    ModeScores {
        n: points.len(),
        modes: counts.iter().filter(|&&c| c > 0).count(),
        modes_total: k,
        hq: if points.is_empty() {
            0.0
        } else {
            hq as f64 / points.len() as f64
        },
        reverse_kl,
    }
}

impl Toy {
    /// [`mode_scores`] against this mixture; `points` in data units.
    pub fn score(self, points: &[[f32; 2]]) -> ModeScores {
        mode_scores(points, &self.means(), self.sigma())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinygan_core::rng::{Prng, uniform};

    #[test]
    fn true_data_covers_every_mode() {
        // P(‖z‖ ≤ 3) for a 2-D standard normal is 1 − e^(−9/2) = 0.98889.
        for (toy, seed) in [(Toy::Grid25, 1), (Toy::Ring8, 2), (Toy::Grid25, 3)] {
            let s = toy.score(&toy.sample(&mut Prng::new(seed), DEFAULT_N));
            assert_eq!(
                (s.n, s.modes, s.modes_total),
                (DEFAULT_N, toy.means().len(), s.modes)
            );
            assert!((0.983..=0.995).contains(&s.hq), "{toy:?} {s:?}");
            assert!(s.reverse_kl < 0.02, "{toy:?} {s:?}");
        }
    }

    #[test]
    fn one_mode_collapse_gives_ln_k() {
        for (toy, k) in [(Toy::Grid25, 25.0f64), (Toy::Ring8, 8.0)] {
            let m = toy.means()[3];
            let s = toy.score(&vec![m; 100]);
            assert_eq!((s.modes, s.hq), (1, 1.0));
            assert!((s.reverse_kl - k.ln()).abs() < 1e-12, "{s:?}");
        }
    }

    /// Means off both axes (where `p − m` and `p + m` differ in each coordinate), σ = 0.05
    /// so the HQ radius is 0.15: a point on the first mean, one 0.1 below the second in y
    /// (HQ there) and one 0.5 above the first (not HQ).
    #[test]
    fn hq_per_mode_measures_the_distance_in_both_coordinates() {
        let means = [[1.0, 2.0], [-1.0, -2.0]];
        let points = [[1.0, 2.0], [-1.0, -2.1], [1.0, 2.5]];
        assert_eq!(hq_per_mode(&points, &means, 0.05), vec![1, 1]);
        let swapped = points.map(|[x, y]| [y, x]);
        assert_eq!(
            hq_per_mode(&swapped, &means.map(|[x, y]| [y, x]), 0.05),
            vec![1, 1]
        );
    }

    /// A point halfway between two means (0.25 squared distance to each, exact in
    /// binary) counts for the first of them.
    #[test]
    fn a_tie_counts_for_the_first_mean() {
        let points = [[0.0, 0.5]];
        assert_eq!(
            hq_per_mode(&points, &[[0.0, 0.0], [0.0, 1.0]], 0.2),
            vec![1, 0]
        );
        assert_eq!(
            hq_per_mode(&points, &[[0.0, 1.0], [0.0, 0.0]], 0.2),
            vec![1, 0]
        );
    }

    #[test]
    fn by_hand() {
        let means = [[0.0, 0.0], [1.0, 0.0]];
        // Two HQ samples at mode 0, one at mode 1, one far away (nearest mode 1, not HQ).
        let pts = [[0.0, 0.01], [0.02, 0.0], [1.0, 0.0], [0.9, 0.0]];
        let s = mode_scores(&pts, &means, 0.01);
        assert_eq!((s.n, s.modes, s.modes_total, s.hq), (4, 2, 2, 0.75));
        let kl = 2.0 / 3.0 * (4.0f64 / 3.0).ln() + 1.0 / 3.0 * (2.0f64 / 3.0).ln();
        assert!((s.reverse_kl - kl).abs() < 1e-12);
        let none = mode_scores(&[[5.0, 5.0]], &means, 0.01);
        assert_eq!(
            (none.modes, none.hq, none.reverse_kl),
            (0, 0.0, 2.0f64.ln())
        );
    }

    /// grid25 (σ = 0.05, HQ radius 0.15): 50, 30 and 20 samples 0.14 from three means (HQ),
    /// 100 samples 0.16 from a mean (not HQ). HQ 100/200, three modes, and
    /// `KL = 0.5 ln(25·0.5) + 0.3 ln(25·0.3) + 0.2 ln(25·0.2)`.
    #[test]
    fn constructed_grid25_set_by_hand() {
        let at = |m: [f32; 2], r: f32, k: usize| {
            let a = k as f32;
            [m[0] + r * a.cos(), m[1] + r * a.sin()]
        };
        let mut pts = Vec::new();
        for (mean, count) in [([-4.0, -4.0], 50), ([0.0, 2.0], 30), ([4.0, -2.0], 20)] {
            pts.extend((0..count).map(|k| at(mean, 0.14, k)));
        }
        pts.extend((0..100).map(|k| at([2.0, 2.0], 0.16, k)));
        let s = Toy::Grid25.score(&pts);
        assert_eq!((s.n, s.modes, s.modes_total, s.hq), (200, 3, 25, 0.5));
        let kl = 0.5 * 12.5f64.ln() + 0.3 * 7.5f64.ln() + 0.2 * 5.0f64.ln();
        assert!(
            (s.reverse_kl - kl).abs() < 1e-12,
            "{} vs {kl}",
            s.reverse_kl
        );
    }

    /// A uniform scatter over [−4.5, 4.5]² is HQ with probability `25·π·0.15²/81 = 2.18 %`
    /// (the 25 HQ discs, radius 3σ = 0.15, lie inside the square and do not overlap).
    #[test]
    fn uniform_scatter_hq_is_the_disc_area_share() {
        let mut rng = Prng::new(4);
        let pts: Vec<[f32; 2]> = (0..100_000)
            .map(|_| [0, 1].map(|_| uniform(&mut rng) * 9.0 - 4.5))
            .collect();
        let want = 25.0 * std::f64::consts::PI * 0.15f64.powi(2) / 81.0;
        let s = Toy::Grid25.score(&pts);
        // Standard error √(p(1 − p)/n) = 0.046 %.
        assert!((s.hq - want).abs() < 0.002, "{} vs {want}", s.hq);
        assert_eq!(s.modes, 25);
    }
}
