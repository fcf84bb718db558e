//! Strided convolutions with the batch's samples in the vector lanes: no gather per tap.
//!
//! For a group of [`PT`] samples `n0..n0 + PT`, copy their inputs into rows of one
//! vector each, `xt[r][l] = x[n0 + l][r]` for the pixels `r` of a chunk of input
//! channels, plus one zero row `Z` after them. Tap `(ci, i, j)` of output position
//! `q = (oy, ox)` then reads the whole row `xt[r(q, d)]`, where
//! `r(q, d) = ci·h·w + iy·w + ix` with `iy = oy·sh + i − ph`, `ix = ox·sw + j − pw`, or
//! `Z` in the padding: one vector load per tap for all the group's samples, whatever the
//! stride. The outputs are transposed the same way (`yt[co·oh·ow + q][l]`):
//! - forward: `yt[co, q] += Σ_d w[co][d] · xt[r(q, d)]`, each output starting from its
//!   value in `y` (or from the bias) and adding the taps in order `d`, as the tiled path
//!   does (same bits);
//! - input gradient: `xt[r(q, d)] += Σ_co w[co][d] · dyt[co, q]` into a zeroed `xt`
//!   (the zero row takes the padding taps' sums and is never read back), then added to
//!   `dx`;
//! - weight gradient: `dw[co][d] += Σ_q dyt[co, q] · xt[r(q, d)]`, summed over `q` in the
//!   lanes and then across the lanes, pairwise, once per [`GROUPS`] groups.
//!
//! The copies cost `cin·h·w + cout·oh·ow` moves a sample where the tiled path gathers
//! `cin·kh·kw · oh·ow` elements one by one (and a plain move is cheaper than an indexed,
//! bounds-checked gather), so every strided shape takes this path for batches of at least
//! [`PT`] samples (a partial last group runs with its dead lanes zero). Stride-1 shapes
//! go to the wide rows, which need no copies at all.
//!
//! The input gradient (a transposed convolution's forward) sums in its own order: partial
//! sums over chunks of output channels, added to a zeroed `xt` position by position. So
//! that a sample's bits do not depend on the batch it comes in, batches under [`PT`]
//! samples run the same loops with one lane ([`Batched<1>`](Batched)): the same sums in
//! the same order, which is what a board generating one sample at a time computes.
//!
//! Input and output planes are taken [`CHUNK`] rows at a time, in whole channels: the
//! same constant on every target, so that the input gradient's sums (whose order follows
//! the chunks) are bit-identical on the host and the boards (the taps' blocks of
//! [`ROWS`], which differ, do not change any order). Stack use: two buffers of
//! `CHUNK` rows of [`PT`] floats (32 KiB), four in the weight gradient (64 KiB); with one
//! lane, two buffers of `CHUNK` floats (2 KiB). The forward and weight gradient of batches
//! under [`PT`] samples take the tiled path, whose two panels are 4 KiB on the boards.

use super::super::tile::{gemm, in_blocks};
use super::{BLOCK, ConvShape, PT, ROWS, taps};

/// Rows (pixels of a group's samples) per buffer.
const CHUNK: usize = 256;

/// Groups of [`PT`] samples that the weight gradient sums in the lanes before it sums
/// across them: fewer of those sums for small output planes, whose few positions give
/// each lane little to add.
const GROUPS: usize = 2;

/// A buffer of `L` lanes: [`CHUNK`] rows and the zero row.
type Rows<const L: usize> = [[f32; L]; CHUNK + 1];

/// A strided shape whose batch runs with `L` samples in the lanes (`L` = [`PT`], or 1 for
/// batches under [`PT`] samples: the same loops, so the same sums in the same order).
#[derive(Clone, Copy)]
pub(super) struct Batched<const L: usize> {
    /// Samples in the batch.
    batch: usize,
}

