//! Dense (fully connected) kernels.
//!
//! Shapes: `w: [out][inp]`, `b: [out]`, `x: [batch][inp]`, `y: [batch][out]`.
//!
//! The kernels work on blocks of [`ROWS`] samples so that each weight row is loaded once
//! per block, and sum in [`LANES`] independent partial sums that the compiler maps onto
//! vector registers. [`reference`] holds the plain loops they are tested against
//! (f32 results agree to rounding: the summation order differs).

/// Samples processed together (each weight row is loaded once per block).
pub const ROWS: usize = 4;
/// Independent partial sums in a dot product (one vector register on most targets).
pub const LANES: usize = 8;

/// `y[n][o] = b[o] + Σ_i w[o][i] · x[n][i]`.
pub fn forward(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], inp: usize, out: usize) {
    debug_assert_eq!(w.len(), inp * out);
    let mut xs = x.chunks_exact(ROWS * inp);
    let mut ys = y.chunks_exact_mut(ROWS * out);
    for (xb, yb) in (&mut xs).zip(&mut ys) {
        let xr: [&[f32]; ROWS] = core::array::from_fn(|r| &xb[r * inp..(r + 1) * inp]);
        for (o, (wo, bo)) in w.chunks_exact(inp).zip(b).enumerate() {
            let d = dot_rows(wo, xr);
            for r in 0..ROWS {
                yb[r * out + o] = bo + d[r];
            }
        }
    }
    reference::forward(w, b, xs.remainder(), ys.into_remainder(), inp, out);
}

/// `dx[n][i] = Σ_o dy[n][o] · w[o][i]` (overwrites `dx`).
pub fn backward_input(w: &[f32], dy: &[f32], dx: &mut [f32], inp: usize, out: usize) {
    let mut dys = dy.chunks_exact(ROWS * out);
    let mut dxs = dx.chunks_exact_mut(ROWS * inp);
    for (dyb, dxb) in (&mut dys).zip(&mut dxs) {
        dxb.fill(0.0);
        for (o, wo) in w.chunks_exact(inp).enumerate() {
            let g: [f32; ROWS] = core::array::from_fn(|r| dyb[r * out + o]);
            axpy_rows(g, wo, dxb);
        }
    }
    reference::backward_input(w, dys.remainder(), dxs.into_remainder(), inp, out);
}

/// `dw[o][i] += Σ_n dy[n][o] · x[n][i]`, `db[o] += Σ_n dy[n][o]`.
pub fn backward_params(
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
    inp: usize,
    out: usize,
) {
    let mut xs = x.chunks_exact(ROWS * inp);
    let mut dys = dy.chunks_exact(ROWS * out);
    for (xb, dyb) in (&mut xs).zip(&mut dys) {
        for (o, (dwo, dbo)) in dw.chunks_exact_mut(inp).zip(db.iter_mut()).enumerate() {
            let g: [f32; ROWS] = core::array::from_fn(|r| dyb[r * out + o]);
            *dbo += g.iter().sum::<f32>();
            gather_rows(g, xb, dwo);
        }
    }
    reference::backward_params(xs.remainder(), dys.remainder(), dw, db, inp, out);
}

/// `[Σ_i a[i]·x_r[i] for r in 0..ROWS]`, with `LANES` partial sums per row.
#[inline]
fn dot_rows(a: &[f32], x: [&[f32]; ROWS]) -> [f32; ROWS] {
    let (ac, a_tail) = a.as_chunks::<LANES>();
    let m = ac.len();
    let xc: [&[[f32; LANES]]; ROWS] = x.map(|xr| &xr.as_chunks::<LANES>().0[..m]);
    let n = m * LANES;
    let mut acc = [[0.0f32; LANES]; ROWS];
    for (k, ak) in ac.iter().enumerate() {
        for r in 0..ROWS {
            let xk = &xc[r][k];
            for l in 0..LANES {
                acc[r][l] += ak[l] * xk[l];
            }
        }
    }
    core::array::from_fn(|r| acc[r].iter().sum::<f32>() + dot(a_tail, &x[r][n..]))
}

/// `dx_r += g[r] · w` for each of the `ROWS` rows of `dx` (`[ROWS][len]` flat).
#[inline]
fn axpy_rows(g: [f32; ROWS], w: &[f32], dx: &mut [f32]) {
    let len = w.len();
    for (r, dxr) in dx.chunks_exact_mut(len).enumerate() {
        axpy(g[r], w, dxr);
    }
}

