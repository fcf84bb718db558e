//! Convolution kernels: 2-D cross-correlation as in PyTorch's `conv2d`, which also serves
//! 1-D convolution (`h = oh = kh = 1`) and, as its adjoint, transposed convolution.
//!
//! Shapes for one [`ConvShape`] `s` (per sample, row-major):
//! `x: [cin][h][w]`, `y: [cout][oh][ow]`, `w: [cout][cin][kh][kw]`, `b: [cout]`.
//! A transposed convolution with weight `[CIN][COUT][K][K]` is the adjoint of the
//! convolution whose `cin` is its `COUT` and whose `cout` is its `CIN`: the same weight
//! array read in the convolution's layout, so no transpose is ever made.
//!
//! # How the loops are arranged
//!
//! With `d = (ci·kh + i)·kw + j` running over the `cin·kh·kw` kernel taps ("depth") and
//! `p = oy·ow + ox` over output positions, a convolution is a matrix product with the
//! implicit patch matrix `col[d][p] = x[ci][oy·sh + i − ph][ox·sw + j − pw]` (zero in the
//! padding), and the weight `w[co][d]` is already a `[cout][depth]` matrix:
//!
//! - forward: `y[co][p] += Σ_d w[co][d] · col[d][p]`;
//! - input gradient: `dcol[d][p] = Σ_co w[co][d] · dy[co][p]`, added back into `dx` where
//!   `col` read `x`;
//! - weight gradient: `dw[co][d] += Σ_p dy[co][p] · col[d][p]`.
//!
//! `col` is never stored whole: a tile of [`PT`] output positions by at most [`ROWS`] taps
//! is gathered into a panel on the stack, and one micro-kernel (`gemm`) multiplies
//! panels while up to four rows of [`PT`] accumulators stay in registers. Positions are
//! flattened over the whole output plane, so small images (8×8, 4×4) fill the vector
//! lanes as well as large ones. Stack use: two panels of `ROWS·PT` floats (2 KiB).
//! A direct-loop reference (tests only) checks these kernels.
//!
//! Two other arrangements avoid the gathers where a shape allows: stride-1 shapes run
//! over padded "wide rows" (`wide.rs`: every tap a contiguous run of the padded plane),
//! and strided shapes over batches of at least [`PT`] samples run with the samples in the
//! lanes (`batched.rs`: every tap one vector load for [`PT`] samples). Every path sums
//! in an order fixed by the shape alone, the same on every target and for every batch
//! size, so a board generating one sample at a time computes the bits of the host's
//! batches: the forward adds each output's taps in order `d` on every path, and the
//! adjoint of a strided shape runs the batched loops whatever the batch (with one sample
//! in the lanes under [`PT`] samples). Only the adjoint of a shape too large for those
//! (`batched.rs`) or for the wide rows takes the tiled path, whose order follows tiles
//! of [`PT`] positions counted over the batch; the weight gradient (training only) sums
//! in an order that depends on the batch.

use super::tile::{gemm, in_blocks, load, store};
use batched::Batched;
use wide::{Wide, WideAdjoint};

mod batched;
mod wide;

/// Geometry of a convolution `x: [cin][h][w] -> y: [cout][oh][ow]` with kernel `kh × kw`,
/// stride `sh, sw` and zero padding `ph, pw`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvShape {
    /// Input channels.
    pub cin: usize,
    /// Output channels.
    pub cout: usize,
    /// Input height.
    pub h: usize,
    /// Input width.
    pub w: usize,
    /// Output height.
    pub oh: usize,
    /// Output width.
    pub ow: usize,
    /// Kernel height.
    pub kh: usize,
    /// Kernel width.
    pub kw: usize,
    /// Vertical stride.
    pub sh: usize,
    /// Horizontal stride.
    pub sw: usize,
    /// Zero padding above and below.
    pub ph: usize,
    /// Zero padding left and right.
    pub pw: usize,
}

impl ConvShape {
    /// Elements of one input sample, `cin·h·w`.
    pub const fn in_len(&self) -> usize {
        self.cin * self.h * self.w
    }