impl<const L: usize> Batched<L> {
    /// `Some` if `s` is strided, the batch has at least `L` samples and one input and
    /// one output plane each fit in [`CHUNK`] rows.
    pub(super) fn of(s: &ConvShape, batch: usize) -> Option<Self> {
        let strided = s.sh > 1 || s.sw > 1;
        let fits = s.h * s.w <= CHUNK && s.oh * s.ow <= CHUNK;
        (strided && batch >= L && fits).then_some(Self { batch })
    }

    /// `y[n] += conv(x[n])` without bias (the tiled `correlate`, same bits).
    pub(super) fn correlate(&self, s: &ConvShape, w: &[f32], x: &[f32], y: &mut [f32]) {
        self.correlate_from(s, w, None, x, y);
    }

    /// `y[n] = b + conv(x[n])`: [`Batched::correlate`] from the bias instead of `y`
    /// (the tiled path's bits for a `y` filled with `b`), without reading `y`.
    pub(super) fn forward(&self, s: &ConvShape, w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
        self.correlate_from(s, w, Some(b), x, y);
    }

    /// `y[n] = start + conv(x[n])` with `start` the bias `b[co]` if given, else `y[n]`.
    fn correlate_from(
        &self,
        s: &ConvShape,
        w: &[f32],
        b: Option<&[f32]>,
        x: &[f32],
        y: &mut [f32],
    ) {
        let (depth, kk, plane) = (s.cin * s.kh * s.kw, s.kh * s.kw, s.oh * s.ow);
        let mut xt: Rows<L> = [[0.0; L]; CHUNK + 1];
        let mut yt: Rows<L> = [[0.0; L]; CHUNK + 1];
        let mut index = [0; ROWS];
        for n0 in (0..self.batch).step_by(L) {
            for (o0, on) in chunks(s.cout, plane) {
                let yt = &mut yt[..on * plane];
                match b {
                    Some(b) => {
                        for (channel, bc) in yt.chunks_exact_mut(plane).zip(&b[o0..]) {
                            channel.fill([*bc; L]);
                        }
                    }
                    None => to_lanes(y, s.out_len(), n0, o0 * plane, yt),
                }
                for (c0, cn) in chunks(s.cin, s.h * s.w) {
                    let zero = inputs_to_lanes(s, x, n0, (c0, cn), &mut xt);
                    let (d0, dn) = (c0 * kk, cn * kk);
                    for q in 0..plane {
                        for k0 in (0..dn).step_by(ROWS) {
                            let kn = ROWS.min(dn - k0);
                            rows(s, q, k0, zero, &mut index[..kn]);
                            in_blocks!(on, BLOCK, |co, R| {
                                let wr: [&[f32]; R] = core::array::from_fn(|r| {
                                    &w[(o0 + co + r) * depth + d0 + k0..][..kn]
                                });
                                let mut acc: [[f32; L]; R] =
                                    core::array::from_fn(|r| yt[(co + r) * plane + q]);
                                gemm(&mut acc, kn, |r, k| wr[r][k], |k| xt[index[k]]);
                                for (r, acc_r) in acc.into_iter().enumerate() {
                                    yt[(co + r) * plane + q] = acc_r;
                                }
                            });
                        }
                    }
                }
                from_lanes(yt, n0, o0 * plane, s.out_len(), y, |o, v| *o = v);
            }
        }
    }