/// `d += Σ_r g[r] · x_r` where `x` is `[ROWS][len]` flat.
#[inline]
fn gather_rows(g: [f32; ROWS], x: &[f32], d: &mut [f32]) {
    let len = d.len();
    for (i, di) in d.iter_mut().enumerate() {
        let mut s = 0.0;
        for r in 0..ROWS {
            s += g[r] * x[r * len + i];
        }
        *di += s;
    }
}

/// `Σ_i a[i] · b[i]`, summed left to right.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).fold(0.0, |s, (p, q)| s + p * q)
}

/// `y[i] += a · x[i]`.
#[inline]
pub fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// The plain loops: the definition the blocked kernels are tested against, and what they
/// use for the samples left over after the last full block.
pub mod reference {
    use super::{axpy, dot};

    /// `y[n][o] = b[o] + Σ_i w[o][i] · x[n][i]`.
    pub fn forward(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], inp: usize, out: usize) {
        for (xn, yn) in x.chunks_exact(inp).zip(y.chunks_exact_mut(out)) {
            for ((yo, wo), bo) in yn.iter_mut().zip(w.chunks_exact(inp)).zip(b) {
                *yo = bo + dot(wo, xn);
            }
        }
    }

    /// `dx[n][i] = Σ_o dy[n][o] · w[o][i]` (overwrites `dx`).
    pub fn backward_input(w: &[f32], dy: &[f32], dx: &mut [f32], inp: usize, out: usize) {
        for (dyn_, dxn) in dy.chunks_exact(out).zip(dx.chunks_exact_mut(inp)) {
            dxn.fill(0.0);
            for (g, wo) in dyn_.iter().zip(w.chunks_exact(inp)) {
                axpy(*g, wo, dxn);
            }
        }
    }

    /// `dw[o][i] += Σ_n dy[n][o] · x[n][i]`, `db[o] += Σ_n dy[n][o]`.
    pub fn backward_params(
        x: &[f32],
        dy: &[f32],
        dw: &mut [f32],
        db: &mut [f32],
        inp: usize,
        out: usize,
    ) {
        for (xn, dyn_) in x.chunks_exact(inp).zip(dy.chunks_exact(out)) {
            for ((g, dwo), dbo) in dyn_.iter().zip(dw.chunks_exact_mut(inp)).zip(db.iter_mut()) {
                *dbo += g;
                axpy(*g, xn, dwo);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Prng, fill_gaussian};
    use std::vec;
    use std::vec::Vec;

    fn random(n: usize, seed: u64) -> Vec<f32> {
        let mut v = vec![0.0; n];
        fill_gaussian(&mut Prng::new(seed), &mut v);
        v
    }

    fn assert_close(a: &[f32], b: &[f32]) {
        for (i, (p, q)) in a.iter().zip(b).enumerate() {
            assert!((p - q).abs() <= 1e-4 * (1.0 + q.abs()), "[{i}]: {p} vs {q}");
        }
    }

    /// Blocked kernels agree with the reference to rounding, for sizes that exercise the
    /// full blocks, the leftover samples and the leftover lanes.
    #[test]
    fn blocked_kernels_match_reference() {
        for (batch, inp, out) in [(9, 19, 5), (4, 8, 3), (1, 3, 2), (13, 40, 17)] {
            let (w, b) = (random(inp * out, 1), random(out, 2));
            let (x, dy) = (random(batch * inp, 3), random(batch * out, 4));
            let (mut y, mut y_ref) = (vec![0.0; batch * out], vec![0.0; batch * out]);
            forward(&w, &b, &x, &mut y, inp, out);
            reference::forward(&w, &b, &x, &mut y_ref, inp, out);
            assert_close(&y, &y_ref);

            let (mut dx, mut dx_ref) = (vec![1.0; batch * inp], vec![2.0; batch * inp]);
            backward_input(&w, &dy, &mut dx, inp, out);
            reference::backward_input(&w, &dy, &mut dx_ref, inp, out);
            assert_close(&dx, &dx_ref);

            let (mut dw, mut dw_ref) = (random(inp * out, 5), random(inp * out, 5));
            let (mut db, mut db_ref) = (random(out, 6), random(out, 6));
            backward_params(&x, &dy, &mut dw, &mut db, inp, out);
            reference::backward_params(&x, &dy, &mut dw_ref, &mut db_ref, inp, out);
            assert_close(&dw, &dw_ref);
            assert_close(&db, &db_ref);
        }
    }
}