    /// Elements of one output sample, `cout·oh·ow`.
    pub const fn out_len(&self) -> usize {
        self.cout * self.oh * self.ow
    }

    /// Whether strides and kernel are non-zero and `oh = (h + 2·ph − kh)/sh + 1`,
    /// `ow = (w + 2·pw − kw)/sw + 1` (PyTorch's output size, dilation 1).
    pub const fn is_consistent(&self) -> bool {
        out_size_matches(self.h, self.kh, self.sh, self.ph, self.oh)
            && out_size_matches(self.w, self.kw, self.sw, self.pw, self.ow)
    }
}

const fn out_size_matches(inp: usize, k: usize, s: usize, p: usize, out: usize) -> bool {
    s > 0 && k > 0 && inp + 2 * p >= k && out == (inp + 2 * p - k) / s + 1
}

/// `y = conv(x) + b` for a batch (overwrites `y`).
pub fn forward(s: &ConvShape, w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
    if let Some(batched) = Batched::<PT>::of(s, batch(s, y)) {
        batched.forward(s, w, b, x, y);
    } else {
        fill_bias(y, b, s.oh * s.ow);
        correlate(s, w, x, y);
    }
}

/// Backward of [`forward`]: `dx = convᵀ(dy)` (overwritten); the gradients with respect
/// to `w` and `b` are added to `dw` and `db`.
pub fn backward(
    s: &ConvShape,
    w: &[f32],
    x: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    dw: &mut [f32],
    db: &mut [f32],
) {
    backward_input(s, w, dy, dx);
    params_grad(s, x, dy, dw, db);
}

/// The `dw` and `db` of [`backward`] alone (added).
pub fn params_grad(s: &ConvShape, x: &[f32], dy: &[f32], dw: &mut [f32], db: &mut [f32]) {
    weight_grad(s, x, dy, dw);
    bias_grad(dy, db, s.oh * s.ow);
}

/// The `dx` of [`backward`] alone.
pub fn backward_input(s: &ConvShape, w: &[f32], dy: &[f32], dx: &mut [f32]) {
    dx.fill(0.0);
    correlate_adjoint(s, w, dy, dx);
}

/// Transposed convolution `y = convᵀ(x) + b` for a batch (overwrites `y`): `x` has the
/// shape of the convolution's output, `y` of its input, `b: [cin]`.
pub fn transpose_forward(s: &ConvShape, w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
    fill_bias(y, b, s.h * s.w);
    correlate_adjoint(s, w, x, y);
}

/// Backward of [`transpose_forward`]: `dx = conv(dy)` (overwritten); the gradients with
/// respect to `w` and `b` are added to `dw` and `db`.
pub fn transpose_backward(
    s: &ConvShape,
    w: &[f32],
    x: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    dw: &mut [f32],
    db: &mut [f32],
) {
    transpose_backward_input(s, w, dy, dx);
    transpose_params_grad(s, x, dy, dw, db);
}

/// The `dw` and `db` of [`transpose_backward`] alone (added).
pub fn transpose_params_grad(s: &ConvShape, x: &[f32], dy: &[f32], dw: &mut [f32], db: &mut [f32]) {
    weight_grad(s, dy, x, dw);
    bias_grad(dy, db, s.h * s.w);
}

/// The `dx` of [`transpose_backward`] alone.
pub fn transpose_backward_input(s: &ConvShape, w: &[f32], dy: &[f32], dx: &mut [f32]) {
    dx.fill(0.0);
    correlate(s, w, dy, dx);
}

/// `y[n][c][..] = b[c]` over planes of `plane` elements.
fn fill_bias(y: &mut [f32], b: &[f32], plane: usize) {
    for (yc, bc) in y.chunks_exact_mut(plane).zip(b.iter().cycle()) {
        yc.fill(*bc);
    }
}

/// `db[c] += Σ_n Σ_i dy[n][c][i]` over planes of `plane` elements.
fn bias_grad(dy: &[f32], db: &mut [f32], plane: usize) {
    let channels = db.len();
    for (j, dyc) in dy.chunks_exact(plane).enumerate() {
        db[j % channels] += dyc.iter().sum::<f32>();
    }
}

