//! Fréchet distance between Gaussians fitted to two sets of features (the FID formula of
//! Heusel et al. 2017, arXiv:1706.08500, §3, on the digits classifier's hidden layer).

use super::eigen::{matmul, sqrt_psd};

/// Mean and unbiased covariance of a set of feature vectors, in f64.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureStats {
    /// Feature dimension `d`.
    pub dim: usize,
    /// Number of vectors the statistics come from.
    pub n: usize,
    /// `μ = (1/n) Σ x`.
    pub mean: Vec<f64>,
    /// `C = (1/(n − 1)) Σ (x − μ)(x − μ)ᵀ`, row-major `d × d`.
    pub cov: Vec<f64>,
}

impl FeatureStats {
    /// Statistics of `rows`. Panics with fewer than two rows (no unbiased covariance).
    pub fn fit<const D: usize>(rows: &[[f32; D]]) -> Self {
        let n = rows.len();
        assert!(
            n >= 2,
            "an unbiased covariance needs at least 2 vectors, got {n}"
        );
        let mut mean = vec![0.0; D];
        for r in rows {
            mean.iter_mut()
                .zip(r)
                .for_each(|(m, &x)| *m += f64::from(x));
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let mut cov = vec![0.0; D * D];
        for r in rows {
            let c: Vec<f64> = r
                .iter()
                .zip(&mean)
                .map(|(&x, m)| f64::from(x) - m)
                .collect();
            for (row, ci) in cov.chunks_exact_mut(D).zip(&c) {
                row.iter_mut().zip(&c).for_each(|(v, cj)| *v += ci * cj);
            }
        }
        cov.iter_mut().for_each(|v| *v /= (n - 1) as f64);
        Self {
            dim: D,
            n,
            mean,
            cov,
        }
    }
}

/// `‖μ₁ − μ₂‖² + tr(C₁ + C₂ − 2 (C₁^{1/2} C₂ C₁^{1/2})^{1/2})`, with both square roots
/// taken by symmetric eigen-decomposition (negative rounding eigenvalues count as 0).
/// Panics if the dimensions differ.
pub fn frechet_distance(a: &FeatureStats, b: &FeatureStats) -> f64 {
    assert_eq!(
        a.dim, b.dim,
        "Fréchet distance between features of different sizes"
    );
    let d = a.dim;
    let mean_term: f64 = a
        .mean
        .iter()
        .zip(&b.mean)
        .map(|(x, y)| (x - y).powi(2))
        .sum();
    let trace = |m: &[f64]| (0..d).map(|i| m[i * d + i]).sum::<f64>();
    let s = sqrt_psd(&a.cov, d);
    let m = matmul(&matmul(&s, &b.cov, d), &s, d);
    let sym: Vec<f64> = (0..d * d)
        .map(|i| 0.5 * (m[i] + m[(i % d) * d + i / d]))
        .collect();
    let cross = trace(&sqrt_psd(&sym, d));
    mean_term + trace(&a.cov) + trace(&b.cov) - 2.0 * cross
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinygan_core::rng::{Prng, gaussian};

    fn sample(seed: u64, n: usize) -> Vec<[f32; 6]> {
        let mut rng = Prng::new(seed);
        // Correlated, rank-deficient features (the last one is a copy), like dead ReLUs.
        (0..n)
            .map(|_| {
                let z: [f32; 5] = core::array::from_fn(|_| gaussian(&mut rng));
                [z[0], z[0] + z[1], 2.0 * z[2], z[3].max(0.0), z[4], z[4]]
            })
            .collect()
    }

    #[test]
    fn stats_by_hand() {
        let s = FeatureStats::fit(&[[1.0, 0.0], [3.0, 4.0]]);
        assert_eq!((s.n, s.mean.as_slice()), (2, &[2.0, 2.0][..]));
        assert_eq!(s.cov, [2.0, 4.0, 4.0, 8.0]);
    }

    #[test]
    fn distance_to_itself_is_zero_and_a_shift_adds_its_square() {
        let x = sample(1, 500);
        let a = FeatureStats::fit(&x);
        assert!(
            frechet_distance(&a, &a).abs() < 1e-6,
            "{}",
            frechet_distance(&a, &a)
        );
        let shift = [0.5f32, -1.0, 0.0, 2.0, 0.25, 0.25];
        let shifted: Vec<[f32; 6]> = x
            .iter()
            .map(|r| core::array::from_fn(|i| r[i] + shift[i]))
            .collect();
        let expected: f64 = shift.iter().map(|&v| f64::from(v).powi(2)).sum();
        let got = frechet_distance(&a, &FeatureStats::fit(&shifted));
        assert!((got - expected).abs() < 1e-5, "{got} vs {expected}");
    }

    #[test]
    fn diagonal_gaussians_by_hand() {
        // 1-D: (μ₁ − μ₂)² + (σ₁ − σ₂)².
        let a = FeatureStats {
            dim: 1,
            n: 2,
            mean: vec![1.0],
            cov: vec![4.0],
        };
        let b = FeatureStats {
            dim: 1,
            n: 2,
            mean: vec![-1.0],
            cov: vec![9.0],
        };
        assert!((frechet_distance(&a, &b) - (4.0 + 1.0)).abs() < 1e-12);
        let c = FeatureStats::fit(&sample(2, 500));
        let d = FeatureStats::fit(&sample(3, 500));
        let (cd, dc) = (frechet_distance(&c, &d), frechet_distance(&d, &c));
        // Singular covariances: the rounding eigenvalues (~1e-16) have square roots ~1e-8.
        assert!((cd - dc).abs() < 1e-6, "{cd} {dc}");
    }

    fn stats(mean: [f64; 2], cov: [f64; 4]) -> FeatureStats {
        FeatureStats {
            dim: 2,
            n: 2,
            mean: mean.to_vec(),
            cov: cov.to_vec(),
        }
    }

    /// Covariances that do not commute. For 2 × 2 positive semi-definite `A`, `B` the
    /// matrix `M = A^{1/2} B A^{1/2}` has `tr M = tr(AB)` and `det M = det A · det B`, and
    /// its eigenvalues `λ₁, λ₂` give `tr M^{1/2} = √λ₁ + √λ₂ = √(tr M + 2√det M)`.
    #[test]
    fn non_commuting_covariances_by_closed_form() {
        // A = [[2, 1], [1, 2]], B = diag(1, 4): AB = [[2, 4], [1, 8]] ≠ BA = [[2, 1], [4, 8]].
        // tr(AB) = 10, det A = 3, det B = 4; means (1, 0) and (0, 2): ‖Δμ‖² = 5.
        let a = stats([1.0, 0.0], [2.0, 1.0, 1.0, 2.0]);
        let b = stats([0.0, 2.0], [1.0, 0.0, 0.0, 4.0]);
        let want = 5.0 + 4.0 + 5.0 - 2.0 * (10.0 + 2.0 * 12.0f64.sqrt()).sqrt();
        for (x, y) in [(&a, &b), (&b, &a)] {
            let got = frechet_distance(x, y);
            assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        }
        // A singular: A = [[1, 1], [1, 1]] (det 0), B = diag(4, 1): tr(AB) = 5, same means.
        let a = stats([0.0, 0.0], [1.0, 1.0, 1.0, 1.0]);
        let b = stats([0.0, 0.0], [4.0, 0.0, 0.0, 1.0]);
        let want = 2.0 + 5.0 - 2.0 * 5.0f64.sqrt();
        for (x, y) in [(&a, &b), (&b, &a)] {
            let got = frechet_distance(x, y);
            assert!((got - want).abs() < 1e-7, "{got} vs {want}");
        }
    }
}