    /// `x[n] += convᵀ(y[n])`: the adjoint of [`Batched::correlate`].
    pub(super) fn correlate_adjoint(&self, s: &ConvShape, w: &[f32], y: &[f32], x: &mut [f32]) {
        let (depth, kk, plane) = (s.cin * s.kh * s.kw, s.kh * s.kw, s.oh * s.ow);
        let mut xt: Rows<L> = [[0.0; L]; CHUNK + 1];
        let mut yt: Rows<L> = [[0.0; L]; CHUNK + 1];
        let mut index = [0; ROWS];
        for n0 in (0..self.batch).step_by(L) {
            for (c0, cn) in chunks(s.cin, s.h * s.w) {
                let zero = cn * s.h * s.w;
                xt[..=zero].fill([0.0; L]);
                let (d0, dn) = (c0 * kk, cn * kk);
                for (o0, on) in chunks(s.cout, plane) {
                    let yt = &mut yt[..on * plane];
                    to_lanes(y, s.out_len(), n0, o0 * plane, yt);
                    for q in 0..plane {
                        for k0 in (0..dn).step_by(ROWS) {
                            let kn = ROWS.min(dn - k0);
                            rows(s, q, k0, zero, &mut index[..kn]);
                            in_blocks!(kn, BLOCK, |k, R| {
                                let mut acc = [[0.0f32; L]; R];
                                let wt = |r: usize, c: usize| w[(o0 + c) * depth + d0 + k0 + k + r];
                                gemm(&mut acc, on, wt, |c| yt[c * plane + q]);
                                for (r, acc_r) in acc.into_iter().enumerate() {
                                    let row = &mut xt[index[k + r]];
                                    for (v, a) in row.iter_mut().zip(acc_r) {
                                        *v += a;
                                    }
                                }
                            });
                        }
                    }
                }
                let len = s.in_len();
                from_lanes(&xt[..zero], n0, c0 * s.h * s.w, len, x, |o, v| *o += v);
            }
        }
    }
}

impl Batched<PT> {
    /// `dw[co][d] += Σ_n Σ_q dy[n][co][q] · col[n][d][q]`: for each [`GROUPS`] groups at
    /// a time, each `(co, d)` sums `dyt[co, q] · xt[r(q, d)]` over the groups and `q` in
    /// the lanes, then the lanes pairwise ([`lane_sum`]) into `dw`.
    pub(super) fn weight_grad(&self, s: &ConvShape, x: &[f32], dy: &[f32], dw: &mut [f32]) {
        let (depth, kk, plane) = (s.cin * s.kh * s.kw, s.kh * s.kw, s.oh * s.ow);
        let mut xt: [Rows<PT>; GROUPS] = [[[0.0; PT]; CHUNK + 1]; GROUPS];
        let mut yt: [Rows<PT>; GROUPS] = [[[0.0; PT]; CHUNK + 1]; GROUPS];
        let mut index = [0; CHUNK];
        for n0 in (0..self.batch).step_by(PT * GROUPS) {
            // Groups past the batch run as zeros.
            let group = |g: usize| (n0 + g * PT).min(self.batch);
            for (o0, on) in chunks(s.cout, plane) {
                for (g, yt) in yt.iter_mut().enumerate() {
                    to_lanes(dy, s.out_len(), group(g), o0 * plane, &mut yt[..on * plane]);
                }
                for (c0, cn) in chunks(s.cin, s.h * s.w) {
                    let zero = cn * s.h * s.w;
                    for (g, xt) in xt.iter_mut().enumerate() {
                        inputs_to_lanes(s, x, group(g), (c0, cn), xt);
                    }
                    let (d0, dn) = (c0 * kk, cn * kk);
                    for k in 0..dn {
                        column(s, k, zero, &mut index[..plane]);
                        in_blocks!(on, BLOCK, |co, R| {
                            let mut acc = [[0.0f32; PT]; R];
                            for (xt, yt) in xt.iter().zip(&yt) {
                                for (q, &r) in index[..plane].iter().enumerate() {
                                    let v = xt[r];
                                    for (r, acc_r) in acc.iter_mut().enumerate() {
                                        let g = yt[(co + r) * plane + q];
                                        for ((a, gl), vl) in acc_r.iter_mut().zip(g).zip(v) {
                                            *a += gl * vl;
                                        }
                                    }
                                }
                            }
                            for (r, acc_r) in acc.into_iter().enumerate() {
                                dw[(o0 + co + r) * depth + d0 + k] += lane_sum(acc_r);
                            }
                        });
                    }
                }
            }
        }
    }
}

/// `Σ_l v[l]`, summed pairwise (halves added lane by lane until one is left), so that the
/// compiler can use vector adds.
#[inline(always)]
fn lane_sum(mut v: [f32; PT]) -> f32 {
    let mut n = PT;
    while n > 1 {
        n /= 2;
        for l in 0..n {
            v[l] += v[l + n];
        }
    }
    v[0]
}

