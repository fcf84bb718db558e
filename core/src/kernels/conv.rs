//! Convolution kernels: 2-D cross-correlation as in PyTorch's `conv2d`, which also serves
//! 1-D convolution (`h = oh = kh = 1`) and, as its adjoint, transposed convolution.
//!
//! Shapes for one [`ConvShape`] `s` (per sample, row-major):
//! `x: [cin][h][w]`, `y: [cout][oh][ow]`, `w: [cout][cin][kh][kw]`, `b: [cout]`.
//! A transposed convolution with weight `[CIN][COUT][K][K]` is the adjoint of the
//! convolution whose `cin` is its `COUT` and whose `cout` is its `CIN`: the same weight
//! array read in the convolution's layout, so no transpose is ever made.
//!
//! All three loop nests (forward, adjoint, weight gradient) walk the same taps: for every
//! weight element and output row it touches, one contiguous run of `n` outputs meets a run
//! of `n` inputs spaced by the stride. The innermost loop is over that run, contiguous in
//! the output (and in the input when the stride is 1), so it autovectorises.

use super::dense::axpy;

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
    fill_bias(y, b, s.oh * s.ow);
    correlate(s, w, x, y);
}

/// `dx = convᵀ(dy)`, the gradient of [`forward`] with respect to `x` (overwrites `dx`).
pub fn backward_input(s: &ConvShape, w: &[f32], dy: &[f32], dx: &mut [f32]) {
    dx.fill(0.0);
    correlate_adjoint(s, w, dy, dx);
}

/// Adds the gradients of [`forward`] with respect to `w` and `b` to `dw` and `db`.
pub fn backward_params(s: &ConvShape, x: &[f32], dy: &[f32], dw: &mut [f32], db: &mut [f32]) {
    weight_grad(s, x, dy, dw);
    bias_grad(dy, db, s.oh * s.ow);
}

/// Transposed convolution `y = convᵀ(x) + b` for a batch (overwrites `y`): `x` has the
/// shape of the convolution's output, `y` of its input, `b: [cin]`.
pub fn transpose_forward(s: &ConvShape, w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
    fill_bias(y, b, s.h * s.w);
    correlate_adjoint(s, w, x, y);
}

/// `dx = conv(dy)`, the gradient of [`transpose_forward`] with respect to `x`
/// (overwrites `dx`).
pub fn transpose_backward_input(s: &ConvShape, w: &[f32], dy: &[f32], dx: &mut [f32]) {
    dx.fill(0.0);
    correlate(s, w, dy, dx);
}

