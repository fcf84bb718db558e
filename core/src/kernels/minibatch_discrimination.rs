//! Minibatch-discrimination kernels, fused: no `B×B×K×D` difference tensor.
//!
//! Shapes: `x: [batch][inp]`, `t: [inp][k][d]` (the paper's `T ∈ R^{A×B×C}`), `y:
//! [batch][inp + k]`. Scratch: `m: [batch][d][k]` for `M = x T` stored kernel-minor, so
//! the pairwise loops run over the `k` kernels of one `d` index with unit stride and
//! vectorise; `row: [k][d]` for one sample in `T`'s order.
//!
//! Each unordered pair `i < j` is visited once (`c_b(i, j) = c_b(j, i)`): `k·d` absolute
//! differences and `k` exponentials, the result added to both `o_i` and `o_j`. The number
//! of kernels is the const parameter `K` of [`forward`] and [`backward`], so that the `k`
//! sums of a pair are one array in vector registers. Pairs go in blocks of one `i` and up
//! to 16 `j`: the block's distances first, then its exponentials (independent chains that
//! overlap), then the sums, with sample `i`'s kept in registers across the block (added
//! in the same order as pair by pair, so the same bits).

use super::dense;
use crate::math::exp_neg;

/// `m[n] = x[n] T`, written `[d][k]` (overwrites `m`); `row` is `[k][d]` scratch. The
/// product is the dense kernel's (`T` is a `[inp][k·d]` matrix), then each sample is
/// transposed in place.
fn project(x: &[f32], t: &[f32], m: &mut [f32], row: &mut [f32], inp: usize, k: usize) {
    let kd = row.len();
    dense::backward_input(t, x, m, kd, inp);
    for mn in m.chunks_exact_mut(kd) {
        row.copy_from_slice(mn);
        transpose(row, mn, k);
    }
}

/// `dst[c][r] = src[r][c]` for `src` with `rows` rows.
fn transpose(src: &[f32], dst: &mut [f32], rows: usize) {
    let cols = src.len() / rows;
    for (r, sr) in src.chunks_exact(cols).enumerate() {
        for (c, v) in sr.iter().enumerate() {
            dst[c * rows + r] = *v;
        }
    }
}

/// `(row i, rows j, j + 1, ...)` of `s` seen as rows of `len`, both mutable; needs `i < j`.
#[inline]
fn row_and_rest(s: &mut [f32], len: usize, i: usize, j: usize) -> (&mut [f32], &mut [f32]) {
    let (head, tail) = s.split_at_mut(j * len);
    (&mut head[i * len..][..len], tail)
}

/// `‖p_b − q_b‖₁` for each kernel `b`, for `p`, `q` in `[d][K]` layout. `K` is a
/// constant so that the `K` sums stay in vector registers.
#[inline(always)]
fn distance<const K: usize>(p: &[f32], q: &[f32]) -> [f32; K] {
    let mut c = [0.0; K];
    for (pr, qr) in p.chunks_exact(K).zip(q.chunks_exact(K)) {
        for ((s, a), b) in c.iter_mut().zip(pr).zip(qr) {
            *s += libm::fabsf(a - b);
        }
    }
    c
}

/// Pairs per block of [`for_pairs`]: their distances are summed first and exponentiated
/// together, so that the exponentials' long chains of dependent operations overlap.
const PAIRS: usize = 16;

/// Calls `f(i, j0, c)` for every pair `i < j < batch`, in order, in blocks of up to
/// [`PAIRS`] values of `j` from `j0`: `c[j − j0][b] = exp(−‖M_i,b − M_j,b‖₁)` for the rows of
/// `m` (of `kd` each, `[d][K]`). A block lets `f` keep sample `i`'s sums in registers
/// across its pairs.
#[inline(always)]
fn for_pairs<const K: usize>(
    m: &[f32],
    kd: usize,
    batch: usize,
    mut f: impl FnMut(usize, usize, &[[f32; K]]),
) {
    let mut c = [[0.0f32; K]; PAIRS];
    for i in 0..batch {
        let mi = &m[i * kd..][..kd];
        for j0 in (i + 1..batch).step_by(PAIRS) {
            let c = &mut c[..PAIRS.min(batch - j0)];
            for (cj, j) in c.iter_mut().zip(j0..) {
                *cj = distance::<K>(mi, &m[j * kd..][..kd]);
            }
            for cj in c.iter_mut() {
                for v in cj.iter_mut() {
                    *v = exp_neg(*v);
                }
            }
            f(i, j0, c);
        }
    }
}

