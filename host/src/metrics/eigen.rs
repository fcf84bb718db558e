//! Symmetric eigen-decomposition (cyclic Jacobi) and the square root of a positive
//! semi-definite matrix, in f64, for the Fréchet distance.
//!
//! Matrices are row-major `n × n` slices.

/// Sweeps before giving up; Jacobi converges quadratically, 128 × 128 takes about 10.
const MAX_SWEEPS: usize = 60;

/// `a = V diag(values) Vᵀ` for a symmetric `a`.
#[derive(Clone, Debug, PartialEq)]
pub struct SymEigen {
    /// Eigenvalues, in no particular order.
    pub values: Vec<f64>,
    /// Eigenvectors as the columns of a row-major `n × n` matrix: `vectors[i * n + j]` is
    /// component `i` of eigenvector `j`.
    pub vectors: Vec<f64>,
    /// Sweeps run before the off-diagonal mass fell below the bar ([`MAX_SWEEPS`] if it
    /// never did).
    pub sweeps: usize,
}

/// Eigen-decomposition of the symmetric `n × n` matrix `a` by cyclic Jacobi rotations:
/// each rotation `a ← Jᵀ a J` zeroes one off-diagonal pair, until the off-diagonal mass
/// is below 10⁻³⁰ of the total (about machine precision on the entries).
pub fn sym_eigen(a: &[f64], n: usize) -> SymEigen {
    assert_eq!(a.len(), n * n, "sym_eigen needs an n × n matrix");
    let mut a = a.to_vec();
    let mut v: Vec<f64> = (0..n * n)
        .map(|i| f64::from(u8::from(i % (n + 1) == 0)))
        .collect();
    let total: f64 = a.iter().map(|x| x * x).sum();
    let mut sweeps = 0;
    while sweeps < MAX_SWEEPS {
        let off: f64 = (0..n * n)
            .filter(|i| i / n != i % n)
            .map(|i| a[i] * a[i])
            .sum();
        if off <= 1e-30 * total {
            break;
        }
        sweeps += 1;
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                // t = tan φ, the smaller root of t² + 2θt − 1 = 0, zeroes a[p][q].
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + theta.hypot(1.0));
                let c = 1.0 / t.hypot(1.0);
                let s = t * c;
                let rotate = |x: &mut [f64], i: usize, j: usize| {
                    let (xi, xj) = (x[i], x[j]);
                    x[i] = c * xi - s * xj;
                    x[j] = s * xi + c * xj;
                };
                for k in 0..n {
                    rotate(&mut a, k * n + p, k * n + q);
                    rotate(&mut v, k * n + p, k * n + q);
                }
                for k in 0..n {
                    rotate(&mut a, p * n + k, q * n + k);
                }
            }
        }
    }
    SymEigen {
        values: (0..n).map(|i| a[i * n + i]).collect(),
        vectors: v,
        sweeps,
    }
}

/// `V diag(√max(λ, 0)) Vᵀ`: the square root of a symmetric positive semi-definite matrix
/// (eigenvalues that rounding made slightly negative count as 0).
pub fn sqrt_psd(a: &[f64], n: usize) -> Vec<f64> {
    let e = sym_eigen(a, n);
    let roots: Vec<f64> = e.values.iter().map(|l| l.max(0.0).sqrt()).collect();
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            out[i * n + j] = (0..n)
                .map(|k| e.vectors[i * n + k] * roots[k] * e.vectors[j * n + k])
                .sum();
        }
    }
    out
}

/// `a b` for row-major `n × n` matrices.
pub fn matmul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * n];
    for (oi, ai) in out.chunks_exact_mut(n).zip(a.chunks_exact(n)) {
        for (aik, bk) in ai.iter().zip(b.chunks_exact(n)) {
            oi.iter_mut().zip(bk).for_each(|(o, b)| *o += aik * b);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinygan_core::rng::{Prng, gaussian};

    fn close(a: &[f64], b: &[f64], tol: f64) {
        let err = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(err < tol, "max error {err}");
    }

    #[test]
    fn two_by_two_by_hand() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3, eigenvectors (1, ∓1)/√2.
        let e = sym_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
        let mut values = e.values.clone();
        values.sort_by(f64::total_cmp);
        close(&values, &[1.0, 3.0], 1e-14);
        close(
            &[e.vectors[0].abs(), e.vectors[2].abs()],
            &[0.5f64.sqrt(); 2],
            1e-14,
        );
        close(
            &sqrt_psd(&[4.0, 0.0, 0.0, 9.0], 2),
            &[2.0, 0.0, 0.0, 3.0],
            1e-15,
        );
    }

    /// The stopping rule compares the off-diagonal mass `Σ_{i≠j} a_ij²` with `10⁻³⁰ Σ a_ij²`:
    /// one rotation diagonalises a 2 × 2 matrix to rounding, whatever the signs of its
    /// entries or zeros on its diagonal, so one sweep is run; a diagonal matrix needs none.
    #[test]
    fn stops_once_the_off_diagonal_mass_is_gone() {
        for a in [
            [2.0, 1.0, 1.0, 2.0],
            [-2.0, 1.0, 1.0, -2.0],
            [0.0, 1.0, 1.0, 0.0],
        ] {
            assert_eq!(sym_eigen(&a, 2).sweeps, 1, "{a:?}");
        }
        assert_eq!(sym_eigen(&[3.0, 0.0, 0.0, -1.0], 2).sweeps, 0);
    }

    #[test]
    fn reconstructs_a_random_covariance() {
        let n = 20;
        let mut rng = Prng::new(9);
        let x: Vec<f64> = (0..n * n).map(|_| f64::from(gaussian(&mut rng))).collect();
        let xt: Vec<f64> = (0..n * n).map(|i| x[(i % n) * n + i / n]).collect();
        let c = matmul(&x, &xt, n);
        let r = sqrt_psd(&c, n);
        close(&matmul(&r, &r, n), &c, 1e-9);
        let e = sym_eigen(&c, n);
        let vt: Vec<f64> = (0..n * n).map(|i| e.vectors[(i % n) * n + i / n]).collect();
        let identity: Vec<f64> = (0..n * n)
            .map(|i| f64::from(u8::from(i % (n + 1) == 0)))
            .collect();
        close(&matmul(&vt, &e.vectors, n), &identity, 1e-12);
    }
}
