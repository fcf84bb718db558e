//! The register tile shared by the dense and convolution kernels.
//!
//! Every matrix product in the kernels is a loop of [`gemm`] over a tile of `R` rows by
//! `L` lanes of accumulators, which the compiler keeps in vector registers. [`load`] and
//! [`store`] move one row of a tile between a slice and the registers; [`in_blocks!`]
//! runs a tile over rows (or lanes) in blocks of `R` and then one by one, so that no
//! tile ever reaches past the end of a row and the loads need no padding or branches.

/// `acc[r][l] += a(r, k) · b(k)[l]` for `k` in `0..n`, in order: every accumulator sums
/// its products in the order of `k`, so the result does not depend on `R` or `L`.
#[inline(always)]
pub(crate) fn gemm<const R: usize, const L: usize>(
    acc: &mut [[f32; L]; R],
    n: usize,
    a: impl Fn(usize, usize) -> f32,
    b: impl Fn(usize) -> [f32; L],
) {
    for k in 0..n {
        let bk = b(k);
        for (r, acc_r) in acc.iter_mut().enumerate() {
            let ark = a(r, k);
            for (acc_rl, bkl) in acc_r.iter_mut().zip(bk) {
                *acc_rl += ark * bkl;
            }
        }
    }
}

/// `row[p0..p0 + L]` as an array (one vector load).
#[inline(always)]
pub(crate) fn load<const L: usize>(row: &[f32], p0: usize) -> [f32; L] {
    let mut v = [0.0; L];
    v.copy_from_slice(&row[p0..p0 + L]);
    v
}

/// `row[p0..p0 + L] = v`.
#[inline(always)]
pub(crate) fn store<const L: usize>(row: &mut [f32], p0: usize, v: &[f32; L]) {
    row[p0..p0 + L].copy_from_slice(v);
}

/// `in_blocks!(n, BLOCK, |i, C| body)` runs `body` with `i = 0, BLOCK, 2·BLOCK, ...` and
/// the constant `C = BLOCK` while a whole block fits in `0..n`, then with `C = 1` for each
/// remaining `i`; `body` typically calls a tile function `f::<C>(.., i, ..)`.
macro_rules! in_blocks {
    ($n:expr, $block:expr, |$i:ident, $c:ident| $body:expr) => {{
        let n: usize = $n;
        let mut $i: usize = 0;
        while $i + $block <= n {
            {
                const $c: usize = $block;
                $body;
            }
            $i += $block;
        }
        while $i < n {
            {
                const $c: usize = 1;
                $body;
            }
            $i += 1;
        }
    }};
}
pub(crate) use in_blocks;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemm_by_hand() {
        let mut acc = [[1.0, 2.0]; 2];
        let a = [[1.0, 2.0], [3.0, 4.0]];
        let b = [[1.0, 10.0], [100.0, 1000.0]];
        gemm(&mut acc, 2, |r, k| a[r][k], |k| b[k]);
        assert_eq!(acc, [[202.0, 2012.0], [404.0, 4032.0]]);
    }

    #[test]
    fn load_and_store_by_hand() {
        assert_eq!(load::<2>(&[1.0, 2.0, 3.0], 1), [2.0, 3.0]);
        let mut out = [0.0; 3];
        store(&mut out, 1, &[7.0, 8.0]);
        assert_eq!(out, [0.0, 7.0, 8.0]);
    }

    #[test]
    fn in_blocks_covers_every_row_once() {
        fn mark<const R: usize>(seen: &mut [usize], r: usize) {
            for s in &mut seen[r..r + R] {
                *s += R;
            }
        }
        let mut seen = [0; 7];
        in_blocks!(7, 3, |r, R| mark::<R>(&mut seen, r));
        assert_eq!(seen, [3, 3, 3, 3, 3, 3, 1]);
    }
}
