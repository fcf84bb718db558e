//! Stride-1 convolutions over "wide rows": no gather per tap.
//!
//! Pad each input plane once into rows `R = w + 2·pw` wide
//! (`xp[ci][(iy + ph)·R + ix + pw] = x[ci][iy][ix]`, zero elsewhere) and lay the output
//! out on the same row width (`q = oy·R + ox`; the `R − ow` extra columns per row are
//! scratch). Tap `(ci, i, j)` of output `q` then reads `xp[ci][q + i·R + j]`: every tap is
//! a contiguous run of the padded plane, so the whole output plane costs a few vector
//! loads and multiply-adds per tap, however few output channels there are. That is what
//! the last layer of an image generator (many channels in, one out) needs, where the
//! tiled path's gather costs as much as its arithmetic. (Strided shapes can be split into
//! stride phases the same way, but measured slower than the tiled path on the reference
//! models, whose strided layers have 16 or more output channels to share each gather.)
//!
//! With `off_d = ci·plane + i·R + j` the offset of tap `d`:
//! - forward: `yw[co][q] += Σ_d w[co][d] · xp[q + off_d]`, each output starting from its
//!   value in `y` and adding the taps in order `d`, as the tiled path does (same bits);
//! - input gradient: the same forward loop over the adjoint shape ([`WideAdjoint`]):
//!   `dy` padded by `k − 1 − p`, the kernel flipped and its channels swapped;
//! - weight gradient: `dw[co][d] += Σ_q dyw[co][q] · xp[q + off_d]`.
//!
//! One sample at a time; its padded planes and wide output share one stack buffer of
//! [`BUF`] floats (16 KiB), the same on every target so that a shape takes the same path,
//! and sums in the same order, on the host and the boards. Shapes that do not fit, or
//! whose wide output would be less than half real outputs (tiny planes), go to the tiled
//! path.

use super::super::tile::{in_blocks, load, store};
use super::{BLOCK, ConvShape, PT};

/// Stack buffer of one sample: padded input planes and wide output planes.
const BUF: usize = 4096;

/// One tap of a kernel: its index `d = (ci·kh + i)·kw + j` in the weight row, its input
/// channel and its place `k = i·kw + j` in the kernel.
#[derive(Clone, Copy)]
struct Tap {
    d: usize,
    ci: usize,
    k: usize,
}

/// The adjoint of a stride-1 convolution `s` as a convolution over wide rows: `dx` is the
/// stride-1 correlation of `dy` padded by `kh − 1 − ph` and `kw − 1 − pw`, with the
/// kernel flipped and its channels swapped,
/// `dx[ci][y][x] = Σ_co Σ_i,j w[co][ci][kh−1−i][kw−1−j] · dyp[co][y + i][x + j]`. So the
/// adjoint too keeps its sums in registers across taps, where adding each tap's products
/// into the padded input gradient would store and reload overlapping vectors every tap.
#[derive(Clone, Copy)]
pub(super) struct WideAdjoint {
    /// The adjoint's shape: `cin` and `cout` swapped, `y`'s planes in, `x`'s out.
    shape: ConvShape,
    wide: Wide,
}

impl WideAdjoint {
    /// The adjoint of `s` over wide rows, or `None` if `s` is strided, pads by a kernel
    /// size or more (the adjoint would need negative padding), or the adjoint shape does
    /// not suit [`Wide::of`].
    pub(super) fn of(s: &ConvShape) -> Option<Self> {
        let shape = ConvShape {
            cin: s.cout,
            cout: s.cin,
            h: s.oh,
            w: s.ow,
            oh: s.h,
            ow: s.w,
            ph: (s.kh - 1).checked_sub(s.ph)?,
            pw: (s.kw - 1).checked_sub(s.pw)?,
            ..*s
        };
        let wide = Wide::of(&shape)?;
        Some(Self { shape, wide })
    }

    /// `x[n] += convᵀ(y[n])` for the convolution `s` this adjoint was made of.
    pub(super) fn correlate_adjoint(&self, s: &ConvShape, w: &[f32], y: &[f32], x: &mut [f32]) {
        let (kk, depth) = (s.kh * s.kw, s.cin * s.kh * s.kw);
        let weight = |ci: usize, tap: Tap| w[tap.ci * depth + ci * kk + kk - 1 - tap.k];
        self.wide.correlate_by(&self.shape, weight, y, x);
    }
}

/// A shape's wide-row geometry.
#[derive(Clone, Copy)]
pub(super) struct Wide {
    /// Row width of the padded planes and the wide output, `w + 2·pw`.
    row: usize,
    /// Wide output positions, `oh·row` rounded up to whole tiles of [`PT`].
    lanes: usize,
    /// Floats per padded plane: its pixels, plus the zeros that the last tile's taps read
    /// past them.
    plane: usize,
}

impl Wide {
    /// The geometry of `s`, or `None` if it is strided, a sample does not fit in [`BUF`]
    /// floats, or fewer than half the wide outputs are real.
    pub(super) fn of(s: &ConvShape) -> Option<Self> {
        if s.sh != 1 || s.sw != 1 {
            return None;
        }
        let row = s.w + 2 * s.pw;
        let lanes = (s.oh * row).div_ceil(PT) * PT;
        let plane = ((s.h + 2 * s.ph) * row).max(lanes + (s.kh - 1) * row + s.kw - 1);
        let fits = s.cin * plane + s.cout * lanes <= BUF;
        let dense = 2 * s.oh * s.ow >= lanes;
        (fits && dense).then_some(Self { row, lanes, plane })
    }

