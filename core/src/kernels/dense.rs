//! Dense (fully connected) kernels.
//!
//! Shapes: `w: [out][inp]`, `b: [out]`, `x: [batch][inp]`, `y: [batch][out]`.
//!
//! Each kernel is a matrix product run as register tiles of [`ROWS`] rows by [`LANES`]
//! vector lanes (`kernels::tile::gemm`), with the lanes along a dimension that is
//! contiguous in memory:
//! - forward: lanes over outputs, rows over samples, summing over inputs; the weights are
//!   read across rows (`w[o..o + LANES][i]`), so a panel of [`DEPTH`] inputs by `LANES`
//!   outputs is first copied, transposed, to the stack (4 KiB);
//! - input gradient: lanes over inputs, rows over samples, summing over outputs;
//! - weight gradient: lanes over inputs, rows over outputs, summing over samples.
//!
//! Every output element is summed in the same order as in [`reference`](mod@reference) (start from 0,
//! add the products in index order, then the bias), so the results are bit-identical to
//! the plain loops whatever the tile sizes and the vector width of the target.

use super::tile::{gemm, in_blocks, load, store};

/// Rows of a register tile (samples, or outputs for the weight gradient).
pub const ROWS: usize = 4;
/// Lanes of a register tile (one AVX-512 register, four NEON or SSE registers).
pub const LANES: usize = 16;
/// Inputs per transposed weight panel in [`forward`].
pub const DEPTH: usize = 64;
/// Whether the tiled kernels run: on 64-bit hosts. 32-bit microcontrollers run the
/// [`reference`](mod@reference) loops, which give the same bits without a 4 KiB stack
/// panel and which the compiler specialises better for small batches (a `Dense<32, 32>`
/// forward of one sample: 2.6 instructions per MAC on a Cortex-M4F, against 10.3 tiled).
const TILED: bool = cfg!(target_pointer_width = "64");

/// `y[n][o] = b[o] + Σ_i w[o][i] · x[n][i]`: [`product`], then the bias.
pub fn forward(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], inp: usize, out: usize) {
    product(w, x, y, inp, out);
    add_bias(b, y);
}

/// `y[n][o] = Σ_i w[o][i] · x[n][i]` (`y = x·wᵀ`, overwrites `y`).
pub fn product(w: &[f32], x: &[f32], y: &mut [f32], inp: usize, out: usize) {
    debug_assert_eq!(w.len(), inp * out);
    if !TILED {
        return reference::product(w, x, y, inp, out);
    }
    y.fill(0.0);
    for i0 in (0..inp).step_by(DEPTH) {
        let depth = DEPTH.min(inp - i0);
        in_blocks!(out, LANES, |o0, L| forward_panel::<L>(
            w, x, y, inp, out, i0, depth, o0
        ));
    }
}

/// `y[n][o] += b[o]` for every sample `n`.
fn add_bias(b: &[f32], y: &mut [f32]) {
    for yn in y.chunks_exact_mut(b.len().max(1)) {
        for (yo, bo) in yn.iter_mut().zip(b) {
            *yo += bo;
        }
    }
}

/// Inputs `i0..i0 + depth`, outputs `o0..o0 + L`, all samples: `y += x · wᵀ`, with that
/// block of `w` copied transposed to the stack first.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn forward_panel<const L: usize>(
    w: &[f32],
    x: &[f32],
    y: &mut [f32],
    inp: usize,
    out: usize,
    i0: usize,
    depth: usize,
    o0: usize,
) {
    let wo: [&[f32]; L] = core::array::from_fn(|l| &w[(o0 + l) * inp + i0..][..depth]);
    let mut panel = [[0.0; L]; DEPTH];
    for (k, p) in panel[..depth].iter_mut().enumerate() {
        *p = core::array::from_fn(|l| wo[l][k]);
    }
    let panel = &panel[..depth];
    let batch = y.len() / out;
    in_blocks!(batch, ROWS, |n, R| {
        let rows: [&[f32]; R] = core::array::from_fn(|r| &x[(n + r) * inp + i0..][..depth]);
        let mut acc: [[f32; L]; R] = core::array::from_fn(|r| load(&y[(n + r) * out..], o0));
        gemm(&mut acc, depth, |r, k| rows[r][k], |k| panel[k]);
        for (r, acc_r) in acc.iter().enumerate() {
            store(&mut y[(n + r) * out..], o0, acc_r);
        }
    });
}