/// Output positions per tile, counted over the whole batch: the lanes of the
/// micro-kernel's accumulator rows.
pub const PT: usize = 16;
/// Rows (kernel taps or channels) per stack panel: the output tile is read and written
/// once per `ROWS` taps. A panel is `ROWS × PT` floats on the stack: 8 KiB on 64-bit
/// hosts, 2 KiB on 32-bit microcontrollers. Results do not depend on it.
pub const ROWS: usize = if cfg!(target_pointer_width = "64") {
    128
} else {
    32
};
/// Accumulator rows the micro-kernel keeps in registers.
const BLOCK: usize = 4;

type Panel = [[f32; PT]; ROWS];

/// The `PT` output positions `p0..p0 + PT` of a batch (`p = n·oh·ow + oy·ow + ox`):
/// where each one's window lies in `x` and where its outputs live in `y`. Positions
/// past the end of the batch read padding and are never written.
struct Tile {
    /// Top row of the position's window in the image (`oy·sh − ph`, wrapped round below
    /// zero, so one unsigned compare tests both edges).
    top: [usize; PT],
    /// Left column of the position's window in the image (`ox·sw − pw`, wrapped).
    left: [usize; PT],
    /// Where the window's top-left tap of channel 0 would be in `x`, wrapped.
    origin: [usize; PT],
    /// Index of the position's channel-0 output in `y`.
    out: [usize; PT],
    /// Positions inside the batch.
    live: usize,
    /// Whether all `PT` positions are live and consecutive in `y` (within one sample).
    contiguous: bool,
}

impl Tile {
    #[inline(always)]
    fn new(s: &ConvShape, p0: usize, positions: usize) -> Self {
        let plane = s.oh * s.ow;
        let at = |t: usize| ((p0 + t) / plane, (p0 + t) % plane);
        let sample: [usize; PT] = core::array::from_fn(|t| at(t).0 * s.in_len());
        let corner: [(usize, usize); PT] = core::array::from_fn(|t| match at(t) {
            // A corner below the image: every tap of a dead position reads padding.
            _ if p0 + t >= positions => (s.h + s.ph, 0),
            (_, q) => ((q / s.ow) * s.sh, (q % s.ow) * s.sw),
        });
        let top = corner.map(|(y0, _)| y0.wrapping_sub(s.ph));
        let left = corner.map(|(_, x0)| x0.wrapping_sub(s.pw));
        Self {
            top,
            left,
            origin: core::array::from_fn(|t| {
                sample[t]
                    .wrapping_add(top[t].wrapping_mul(s.w))
                    .wrapping_add(left[t])
            }),
            out: core::array::from_fn(|t| at(t).0 * s.out_len() + at(t).1),
            live: PT.min(positions - p0),
            contiguous: p0 + PT <= positions && at(0).0 == at(PT - 1).0,
        }
    }

    /// Calls `f(dd, index)` for taps `d0 + dd` (`dd` in `0..dn`): for every position
    /// `t`, `index[t]` is where `col[d][p]` lives in `x`, or `usize::MAX` (past the end of
    /// any slice) where the tap reads padding.
    #[inline(always)]
    fn patch(&self, s: &ConvShape, d0: usize, dn: usize, mut f: impl FnMut(usize, &[usize; PT])) {
        for (dd, (ci, i, j)) in taps(s, d0).take(dn).enumerate() {
            let tap = (ci * s.h + i) * s.w + j;
            let mut index = [0; PT];
            for (t, index) in index.iter_mut().enumerate() {
                let inside =
                    self.top[t].wrapping_add(i) < s.h && self.left[t].wrapping_add(j) < s.w;
                *index = if inside {
                    self.origin[t].wrapping_add(tap)
                } else {
                    usize::MAX
                };
            }
            f(dd, &index);
        }
    }