/// Whole channels of `plane` rows each, at most [`CHUNK`] rows (at least one channel):
/// `(first channel, channels)` for `channels` in order.
fn chunks(channels: usize, plane: usize) -> impl Iterator<Item = (usize, usize)> {
    let step = (CHUNK / plane).max(1);
    (0..channels)
        .step_by(step)
        .map(move |c0| (c0, step.min(channels - c0)))
}

/// `index[k]` = the row of `xt` that tap `k0 + k` of the chunk reads for output position
/// `q`: `r(q, d)` of the module docs, counted from the chunk's first channel, or `zero`
/// in the padding.
fn rows(s: &ConvShape, q: usize, k0: usize, zero: usize, index: &mut [usize]) {
    let top = (q / s.ow * s.sh).wrapping_sub(s.ph);
    let left = (q % s.ow * s.sw).wrapping_sub(s.pw);
    for (index, (ci, i, j)) in index.iter_mut().zip(taps(s, k0)) {
        let (iy, ix) = (top.wrapping_add(i), left.wrapping_add(j));
        *index = if iy < s.h && ix < s.w {
            (ci * s.h + iy) * s.w + ix
        } else {
            zero
        };
    }
}

/// `index[q]` = the row of `xt` that tap `k` of the chunk reads for each output position
/// `q`: `r(q, d)` of the module docs, or `zero` in the padding.
fn column(s: &ConvShape, k: usize, zero: usize, index: &mut [usize]) {
    let (ci, i, j) = (k / (s.kh * s.kw), k / s.kw % s.kh, k % s.kw);
    for (oy, row) in index.chunks_exact_mut(s.ow).enumerate() {
        let iy = (oy * s.sh + i).wrapping_sub(s.ph);
        for (ox, index) in row.iter_mut().enumerate() {
            let ix = (ox * s.sw + j).wrapping_sub(s.pw);
            *index = if iy < s.h && ix < s.w {
                (ci * s.h + iy) * s.w + ix
            } else {
                zero
            };
        }
    }
}

/// The input channels `c0..c0 + cn` of the group from sample `n0` into `xt` ([`to_lanes`]),
/// then the zero row after them; returns the zero row's index.
fn inputs_to_lanes<const L: usize>(
    s: &ConvShape,
    x: &[f32],
    n0: usize,
    (c0, cn): (usize, usize),
    xt: &mut Rows<L>,
) -> usize {
    let zero = cn * s.h * s.w;
    to_lanes(x, s.in_len(), n0, c0 * s.h * s.w, &mut xt[..zero]);
    xt[zero] = [0.0; L];
    zero
}

/// `rows[r][l] = src[(n0 + l)·len + at + r]` for the samples `n0 + l` of the batch
/// (`src` holds whole samples of `len`); lanes past the batch are zero.
fn to_lanes<const L: usize>(src: &[f32], len: usize, n0: usize, at: usize, rows: &mut [[f32; L]]) {
    let live = L.min(src.len() / len - n0);
    if live < L {
        rows.fill([0.0; L]);
    }
    for l in 0..live {
        let sample = &src[(n0 + l) * len + at..][..rows.len()];
        for (row, v) in rows.iter_mut().zip(sample) {
            row[l] = *v;
        }
    }
}

/// `f(&mut dst[(n0 + l)·len + at + r], rows[r][l])` for the samples `n0 + l` of the batch:
/// the inverse of [`to_lanes`] (`f` stores or adds).
fn from_lanes<const L: usize>(
    rows: &[[f32; L]],
    n0: usize,
    at: usize,
    len: usize,
    dst: &mut [f32],
    f: impl Fn(&mut f32, f32),
) {
    let live = L.min(dst.len() / len - n0);
    for l in 0..live {
        let sample = &mut dst[(n0 + l) * len + at..][..rows.len()];
        for (o, row) in sample.iter_mut().zip(rows) {
            f(o, row[l]);
        }
    }
}