/// `dx[n][i] = Σ_o dy[n][o] · w[o][i]` (overwrites `dx`).
pub fn backward_input(w: &[f32], dy: &[f32], dx: &mut [f32], inp: usize, out: usize) {
    if !TILED {
        return reference::backward_input(w, dy, dx, inp, out);
    }
    let batch = dx.len().checked_div(inp).unwrap_or(0);
    in_blocks!(inp, LANES, |i0, L| in_blocks!(batch, ROWS, |n, R| {
        let rows: [&[f32]; R] = core::array::from_fn(|r| &dy[(n + r) * out..][..out]);
        let mut acc = [[0.0; L]; R];
        gemm(
            &mut acc,
            out,
            |r, o| rows[r][o],
            |o| load(&w[o * inp..], i0),
        );
        for (r, acc_r) in acc.iter().enumerate() {
            store(&mut dx[(n + r) * inp..], i0, acc_r);
        }
    }));
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
    backward_weights(x, dy, dw, inp, out);
    for dyn_ in dy.chunks_exact(out.max(1)) {
        for (dbo, g) in db.iter_mut().zip(dyn_) {
            *dbo += g;
        }
    }
}

/// `dw[o][i] += Σ_n dy[n][o] · x[n][i]` (`dw += dyᵀ·x`).
pub fn backward_weights(x: &[f32], dy: &[f32], dw: &mut [f32], inp: usize, out: usize) {
    if !TILED {
        return reference::backward_weights(x, dy, dw, inp, out);
    }
    let batch = dy.len().checked_div(out).unwrap_or(0);
    in_blocks!(inp, LANES, |i0, L| in_blocks!(out, ROWS, |o, R| {
        let mut acc: [[f32; L]; R] = core::array::from_fn(|r| load(&dw[(o + r) * inp..], i0));
        gemm(
            &mut acc,
            batch,
            |r, n| dy[n * out + o + r],
            |n| load(&x[n * inp..], i0),
        );
        for (r, acc_r) in acc.iter().enumerate() {
            store(&mut dw[(o + r) * inp..], i0, acc_r);
        }
    }));
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

/// The plain loops: the definition the tiled kernels are tested against.
pub mod reference {
    use super::{axpy, dot};

    /// `y[n][o] = b[o] + Σ_i w[o][i] · x[n][i]`.
    pub fn forward(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], inp: usize, out: usize) {
        product(w, x, y, inp, out);
        super::add_bias(b, y);
    }

    /// `y[n][o] = Σ_i w[o][i] · x[n][i]`.
    pub fn product(w: &[f32], x: &[f32], y: &mut [f32], inp: usize, out: usize) {
        for (xn, yn) in x.chunks_exact(inp).zip(y.chunks_exact_mut(out)) {
            for (yo, wo) in yn.iter_mut().zip(w.chunks_exact(inp)) {
                *yo = dot(wo, xn);
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
        backward_weights(x, dy, dw, inp, out);
        for dyn_ in dy.chunks_exact(out.max(1)) {
            for (dbo, g) in db.iter_mut().zip(dyn_) {
                *dbo += g;
            }
        }
    }

    /// `dw[o][i] += Σ_n dy[n][o] · x[n][i]`.
    pub fn backward_weights(x: &[f32], dy: &[f32], dw: &mut [f32], inp: usize, out: usize) {
        for (xn, dyn_) in x.chunks_exact(inp).zip(dy.chunks_exact(out)) {
            for (g, dwo) in dyn_.iter().zip(dw.chunks_exact_mut(inp)) {
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

    /// The tiled kernels give bit-identical results to the reference (same summation
    /// order), for sizes that exercise full tiles, leftover samples, leftover lanes and
    /// depths over one panel.
    #[test]
    fn tiled_kernels_equal_reference() {
        for (batch, inp, out) in [(9, 19, 5), (4, 8, 3), (1, 3, 2), (13, 40, 17), (6, 150, 37)] {
            let (w, b) = (random(inp * out, 1), random(out, 2));
            let (x, dy) = (random(batch * inp, 3), random(batch * out, 4));
            let (mut y, mut y_ref) = (vec![1.0; batch * out], vec![2.0; batch * out]);
            forward(&w, &b, &x, &mut y, inp, out);
            reference::forward(&w, &b, &x, &mut y_ref, inp, out);
            assert_eq!(y, y_ref, "forward {batch}×{inp}→{out}");

            let (mut dx, mut dx_ref) = (vec![1.0; batch * inp], vec![2.0; batch * inp]);
            backward_input(&w, &dy, &mut dx, inp, out);
            reference::backward_input(&w, &dy, &mut dx_ref, inp, out);
            assert_eq!(dx, dx_ref, "input gradient {batch}×{inp}→{out}");

            let (mut dw, mut dw_ref) = (random(inp * out, 5), random(inp * out, 5));
            let (mut db, mut db_ref) = (random(out, 6), random(out, 6));
            backward_params(&x, &dy, &mut dw, &mut db, inp, out);
            reference::backward_params(&x, &dy, &mut dw_ref, &mut db_ref, inp, out);
            assert_eq!(dw, dw_ref, "weight gradient {batch}×{inp}→{out}");
            assert_eq!(db, db_ref, "bias gradient {batch}×{inp}→{out}");
        }
    }
}
