//! Pixel shuffle kernels (PyTorch's `pixel_shuffle` and `pixel_unshuffle`).
//!
//! Per sample, the low-resolution tensor is `lo: [co·r²][h][w]` and the high-resolution one
//! `hi: [co][h·r][w·r]`, with
//! `hi[c][y·r + i][x·r + j] = lo[c·r² + i·r + j][y][x]`.
//! Both directions are the same permutation, so they share one loop nest.

/// `hi = shuffle(lo)` for a batch (overwrites `hi`).
pub fn shuffle(lo: &[f32], hi: &mut [f32], co: usize, h: usize, w: usize, r: usize) {
    let len = co * r * r * h * w;
    for (l, hn) in lo.chunks_exact(len).zip(hi.chunks_exact_mut(len)) {
        pairs(co, h, w, r, |li, hi_| hn[hi_] = l[li]);
    }
}

/// `lo = unshuffle(hi)` for a batch (overwrites `lo`): the inverse of [`shuffle`].
pub fn unshuffle(hi: &[f32], lo: &mut [f32], co: usize, h: usize, w: usize, r: usize) {
    let len = co * r * r * h * w;
    for (hn, l) in hi.chunks_exact(len).zip(lo.chunks_exact_mut(len)) {
        pairs(co, h, w, r, |li, hi_| l[li] = hn[hi_]);
    }
}

/// Calls `f(lo index, hi index)` for every element of one sample; the inner loop walks a
/// low-resolution row contiguously.
#[inline(always)]
fn pairs(co: usize, h: usize, w: usize, r: usize, mut f: impl FnMut(usize, usize)) {
    let (hh, hw) = (h * r, w * r);
    for c in 0..co {
        for i in 0..r {
            for j in 0..r {
                let lc = (c * r + i) * r + j;
                for y in 0..h {
                    let lrow = (lc * h + y) * w;
                    let hrow = (c * hh + y * r + i) * hw + j;
                    for x in 0..w {
                        f(lrow + x, hrow + x * r);
                    }
                }
            }
        }
    }
}