/// `y[n] = (x[n], o[n])` with `o[n][b] = Σ_{j≠n} exp(−‖M_n,b − M_j,b‖₁)`; `m` and `row`
/// are scratch.
pub fn forward<const K: usize>(
    x: &[f32],
    t: &[f32],
    (m, row): (&mut [f32], &mut [f32]),
    y: &mut [f32],
    inp: usize,
) {
    let (kd, out) = (row.len(), inp + K);
    project(x, t, m, row, inp, K);
    for (xn, yn) in x.chunks_exact(inp).zip(y.chunks_exact_mut(out)) {
        yn[..inp].copy_from_slice(xn);
        yn[inp..].fill(0.0);
    }
    for_pairs::<K>(m, kd, x.len() / inp, |i, j0, c| {
        let (yi, rest) = row_and_rest(y, out, i, j0);
        let mut oi: [f32; K] = yi[inp..].try_into().expect("K outputs");
        for (yj, cj) in rest.chunks_exact_mut(out).zip(c) {
            for ((oi, oj), cb) in oi.iter_mut().zip(&mut yj[inp..]).zip(cj) {
                *oi += cb;
                *oj += cb;
            }
        }
        yi[inp..].copy_from_slice(&oi);
    });
}

/// Backward of [`forward`]: `dx` (overwritten) and, if `dt` is given, `dt += ∂L/∂T`;
/// `m`, `dm` (both of `m`'s size) and `row` are scratch.
///
/// For a pair `i < j` and kernel `b`, `∂L/∂‖·‖₁ = −c_b(i, j)·(dy_i[o_b] + dy_j[o_b])`,
/// spread as `± sign(M_i − M_j)` (with `sign(0) = 0`) into `dM_i` and `dM_j`; then
/// `dx[n] = dy[n][..inp] + T dM[n]` and `dT += Σ_n x[n]ᵀ dM[n]`.
#[allow(clippy::too_many_arguments)]
pub fn backward<const K: usize>(
    x: &[f32],
    t: &[f32],
    dy: &[f32],
    (m, dm, row): (&mut [f32], &mut [f32], &mut [f32]),
    dx: &mut [f32],
    dt: Option<&mut [f32]>,
    inp: usize,
) {
    let (kd, out) = (row.len(), inp + K);
    project(x, t, m, row, inp, K);
    dm.fill(0.0);
    for_pairs::<K>(m, kd, x.len() / inp, |i, j0, c| {
        // w[j − j0][b] = −c_b(i, j)·(dy_i[o_b] + dy_j[o_b]).
        let mut w = [[0.0f32; K]; PAIRS];
        let gi = &dy[i * out + inp..][..K];
        for ((wj, cj), j) in w.iter_mut().zip(c).zip(j0..) {
            let gj = &dy[j * out + inp..][..K];
            for (((wb, cb), a), b) in wj.iter_mut().zip(cj).zip(gi).zip(gj) {
                *wb = cb * -(a + b);
            }
        }
        let (dmi, rest) = row_and_rest(dm, kd, i, j0);
        for r0 in (0..kd).step_by(K) {
            let p = &m[i * kd + r0..][..K];
            let mut dp: [f32; K] = dmi[r0..][..K].try_into().expect("K sums");
            for ((wj, j), dmj) in w[..c.len()].iter().zip(j0..).zip(rest.chunks_exact_mut(kd)) {
                let q = &m[j * kd + r0..][..K];
                // w with the sign of M_i − M_j, or 0 where they are equal.
                let g: [f32; K] = core::array::from_fn(|b| {
                    let diff = p[b] - q[b];
                    let signed = f32::from_bits(wj[b].to_bits() ^ (diff.to_bits() & 0x8000_0000));
                    if diff != 0.0 { signed } else { 0.0 }
                });
                for ((dpv, dqv), gb) in dp.iter_mut().zip(&mut dmj[r0..][..K]).zip(g) {
                    *dpv += gb;
                    *dqv -= gb;
                }
            }
            dmi[r0..][..K].copy_from_slice(&dp);
        }
    });
    // dM back to T's [k][d] order, then two dense products over the whole batch.
    for dmn in dm.chunks_exact_mut(kd) {
        transpose(dmn, row, kd / K);
        dmn.copy_from_slice(row);
    }
    dense::product(t, dm, dx, kd, inp);
    for (dxn, dyn_) in dx.chunks_exact_mut(inp).zip(dy.chunks_exact(out)) {
        for (dxa, ga) in dxn.iter_mut().zip(dyn_) {
            *dxa += ga;
        }
    }
    if let Some(dt) = dt {
        dense::backward_weights(dm, x, dt, kd, inp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_swaps_indices() {
        let mut d = [0.0; 6];
        transpose(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &mut d, 2);
        assert_eq!(d, [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    }
}