    /// `col[t] = x[index[t]]`, 0 in the padding: one row of the patch matrix.
    #[inline(always)]
    fn gather(x: &[f32], index: &[usize; PT]) -> [f32; PT] {
        index.map(|i| x.get(i).copied().unwrap_or(0.0))
    }

    /// Output channel `c` of the tile's positions in `y` (`channel` = `c`·plane), zero for
    /// dead positions.
    #[inline(always)]
    fn load(&self, y: &[f32], channel: usize) -> [f32; PT] {
        if self.contiguous {
            return load(y, self.out[0] + channel);
        }
        core::array::from_fn(|t| {
            if t < self.live {
                y[self.out[t] + channel]
            } else {
                0.0
            }
        })
    }

    /// Writes the live positions of `v` to output channel `c` (`channel` = `c`·plane).
    #[inline(always)]
    fn store(&self, y: &mut [f32], channel: usize, v: &[f32; PT]) {
        if self.contiguous {
            return store(y, self.out[0] + channel, v);
        }
        for (o, v) in self.out[..self.live].iter().zip(v) {
            y[o + channel] = *v;
        }
    }
}

/// The taps `d0, d0 + 1, ...` of `s` as `(channel ci, kernel row i, kernel column j)`,
/// with `d = (ci·kh + i)·kw + j`: counted up, one division only at the start.
#[inline(always)]
fn taps(s: &ConvShape, d0: usize) -> Taps {
    Taps {
        at: (d0 / (s.kh * s.kw), d0 / s.kw % s.kh, d0 % s.kw),
        kh: s.kh,
        kw: s.kw,
    }
}

/// The iterator of [`taps`] (endless: callers bound it).
struct Taps {
    at: (usize, usize, usize),
    kh: usize,
    kw: usize,
}

impl Iterator for Taps {
    type Item = (usize, usize, usize);

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let here = self.at;
        let (ci, i, j) = &mut self.at;
        *j += 1;
        if *j == self.kw {
            (*i, *j) = (*i + 1, 0);
            if *i == self.kh {
                (*ci, *i) = (*ci + 1, 0);
            }
        }
        Some(here)
    }
}

/// Samples in `y` (of `out_len` each).
fn batch(s: &ConvShape, y: &[f32]) -> usize {
    y.len().checked_div(s.out_len()).unwrap_or(0)
}

/// Output positions of the whole batch in `y` (of `out_len` per sample).
fn positions(s: &ConvShape, y: &[f32]) -> usize {
    batch(s, y) * s.oh * s.ow
}

/// `y[n] += conv(x[n])` without bias.
fn correlate(s: &ConvShape, w: &[f32], x: &[f32], y: &mut [f32]) {
    if let Some(wide) = Wide::of(s) {
        wide.correlate(s, w, x, y);
    } else if let Some(batched) = Batched::<PT>::of(s, batch(s, y)) {
        batched.correlate(s, w, x, y);
    } else {
        correlate_tiled(s, w, x, y);
    }
}

/// [`correlate`] on the tiled path.
fn correlate_tiled(s: &ConvShape, w: &[f32], x: &[f32], y: &mut [f32]) {
    let (depth, plane) = (s.cin * s.kh * s.kw, s.oh * s.ow);
    let mut col: Panel = [[0.0; PT]; ROWS];
    let positions = positions(s, y);
    for p0 in (0..positions).step_by(PT) {
        let tile = Tile::new(s, p0, positions);
        for d0 in (0..depth).step_by(ROWS) {
            let dn = ROWS.min(depth - d0);
            tile.patch(s, d0, dn, |dd, index| col[dd] = Tile::gather(x, index));
            in_blocks!(s.cout, BLOCK, |co, R| {
                let rows: [&[f32]; R] = core::array::from_fn(|r| &w[(co + r) * depth + d0..][..dn]);
                let mut acc: [[f32; PT]; R] =
                    core::array::from_fn(|r| tile.load(y, (co + r) * plane));
                gemm(&mut acc, dn, |r, k| rows[r][k], |k| col[k]);
                for (r, acc_r) in acc.iter().enumerate() {
                    tile.store(y, (co + r) * plane, acc_r);
                }
            });
        }
    }
}

