//! Direct-loop reference for the tiled convolution kernels (tests only): for every weight
//! element and output row it touches, one run of outputs meets a run of inputs spaced by
//! the stride. Simple to read and check by hand; slow on small images, whose short rows
//! do not fill vector registers.

use super::ConvShape;

/// `y[n] += conv(x[n])` without bias.
pub fn correlate(s: &ConvShape, w: &[f32], x: &[f32], y: &mut [f32]) {
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
pub fn correlate_adjoint(s: &ConvShape, w: &[f32], y: &[f32], x: &mut [f32]) {
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
pub fn weight_grad(s: &ConvShape, x: &[f32], dy: &[f32], dw: &mut [f32]) {
    for (xn, dyn_) in x.chunks_exact(s.in_len()).zip(dy.chunks_exact(s.out_len())) {
        taps(s, |wi, xi, yi, n| {
            dw[wi] += dot_gather(&dyn_[yi..yi + n], &xn[xi..], s.sw);
        });
    }
}

/// Calls `row(wi, xi, yi, n)` for every weight element `wi` and every output row it
/// reaches inside the unpadded input: outputs `y[yi + j]` meet inputs `x[xi + j·sw]`
/// through `w[wi]`, for `j` in `0..n` (indices within one sample).
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
fn axpy_gather(a: f32, x: &[f32], s: usize, y: &mut [f32]) {
    for (yj, xj) in y.iter_mut().zip(x.iter().step_by(s)) {
        *yj += a * xj;
    }
}

/// `y[j·s] += a · x[j]` for `j` in `0..x.len()`.
fn axpy_scatter(a: f32, x: &[f32], y: &mut [f32], s: usize) {
    for (yj, xj) in y.iter_mut().step_by(s).zip(x) {
        *yj += a * xj;
    }
}

/// `Σ_j a[j] · x[j·s]` for `j` in `0..a.len()`.
fn dot_gather(a: &[f32], x: &[f32], s: usize) -> f32 {
    a.iter()
        .zip(x.iter().step_by(s))
        .fold(0.0, |acc, (p, q)| acc + p * q)
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
}
