//! The 2-D Gaussian mixtures used to measure mode collapse (docs/ARCHITECTURE.md,
//! Metrics; after PacGAN, Lin et al. 2018, arXiv:1712.04086, §5.1).

use super::{Scaler, index_below};
use tinygan_core::rng::{Prng, gaussian_pair};

/// A 2-D mixture of equally weighted isotropic Gaussians.
///
/// - `Ring8`: 8 means `(cos 2πk/8, sin 2πk/8)`, `k = 0..7`, `σ = 0.01`.
/// - `Grid25`: 25 means `{−4, −2, 0, 2, 4}²`, `σ = 0.05`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Toy {
    /// Eight modes on the unit circle.
    Ring8,
    /// A 5 × 5 grid of modes.
    Grid25,
}

impl Toy {
    /// The mixture's means, in data units.
    pub fn means(self) -> Vec<[f32; 2]> {
        match self {
            Toy::Ring8 => (0..8)
                .map(|k| {
                    let a = 2.0 * core::f64::consts::PI * k as f64 / 8.0;
                    [a.cos() as f32, a.sin() as f32]
                })
                .collect(),
            Toy::Grid25 => {
                let c = [-4.0, -2.0, 0.0, 2.0, 4.0];
                c.iter().flat_map(|&x| c.map(|y| [x, y])).collect()
            }
        }
    }

    /// The standard deviation of every component, in data units.
    pub fn sigma(self) -> f32 {
        match self {
            Toy::Ring8 => 0.01,
            Toy::Grid25 => 0.05,
        }
    }

    /// Both features are divided by a fixed scale (offset 0) that puts every mean plus
    /// 3σ inside ±0.85, so a tanh output never has to saturate to reach the data:
    /// 1.25 for ring8, 5 for grid25.
    pub fn scalers(self) -> [Scaler; 2] {
        let scale = match self {
            Toy::Ring8 => 1.25,
            Toy::Grid25 => 5.0,
        };
        [Scaler { offset: 0.0, scale }; 2]
    }

    /// `n` samples in data units: a mode drawn uniformly by
    /// [`index_below`](super::index_below), then `mean + σ · (z₁, z₂)` with one
    /// Box–Muller pair.
    pub fn sample(self, rng: &mut Prng, n: usize) -> Vec<[f32; 2]> {
        let means = self.means();
        let sigma = self.sigma();
        (0..n)
            .map(|_| {
                let m = means[index_below(rng, means.len())];
                let (z1, z2) = gaussian_pair(rng);
                [m[0] + sigma * z1, m[1] + sigma * z2]
            })
            .collect()
    }

    /// `n` samples in model units (see [`Toy::scalers`]), ready for training.
    pub fn sample_model(self, rng: &mut Prng, n: usize) -> Vec<[f32; 2]> {
        let mut x = self.sample(rng, n);
        super::to_model(&mut x, &self.scalers());
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_are_distinct_and_as_specified() {
        let ring = Toy::Ring8.means();
        assert_eq!(ring.len(), 8);
        assert_eq!(ring[0], [1.0, 0.0]);
        assert!((ring[1][0] - 0.5f32.sqrt()).abs() < 1e-7 && ring[2][1] == 1.0);
        for (i, a) in ring.iter().enumerate() {
            for b in &ring[i + 1..] {
                assert!(((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt() > 0.7);
            }
        }
        let grid = Toy::Grid25.means();
        assert_eq!(grid.len(), 25);
        assert_eq!(
            (grid[0], grid[7], grid[24]),
            ([-4.0, -4.0], [-2.0, 0.0], [4.0, 4.0])
        );
    }

    #[test]
    fn samples_are_seeded_and_spread_over_modes() {
        let toy = Toy::Grid25;
        let a = toy.sample(&mut Prng::new(1), 5000);
        assert_eq!(a, toy.sample(&mut Prng::new(1), 5000));
        let mut counts = [0usize; 25];
        for p in &a {
            let k =
                ((p[0] + 4.0) / 2.0).round() as usize * 5 + ((p[1] + 4.0) / 2.0).round() as usize;
            counts[k] += 1;
        }
        assert!(
            counts.iter().all(|&c| (150..250).contains(&c)),
            "{counts:?}"
        );
        let m = toy.sample_model(&mut Prng::new(1), 5000);
        assert!(m.iter().flatten().all(|v| v.abs() < 0.9));
        assert_eq!(m[3][1] * 5.0, a[3][1]);
    }
}