/// `x[n] += convᵀ(y[n])`: the adjoint of [`correlate`].
fn correlate_adjoint(s: &ConvShape, w: &[f32], y: &[f32], x: &mut [f32]) {
    if let Some(wide) = WideAdjoint::of(s) {
        wide.correlate_adjoint(s, w, y, x);
    } else if let Some(batched) = Batched::<PT>::of(s, batch(s, y)) {
        batched.correlate_adjoint(s, w, y, x);
    } else if let Some(single) = Batched::<1>::of(s, batch(s, y)) {
        single.correlate_adjoint(s, w, y, x);
    } else {
        correlate_adjoint_tiled(s, w, y, x);
    }
}

/// [`correlate_adjoint`] on the tiled path.
fn correlate_adjoint_tiled(s: &ConvShape, w: &[f32], y: &[f32], x: &mut [f32]) {
    let (depth, plane) = (s.cin * s.kh * s.kw, s.oh * s.ow);
    let mut dcol: Panel = [[0.0; PT]; ROWS];
    let mut yp: Panel = [[0.0; PT]; ROWS];
    let positions = positions(s, y);
    for p0 in (0..positions).step_by(PT) {
        let tile = Tile::new(s, p0, positions);
        for d0 in (0..depth).step_by(ROWS) {
            let dn = ROWS.min(depth - d0);
            dcol[..dn].iter_mut().for_each(|r| *r = [0.0; PT]);
            for c0 in (0..s.cout).step_by(ROWS) {
                let cn = ROWS.min(s.cout - c0);
                for (k, ypk) in yp[..cn].iter_mut().enumerate() {
                    *ypk = tile.load(y, (c0 + k) * plane);
                }
                in_blocks!(dn, BLOCK, |dd, R| {
                    let mut acc: [[f32; PT]; R] = core::array::from_fn(|r| dcol[dd + r]);
                    let wt = |r: usize, k: usize| w[(c0 + k) * depth + d0 + dd + r];
                    gemm(&mut acc, cn, wt, |k| yp[k]);
                    dcol[dd..dd + R].copy_from_slice(&acc);
                });
            }
            tile.patch(s, d0, dn, |dd, index| {
                for (i, v) in index.iter().zip(dcol[dd]) {
                    if let Some(x) = x.get_mut(*i) {
                        *x += v;
                    }
                }
            });
        }
    }
}

/// `dw[co][d] += Σ_n Σ_p dy[n][co][p] · col[n][d][p]`.
fn weight_grad(s: &ConvShape, x: &[f32], dy: &[f32], dw: &mut [f32]) {
    if let Some(wide) = Wide::of(s) {
        wide.weight_grad(s, x, dy, dw);
    } else if let Some(batched) = Batched::<PT>::of(s, batch(s, dy)) {
        batched.weight_grad(s, x, dy, dw);
    } else {
        weight_grad_tiled(s, x, dy, dw);
    }
}

/// [`weight_grad`] on the tiled path.
fn weight_grad_tiled(s: &ConvShape, x: &[f32], dy: &[f32], dw: &mut [f32]) {
    let (depth, plane) = (s.cin * s.kh * s.kw, s.oh * s.ow);
    // Transposed panel: lanes run over taps, so that dw rows are the accumulators.
    let mut colt = [[[0.0f32; PT]; ROWS / PT]; PT];
    let mut dyp: Panel = [[0.0; PT]; ROWS];
    let positions = positions(s, dy);
    for p0 in (0..positions).step_by(PT) {
        let tile = Tile::new(s, p0, positions);
        for d0 in (0..depth).step_by(ROWS) {
            let dn = ROWS.min(depth - d0);
            tile.patch(s, d0, dn, |dd, index| {
                for (t, v) in Tile::gather(x, index).into_iter().enumerate() {
                    colt[t][dd / PT][dd % PT] = v;
                }
            });
            for c0 in (0..s.cout).step_by(ROWS) {
                let cn = ROWS.min(s.cout - c0);
                for (k, dypk) in dyp[..cn].iter_mut().enumerate() {
                    *dypk = tile.load(dy, (c0 + k) * plane);
                }
                for l0 in (0..dn).step_by(PT) {
                    let lanes = PT.min(dn - l0);
                    in_blocks!(cn, BLOCK, |co, R| {
                        let at = |r: usize| (c0 + co + r) * depth + d0 + l0;
                        let mut acc: [[f32; PT]; R] =
                            core::array::from_fn(|r| padded(&dw[at(r)..][..lanes]));
                        gemm(&mut acc, PT, |r, t| dyp[co + r][t], |t| colt[t][l0 / PT]);
                        for (r, acc_r) in acc.iter().enumerate() {
                            dw[at(r)..][..lanes].copy_from_slice(&acc_r[..lanes]);
                        }
                    });
                }
            }
        }
    }
}

