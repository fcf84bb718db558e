//! Pixel shuffle kernels (PyTorch's `pixel_shuffle` and `pixel_unshuffle`).
//!
//! Per sample, the low-resolution tensor is `lo: [co·r²][h][w]` and the high-resolution one
//! `hi: [co][h·r][w·r]`, with
//! `hi[c][y·r + i][x·r + j] = lo[c·r² + i·r + j][y][x]`.
//! Both directions are the same permutation, so they share one loop nest. Being a
//! permutation, it serves any element type: `f32` values and int8 codes alike.

/// `hi = shuffle(lo)` for a batch (overwrites `hi`).
pub fn shuffle<T: Copy>(lo: &[T], hi: &mut [T], co: usize, h: usize, w: usize, r: usize) {
    let len = co * r * r * h * w;
    for (l, hn) in lo.chunks_exact(len).zip(hi.chunks_exact_mut(len)) {
        pairs(co, h, w, r, |li, hi_| hn[hi_] = l[li]);
    }
}

/// `lo = unshuffle(hi)` for a batch (overwrites `lo`): the inverse of [`shuffle`].
pub fn unshuffle<T: Copy>(hi: &[T], lo: &mut [T], co: usize, h: usize, w: usize, r: usize) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// int8 codes, one output channel, `r = 2`, 1×2 low-resolution planes:
    /// `hi[0][i][2x + j] = lo[2i + j][0][x]`.
    #[test]
    fn shuffles_codes_by_hand() {
        let lo: [i8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];
        let mut hi = [0i8; 8];
        shuffle(&lo, &mut hi, 1, 1, 2, 2);
        assert_eq!(hi, [1, 3, 2, 4, 5, 7, 6, 8]);
        let mut back = [0i8; 8];
        unshuffle(&hi, &mut back, 1, 1, 2, 2);
        assert_eq!(back, lo);
    }
}