/// Adds the gradients of [`transpose_forward`] with respect to `w` and `b` to `dw`, `db`.
pub fn transpose_backward_params(
    s: &ConvShape,
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
) {
    weight_grad(s, dy, x, dw);
    bias_grad(dy, db, s.h * s.w);
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

/// `y[n] += conv(x[n])` without bias.
fn correlate(s: &ConvShape, w: &[f32], x: &[f32], y: &mut [f32]) {
    for (xn, yn) in x
        .chunks_exact(s.in_len())
        .zip(y.chunks_exact_mut(s.out_len()))
    {
        taps(s, |wi, xi, yi, n| {
            axpy_gather(w[wi], &xn[xi..], s.sw, &mut yn[yi..yi + n]);
        });
    }
}

/// `x[n] += convᵀ(y[n])`: the adjoint of [`correlate`].
fn correlate_adjoint(s: &ConvShape, w: &[f32], y: &[f32], x: &mut [f32]) {
    for (yn, xn) in y
        .chunks_exact(s.out_len())
        .zip(x.chunks_exact_mut(s.in_len()))
    {
        taps(s, |wi, xi, yi, n| {
            axpy_scatter(w[wi], &yn[yi..yi + n], &mut xn[xi..], s.sw);
        });
    }
}

/// `dw[co][ci][i][j] += Σ_n Σ_(oh,ow) dy[n][co][oh][ow] · x[n][ci][oh·sh+i−ph][ow·sw+j−pw]`.
fn weight_grad(s: &ConvShape, x: &[f32], dy: &[f32], dw: &mut [f32]) {
    for (xn, dyn_) in x.chunks_exact(s.in_len()).zip(dy.chunks_exact(s.out_len())) {
        taps(s, |wi, xi, yi, n| {
            dw[wi] += dot_gather(&dyn_[yi..yi + n], &xn[xi..], s.sw);
        });
    }
}

/// Calls `row(wi, xi, yi, n)` for every weight element `wi` and every output row it
/// reaches inside the unpadded input: outputs `y[yi + j]` meet inputs `x[xi + j·sw]`
/// through `w[wi]`, for `j` in `0..n` (indices within one sample).
#[inline(always)]
fn taps(s: &ConvShape, mut row: impl FnMut(usize, usize, usize, usize)) {
    let mut wi = 0;
    for co in 0..s.cout {
        for ci in 0..s.cin {
            for i in 0..s.kh {
                let (oh0, rows, ih0) = span(i, s.ph, s.sh, s.h, s.oh);
                for j in 0..s.kw {
                    let (ow0, n, iw0) = span(j, s.pw, s.sw, s.w, s.ow);
                    if n > 0 {
                        for r in 0..rows {
                            let xi = (ci * s.h + ih0 + r * s.sh) * s.w + iw0;
                            let yi = (co * s.oh + oh0 + r) * s.ow + ow0;
                            row(wi, xi, yi, n);
                        }
                    }
                    wi += 1;
                }
            }
        }
    }
}

/// For kernel offset `k`: the output positions `o` in `0..out` whose input position
/// `o·stride + k − pad` lies in `0..inp`, as `(first output, count, first input)`.
fn span(k: usize, pad: usize, stride: usize, inp: usize, out: usize) -> (usize, usize, usize) {
    if k >= inp + pad {
        return (0, 0, 0);
    }
    let first = if k >= pad {
        0
    } else {
        (pad - k).div_ceil(stride)
    };
    let end = out.min((inp + pad - 1 - k) / stride + 1);
    if first >= end {
        (0, 0, 0)
    } else {
        (first, end - first, first * stride + k - pad)
    }
}

/// `y[j] += a · x[j·s]` for `j` in `0..y.len()`.
#[inline(always)]
fn axpy_gather(a: f32, x: &[f32], s: usize, y: &mut [f32]) {
    if s == 1 {
        axpy(a, x, y);
    } else {
        for (yj, xj) in y.iter_mut().zip(x.iter().step_by(s)) {
            *yj += a * xj;
        }
    }
}

/// `y[j·s] += a · x[j]` for `j` in `0..x.len()`.
#[inline(always)]
fn axpy_scatter(a: f32, x: &[f32], y: &mut [f32], s: usize) {
    if s == 1 {
        axpy(a, x, y);
    } else {
        for (yj, xj) in y.iter_mut().step_by(s).zip(x) {
            *yj += a * xj;
        }
    }
}

/// `Σ_j a[j] · x[j·s]` for `j` in `0..a.len()`.
#[inline(always)]
fn dot_gather(a: &[f32], x: &[f32], s: usize) -> f32 {
    if s == 1 {
        dot_lanes(a, x)
    } else {
        a.iter()
            .zip(x.iter().step_by(s))
            .fold(0.0, |acc, (p, q)| acc + p * q)
    }
}

/// `Σ_j a[j] · b[j]` over the shorter length, in eight interleaved partial sums so that
/// the loop vectorises without reassociating floating-point additions.
#[inline(always)]
fn dot_lanes(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 8;
    let n = a.len().min(b.len());
    let (ac, at) = a[..n].as_chunks::<LANES>();
    let (bc, bt) = b[..n].as_chunks::<LANES>();
    let mut acc = [0.0f32; LANES];
    for (p, q) in ac.iter().zip(bc) {
        for l in 0..LANES {
            acc[l] += p[l] * q[l];
        }
    }
    let tail = at.iter().zip(bt).fold(0.0, |s, (p, q)| s + p * q);
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_clips_to_the_unpadded_input() {
        // inp 3, pad 1, stride 1, out 3: tap 0 reads x[o−1], valid for o = 1, 2.
        assert_eq!(span(0, 1, 1, 3, 3), (1, 2, 0));
        assert_eq!(span(1, 1, 1, 3, 3), (0, 3, 0));
        assert_eq!(span(2, 1, 1, 3, 3), (0, 2, 1));
        // stride 2, inp 4, pad 1, out 2: tap 0 reads x[2o−1]: o = 1 only (x[1]).
        assert_eq!(span(0, 1, 2, 4, 2), (1, 1, 1));
        // a tap that only ever sees padding.
        assert_eq!(span(3, 1, 1, 2, 2), (0, 0, 0));
    }

    #[test]
    fn dot_lanes_sums_every_element() {
        let a: [f32; 19] = core::array::from_fn(|i| i as f32);
        let b = [2.0f32; 20];
        assert_eq!(dot_lanes(&a, &b), 2.0 * 171.0);
    }
}