/// `v` zero-padded to `PT` lanes.
#[inline(always)]
fn padded(v: &[f32]) -> [f32; PT] {
    let mut a = [0.0; PT];
    a[..v.len()].copy_from_slice(v);
    a
}

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Prng, fill_gaussian};
    use std::vec;
    use std::vec::Vec;

    fn random(n: usize, rng: &mut Prng) -> Vec<f32> {
        let mut v = vec![0.0; n];
        fill_gaussian(rng, &mut v);
        v
    }

    /// `f` applied to a copy of `start` (the kernels accumulate into their output).
    fn applied(start: &[f32], f: impl FnOnce(&mut [f32])) -> Vec<f32> {
        let mut out = start.to_vec();
        f(&mut out);
        out
    }

    fn assert_close(a: &[f32], b: &[f32], what: &str) {
        for (j, (p, q)) in a.iter().zip(b).enumerate() {
            assert!(
                (p - q).abs() <= 1e-4 * (1.0 + q.abs()),
                "{what}[{j}]: {p}, reference {q}"
            );
        }
    }

    /// The tiled kernels, and the wide-row (forward, adjoint) and batched ones where a
    /// shape fits them, agree with the direct-loop reference within 1e-4 (relative to
    /// 1 + |value|) on shapes that exercise every remainder: channel counts that are not multiples of the block
    /// or panel, planes that are not multiples of the tile, depths over one panel,
    /// strides, padding and taps that see only padding; batches of 2, 16 (one group of
    /// lanes, and an empty second one in the weight gradient) and 19 (a whole group and a
    /// partial one), inputs and outputs over several chunks. The wide
    /// and batched forwards give the tiled forward's bits, and the adjoint of every
    /// strided or wide shape gives the same bits one sample at a time as for the batch.
    #[test]
    fn tiled_wide_and_batched_kernels_match_the_reference() {
        let shapes = [
            (3, 5, 7, 6, 3, 3, 2, 1),
            (37, 6, 4, 4, 3, 3, 1, 1),
            (2, 35, 9, 5, 4, 2, 2, 1),
            (1, 1, 2, 3, 3, 3, 1, 2),
            (6, 9, 1, 11, 1, 5, 2, 2),
            (8, 1, 8, 8, 3, 3, 1, 1),
            (3, 7, 1, 13, 1, 4, 1, 0),
            (8, 16, 8, 8, 4, 4, 2, 1),
            (2, 3, 9, 9, 4, 4, 2, 1),
            (16, 32, 4, 4, 4, 4, 2, 1),
            (16, 24, 8, 8, 4, 4, 2, 1),
        ];
        let (mut wide_shapes, mut wide_adjoints, mut batched_shapes) = (0, 0, 0);
        let mut single_sample_adjoints = 0;
        let mut rng = Prng::new(42);
        for ((cin, cout, h, w, kh, kw, st, pad), batch) in shapes
            .into_iter()
            .flat_map(|shape| [(shape, 2), (shape, 16), (shape, 19)])
        {
            let s = ConvShape {
                cin,
                cout,
                h,
                w,
                oh: (h + 2 * pad - kh) / st + 1,
                ow: (w + 2 * pad - kw) / st + 1,
                kh,
                kw,
                sh: st,
                sw: st,
                ph: pad,
                pw: pad,
            };
            assert!(s.is_consistent());
            let wt = random(cout * cin * kh * kw, &mut rng);
            let x = random(batch * s.in_len(), &mut rng);
            let dy = random(batch * s.out_len(), &mut rng);
            let start = random(batch * s.out_len(), &mut rng);

            let wide = Wide::of(&s);
            wide_shapes += usize::from(wide.is_some());
            let batched = Batched::<PT>::of(&s, batch);
            batched_shapes += usize::from(batched.is_some());

            let want = applied(&start, |o| reference::correlate(&s, &wt, &x, o));
            let tiled = applied(&start, |o| correlate_tiled(&s, &wt, &x, o));
            assert_close(&tiled, &want, "forward");
            if let Some(wide) = wide {
                let got = applied(&start, |o| wide.correlate(&s, &wt, &x, o));
                assert_eq!(got, tiled, "wide forward");
            }
            if let Some(batched) = batched {
                let got = applied(&start, |o| batched.correlate(&s, &wt, &x, o));
                assert_eq!(got, tiled, "batched forward");
                let bias = random(cout, &mut rng);
                let filled = applied(&start, |o| {
                    fill_bias(o, &bias, s.oh * s.ow);
                    correlate_tiled(&s, &wt, &x, o);
                });
                let got = applied(&start, |o| batched.forward(&s, &wt, &bias, &x, o));
                assert_eq!(got, filled, "batched forward from the bias");
            }

            let start = random(batch * s.in_len(), &mut rng);
            let want = applied(&start, |o| reference::correlate_adjoint(&s, &wt, &dy, o));
            let got = applied(&start, |o| correlate_adjoint_tiled(&s, &wt, &dy, o));
            assert_close(&got, &want, "adjoint");
            if let Some(wide) = WideAdjoint::of(&s) {
                wide_adjoints += 1;
                let got = applied(&start, |o| wide.correlate_adjoint(&s, &wt, &dy, o));
                assert_close(&got, &want, "wide adjoint");
            }
            if let Some(batched) = batched {
                let got = applied(&start, |o| batched.correlate_adjoint(&s, &wt, &dy, o));
                assert_close(&got, &want, "batched adjoint");
            }
            if Batched::<1>::of(&s, batch).is_some() || WideAdjoint::of(&s).is_some() {
                single_sample_adjoints += 1;
                let whole = applied(&start, |o| correlate_adjoint(&s, &wt, &dy, o));
                let single = applied(&start, |o| {
                    let samples = o.chunks_exact_mut(s.in_len());
                    for (o, dy) in samples.zip(dy.chunks_exact(s.out_len())) {
                        correlate_adjoint(&s, &wt, dy, o);
                    }
                });
                assert_eq!(single, whole, "adjoint one sample at a time");
            }

            let start = random(wt.len(), &mut rng);
            let want = applied(&start, |o| reference::weight_grad(&s, &x, &dy, o));
            let got = applied(&start, |o| weight_grad_tiled(&s, &x, &dy, o));
            assert_close(&got, &want, "weight gradient");
            if let Some(wide) = wide {
                let got = applied(&start, |o| wide.weight_grad(&s, &x, &dy, o));
                assert_close(&got, &want, "wide weight gradient");
            }
            if let Some(batched) = batched {
                let got = applied(&start, |o| batched.weight_grad(&s, &x, &dy, o));
                assert_close(&got, &want, "batched weight gradient");
            }
        }
        // The stride-1 shapes at every batch; the strided ones at batches 16 and 19.
        assert_eq!(wide_shapes, 12, "shapes on the wide path");
        // Not (1, 1, 2, 3): its adjoint's wide output would be mostly padding.
        assert_eq!(wide_adjoints, 9, "adjoints on the wide path");
        assert_eq!(batched_shapes, 14, "shapes on the batched path");
        // The strided shapes (7) and the wide adjoints, at every batch.
        assert_eq!(
            single_sample_adjoints,
            21 + 9,
            "adjoints checked sample by sample"
        );
    }
}