    /// Calls `f(tap, off)` for every tap `d = (ci·kh + i)·kw + j`, in order, with `off`
    /// its offset in the padded planes, `ci·plane + i·row + j`.
    #[inline(always)]
    fn taps(&self, s: &ConvShape, mut f: impl FnMut(Tap, usize)) {
        let mut d = 0;
        for ci in 0..s.cin {
            for i in 0..s.kh {
                for j in 0..s.kw {
                    let k = i * s.kw + j;
                    f(Tap { d, ci, k }, ci * self.plane + i * self.row + j);
                    d += 1;
                }
            }
        }
    }

    /// Copies the image planes of `x` (one sample) into `xp`, padded.
    ///
    /// Only image pixels are written: the padding keeps the zeros the buffer starts with.
    fn pad(&self, s: &ConvShape, x: &[f32], xp: &mut [f32]) {
        for (ci, plane) in x.chunks_exact(s.h * s.w).enumerate() {
            for (iy, row) in plane.chunks_exact(s.w).enumerate() {
                let at = ci * self.plane + (iy + s.ph) * self.row + s.pw;
                xp[at..at + s.w].copy_from_slice(row);
            }
        }
    }

    /// Writes the output planes of `y` (one sample) into wide rows.
    ///
    /// Only output positions are written: the extra columns keep the zeros the buffer
    /// starts with, unless the caller writes them itself ([`Wide::correlate`] does, and
    /// never reads them back).
    fn widen(&self, s: &ConvShape, y: &[f32], yw: &mut [f32]) {
        for (src, dst) in y
            .chunks_exact(s.oh * s.ow)
            .zip(yw.chunks_exact_mut(self.lanes))
        {
            for (oy, src_row) in src.chunks_exact(s.ow).enumerate() {
                dst[oy * self.row..][..s.ow].copy_from_slice(src_row);
            }
        }
    }

    /// Writes the wide rows back into the output planes of `y` (one sample).
    fn narrow(&self, s: &ConvShape, yw: &[f32], y: &mut [f32]) {
        for (dst, src) in y
            .chunks_exact_mut(s.oh * s.ow)
            .zip(yw.chunks_exact(self.lanes))
        {
            for (oy, dst_row) in dst.chunks_exact_mut(s.ow).enumerate() {
                dst_row.copy_from_slice(&src[oy * self.row..][..s.ow]);
            }
        }
    }

    /// The stack buffer split into padded input planes and wide output planes.
    fn split<'a>(&self, s: &ConvShape, buf: &'a mut [f32; BUF]) -> (&'a mut [f32], &'a mut [f32]) {
        let (xp, rest) = buf.split_at_mut(s.cin * self.plane);
        (xp, &mut rest[..s.cout * self.lanes])
    }

    /// `y[n] += conv(x[n])` without bias (the tiled `correlate`, same bits).
    pub(super) fn correlate(&self, s: &ConvShape, w: &[f32], x: &[f32], y: &mut [f32]) {
        let depth = s.cin * s.kh * s.kw;
        self.correlate_by(s, |co, tap| w[co * depth + tap.d], x, y);
    }

    /// [`Wide::correlate`] with the weight of output channel `co` and tap `t` read as
    /// `weight(co, t)`.
    #[inline(always)]
    fn correlate_by(
        &self,
        s: &ConvShape,
        weight: impl Fn(usize, Tap) -> f32,
        x: &[f32],
        y: &mut [f32],
    ) {
        let mut buf = [0.0; BUF];
        let (xp, yw) = self.split(s, &mut buf);
        for (xn, yn) in x
            .chunks_exact(s.in_len())
            .zip(y.chunks_exact_mut(s.out_len()))
        {
            self.pad(s, xn, xp);
            self.widen(s, yn, yw);
            for q0 in (0..self.lanes).step_by(PT) {
                in_blocks!(s.cout, BLOCK, |co, R| {
                    let mut acc: [[f32; PT]; R] =
                        core::array::from_fn(|r| load(yw, (co + r) * self.lanes + q0));
                    self.taps(s, |tap, off| {
                        let v: [f32; PT] = load(xp, q0 + off);
                        for (r, acc_r) in acc.iter_mut().enumerate() {
                            let a = weight(co + r, tap);
                            for (acc_rl, vl) in acc_r.iter_mut().zip(v) {
                                *acc_rl += a * vl;
                            }
                        }
                    });
                    for (r, acc_r) in acc.iter().enumerate() {
                        store(yw, (co + r) * self.lanes + q0, acc_r);
                    }
                });
            }
            self.narrow(s, yw, yn);
        }
    }

    /// `dw[co][d] += Σ_n Σ_p dy[n][co][p] · col[n][d][p]`.
    pub(super) fn weight_grad(&self, s: &ConvShape, x: &[f32], dy: &[f32], dw: &mut [f32]) {
        let depth = s.cin * s.kh * s.kw;
        let mut buf = [0.0; BUF];
        let (xp, yw) = self.split(s, &mut buf);
        for (xn, gn) in x.chunks_exact(s.in_len()).zip(dy.chunks_exact(s.out_len())) {
            self.pad(s, xn, xp);
            self.widen(s, gn, yw);
            for co in 0..s.cout {
                let g = &yw[co * self.lanes..][..self.lanes];
                self.taps(s, |tap, off| {
                    let mut acc = [0.0f32; PT];
                    for q0 in (0..self.lanes).step_by(PT) {
                        let (gv, xv): ([f32; PT], [f32; PT]) = (load(g, q0), load(xp, q0 + off));
                        for ((a, gl), xl) in acc.iter_mut().zip(gv).zip(xv) {
                            *a += gl * xl;
                        }
                    }
                    dw[co * depth + tap.d] += acc.iter().sum::<f32>();
                });
            }
        }
    }
}
