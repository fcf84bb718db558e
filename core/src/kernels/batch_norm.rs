//! Batch-norm kernels, shared by batch norm and virtual batch norm.
//!
//! Layout: `x: [batch][channels][spatial]` (features are `spatial = 1`, CHW images
//! `spatial = H·W`); `gamma`, `beta` and statistics are per channel (`[channels]`).
//!
//! The training forward normalises against a *reference batch*, the first `refs` samples:
//! with `μ_r`, `σ_r²` the mean and biased variance of a channel over the reference
//! samples' values, a reference sample uses `(μ_r, σ_r²)`; any other sample `i` uses the
//! statistics of the reference values plus its own, `refs + 1` samples in all:
//!
//! ```text
//! d_i = mean_s(x_i − μ_r)          v_i = mean_s((x_i − μ_r)²)
//! μ_i = μ_r + d_i/(refs+1)          σ_i² = (v_i + refs·σ_r²)/(refs+1) − (d_i/(refs+1))²
//! y   = γ (x − μ) / √(σ² + eps) + β
//! ```
//!
//! which is Salimans et al.'s `μ_i = x_i/(N+1) + N·μ_ref/(N+1)` and `σ_i² = E_i[x²] − μ_i²`
//! written around `μ_r` so that no large squares cancel. With `refs = batch` this is plain
//! batch norm (biased variance).
//!
//! The loops run over blocks of [`LANES`] channels at a time, samples outermost, so that
//! feature vectors (`spatial = 1`, channels contiguous) are read with vector loads; each
//! channel's sums still run in sample order, then position order.

use super::tile::{in_blocks, load, store};

/// Channels processed together (the vector lanes).
pub const LANES: usize = 16;

/// Where the values of a batch live: `x[(n·channels + c)·spatial + s]`. `ROWS` marks
/// feature vectors (`spatial == 1`): their channels are contiguous and every access is a
/// vector load, which the compiler only emits cleanly when it knows this at compile time.
#[derive(Clone, Copy)]
struct Layout<const ROWS: bool> {
    channels: usize,
    spatial: usize,
}

/// Runs `body` with `lay` bound to the [`Layout`] of `channels` and `spatial`, compiled
/// once for feature vectors and once for images.
macro_rules! with_layout {
    ($channels:expr, $spatial:expr, |$lay:ident| $body:expr) => {{
        let (channels, spatial): (usize, usize) = ($channels, $spatial);
        if spatial == 1 {
            let $lay = Layout::<true> { channels, spatial };
            $body
        } else {
            let $lay = Layout::<false> { channels, spatial };
            $body
        }
    }};
}

impl<const ROWS: bool> Layout<ROWS> {
    /// Positions per channel (1 for feature vectors, known to the compiler).
    #[inline(always)]
    fn spatial(&self) -> usize {
        if ROWS { 1 } else { self.spatial }
    }

    /// Samples in a batch of `len` values.
    fn batch(&self, len: usize) -> usize {
        len.checked_div(self.channels * self.spatial()).unwrap_or(0)
    }

    /// Index of channel `c`'s first value at sample `n`; the next channel's is `spatial`
    /// further.
    #[inline(always)]
    fn start(&self, n: usize, c: usize) -> usize {
        (n * self.channels + c) * self.spatial()
    }

    /// Channels `c0..c0 + L` of sample `n` (feature vectors).
    #[inline(always)]
    fn row<const L: usize>(&self, x: &[f32], n: usize, c0: usize) -> [f32; L] {
        load(x, self.start(n, c0))
    }

    /// The positions of channel `c` of sample `n` (images: contiguous).
    #[inline(always)]
    fn plane<'a>(&self, x: &'a [f32], n: usize, c: usize) -> &'a [f32] {
        &x[self.start(n, c)..][..self.spatial()]
    }

    /// Per channel `l` of `c0..c0 + L`, `(Σ a, Σ b)` over the values of samples `samples`,
    /// where `(a, b) = f(l, v, d)` for each value `v` of `x` and `d` of `dy` at the same
    /// place. Feature vectors sum lane by lane in sample order; images sum each channel's
    /// contiguous positions in [`LANES`] partial sums (by position mod [`LANES`], in
    /// sample order), then add those up.
    #[inline(always)]
    fn sums<const L: usize>(
        &self,
        (x, dy): (&[f32], &[f32]),
        c0: usize,
        samples: core::ops::Range<usize>,
        f: impl Fn(usize, f32, f32) -> (f32, f32),
    ) -> ([f32; L], [f32; L]) {
        let (mut sa, mut sb) = ([0.0; L], [0.0; L]);
        if ROWS {
            for n in samples {
                let (v, d) = (self.row::<L>(x, n, c0), self.row::<L>(dy, n, c0));
                for l in 0..L {
                    let (a, b) = f(l, v[l], d[l]);
                    sa[l] += a;
                    sb[l] += b;
                }
            }
            return (sa, sb);
        }
        for l in 0..L {
            let (mut pa, mut pb) = ([0.0f32; LANES], [0.0f32; LANES]);
            for n in samples.clone() {
                let (xs, ds) = (self.plane(x, n, c0 + l), self.plane(dy, n, c0 + l));
                let (xc, dc) = (xs.chunks_exact(LANES), ds.chunks_exact(LANES));
                let tail = xc.remainder().iter().zip(dc.remainder());
                for (xv, dv) in xc.zip(dc) {
                    for k in 0..LANES {
                        let (a, b) = f(l, xv[k], dv[k]);
                        pa[k] += a;
                        pb[k] += b;
                    }
                }
                for (k, (v, d)) in tail.enumerate() {
                    let (a, b) = f(l, *v, *d);
                    pa[k] += a;
                    pb[k] += b;
                }
            }
            sa[l] = pa.iter().sum();
            sb[l] = pb.iter().sum();
        }
        (sa, sb)
    }

    /// `out = f(l, v, d)` for every value of channels `c0..c0 + L` of sample `n`, with `v`
    /// from `x` and `d` from `dy` at the same place.
    #[inline(always)]
    fn map<const L: usize>(
        &self,
        (x, dy): (&[f32], &[f32]),
        out: &mut [f32],
        (n, c0): (usize, usize),
        f: impl Fn(usize, f32, f32) -> f32,
    ) {
        if ROWS {
            let (v, d) = (self.row::<L>(x, n, c0), self.row::<L>(dy, n, c0));
            store(out, self.start(n, c0), &each::<L>(|l| f(l, v[l], d[l])));
            return;
        }
        for l in 0..L {
            let o = &mut out[self.start(n, c0 + l)..][..self.spatial];
            for ((o, v), d) in
                o.iter_mut()
                    .zip(self.plane(x, n, c0 + l))
                    .zip(self.plane(dy, n, c0 + l))
            {
                *o = f(l, *v, *d);
            }
        }
    }
}

/// `[f(l) for l in 0..L]`, filled by a plain loop: `core::array::from_fn` is not always
/// inlined, and a call per tile row keeps the lanes out of registers.
#[inline(always)]
fn each<const L: usize>(mut f: impl FnMut(usize) -> f32) -> [f32; L] {
    let mut v = [0.0; L];
    for (l, v) in v.iter_mut().enumerate() {
        *v = f(l);
    }
    v
}

/// Per-channel `(Σ (v − m), Σ (v − m)²)` over the values of samples `samples`.
#[inline(always)]
fn centred_sums<const L: usize, const ROWS: bool>(
    x: &[f32],
    lay: Layout<ROWS>,
    c0: usize,
    samples: core::ops::Range<usize>,
    m: &[f32; L],
) -> ([f32; L], [f32; L]) {
    lay.sums((x, x), c0, samples, |l, v, _| {
        let d = v - m[l];
        (d, d * d)
    })
}

/// Per-channel `(Σ dy, Σ dy·(x − m))` over the values of samples `samples`.
#[inline(always)]
fn grad_sums<const L: usize, const ROWS: bool>(
    x: &[f32],
    dy: &[f32],
    lay: Layout<ROWS>,
    c0: usize,
    samples: core::ops::Range<usize>,
    m: &[f32; L],
) -> ([f32; L], [f32; L]) {
    lay.sums((x, dy), c0, samples, |l, v, d| (d, d * (v - m[l])))
}

/// Mean and biased variance of channels `c0..c0 + L` over the first `refs` samples.
#[inline(always)]
fn reference_stats<const L: usize, const ROWS: bool>(
    x: &[f32],
    lay: Layout<ROWS>,
    c0: usize,
    refs: usize,
) -> ([f32; L], [f32; L]) {
    let n = (refs * lay.spatial()) as f32;
    let (sum, _) = centred_sums(x, lay, c0, 0..refs, &[0.0; L]);
    let mean = each(|l| sum[l] / n);
    let (_, sq) = centred_sums(x, lay, c0, 0..refs, &mean);
    (mean, each(|l| sq[l] / n))
}

/// The statistics of the reference values `r = (μ_r, σ_r²)` of `refs` samples plus sample
/// `n`'s own, and their `1/√(σ² + eps)`.
#[inline(always)]
fn mixed_stats<const L: usize, const ROWS: bool>(
    x: &[f32],
    lay: Layout<ROWS>,
    c0: usize,
    n: usize,
    r: ([f32; L], [f32; L]),
    refs: usize,
    eps: f32,
) -> (([f32; L], [f32; L]), [f32; L]) {
    let (mean_r, var_r) = r;
    let w = 1.0 / (refs + 1) as f32;
    let s = lay.spatial() as f32;
    let (sum, sq) = centred_sums(x, lay, c0, n..n + 1, &mean_r);
    let shift = each::<L>(|l| sum[l] / s * w);
    let var = each(|l| (sq[l] / s + refs as f32 * var_r[l]) * w - shift[l] * shift[l]);
    (
        (each(|l| mean_r[l] + shift[l]), var),
        each(|l| inv_std(var[l], eps)),
    )
}

/// The reference statistics of channels `c0..c0 + L` and their `1/√(σ² + eps)`.
#[inline(always)]
fn reference<const L: usize, const ROWS: bool>(
    x: &[f32],
    lay: Layout<ROWS>,
    c0: usize,
    refs: usize,
    eps: f32,
) -> (([f32; L], [f32; L]), [f32; L]) {
    let r = reference_stats::<L, _>(x, lay, c0, refs);
    (r, each(|l| inv_std(r.1[l], eps)))
}

/// `1 / √(var + eps)`.
#[inline]
fn inv_std(var: f32, eps: f32) -> f32 {
    1.0 / crate::math::sqrt(var + eps)
}

/// `y = γ (x − mean)·inv + β` for channels `c0..c0 + L` of sample `n`, where
/// `inv = 1/√(var + eps)`.
#[inline(always)]
fn normalize<const L: usize, const ROWS: bool>(
    x: &[f32],
    y: &mut [f32],
    lay: Layout<ROWS>,
    (c0, n): (usize, usize),
    ((mean, _), inv): (([f32; L], [f32; L]), [f32; L]),
    (gamma, beta): (&[f32], &[f32]),
) {
    let (g, b): ([f32; L], [f32; L]) = (load(gamma, c0), load(beta, c0));
    let scale = each::<L>(|l| g[l] * inv[l]);
    lay.map::<L>((x, x), y, (n, c0), |l, v, _| {
        (v - mean[l]) * scale[l] + b[l]
    });
}

/// [`normalize`] for each sample `n` of `samples` with the statistics of the reference
/// values `r = (μ_r, σ_r²)` of `refs` samples plus its own ([`mixed_stats`]).
#[inline(always)]
fn normalize_mixed<const L: usize, const ROWS: bool>(
    x: &[f32],
    y: &mut [f32],
    lay: Layout<ROWS>,
    (c0, samples): (usize, core::ops::Range<usize>),
    (r, refs, eps): (([f32; L], [f32; L]), usize, f32),
    affine: (&[f32], &[f32]),
) {
    for n in samples {
        let s = mixed_stats(x, lay, c0, n, r, refs, eps);
        normalize(x, y, lay, (c0, n), s, affine);
    }
}

/// Inference: `y = γ (x − mean[c]) / √(var[c] + eps) + β` with given per-channel statistics
/// (batch norm's running statistics).
pub fn forward_fixed(
    x: &[f32],
    y: &mut [f32],
    stats: (&[f32], &[f32]),
    affine: (&[f32], &[f32]),
    eps: f32,
    spatial: usize,
) {
    with_layout!(affine.0.len(), spatial, |lay| {
        let batch = lay.batch(x.len());
        in_blocks!(lay.channels, LANES, |c0, L| {
            let var: [f32; L] = load(stats.1, c0);
            let s = ((load(stats.0, c0), var), each(|l| inv_std(var[l], eps)));
            for n in 0..batch {
                normalize(x, y, lay, (c0, n), s, affine);
            }
        });
    })
}

/// Training forward against the reference batch `x[..refs]` (see the module docs). The
/// reference statistics `(μ_r, σ_r²)` of each channel are written to `record`.
pub fn forward_reference(
    x: &[f32],
    y: &mut [f32],
    affine: (&[f32], &[f32]),
    eps: f32,
    spatial: usize,
    refs: usize,
    record: (&mut [f32], &mut [f32]),
) {
    with_layout!(affine.0.len(), spatial, |lay| {
        let batch = lay.batch(x.len());
        in_blocks!(lay.channels, LANES, |c0, L| {
            let r = reference::<L, _>(x, lay, c0, refs, eps);
            store(record.0, c0, &r.0.0);
            store(record.1, c0, &r.0.1);
            for n in 0..refs.min(batch) {
                normalize(x, y, lay, (c0, n), r, affine);
            }
            normalize_mixed(x, y, lay, (c0, refs..batch), (r.0, refs, eps), affine);
        });
    })
}

/// Inference against stored reference statistics `(μ_r, σ_r²)` per channel: every sample
/// is normalised with the statistics of the reference batch plus itself, as a
/// non-reference sample of [`forward_reference`] is.
pub fn forward_stored_reference(
    x: &[f32],
    y: &mut [f32],
    stats: (&[f32], &[f32]),
    affine: (&[f32], &[f32]),
    eps: f32,
    spatial: usize,
    refs: usize,
) {
    with_layout!(affine.0.len(), spatial, |lay| {
        let batch = lay.batch(x.len());
        in_blocks!(lay.channels, LANES, |c0, L| {
            let r: ([f32; L], [f32; L]) = (load(stats.0, c0), load(stats.1, c0));
            normalize_mixed(x, y, lay, (c0, 0..batch), (r, refs, eps), affine);
        });
    })
}

/// `running ← (1 − momentum)·running + momentum·batch`, with the batch mean and the
/// unbiased batch variance (`n/(n−1)` times the biased one, `n = batch·spatial`), as
/// PyTorch does. Needs `n > 1`.
pub fn update_running(
    x: &[f32],
    (mean, var): (&mut [f32], &mut [f32]),
    momentum: f32,
    spatial: usize,
) {
    with_layout!(mean.len(), spatial, |lay| {
        let batch = lay.batch(x.len());
        let n = (batch * spatial) as f32;
        in_blocks!(lay.channels, LANES, |c0, L| {
            let (m, v) = reference_stats::<L, _>(x, lay, c0, batch);
            for l in 0..L {
                mean[c0 + l] += momentum * (m[l] - mean[c0 + l]);
                var[c0 + l] += momentum * (v[l] * n / (n - 1.0) - var[c0 + l]);
            }
        });
    })
}

/// Backward of [`forward_reference`]: `dx` (overwritten) through every sample's own
/// statistics and through the reference statistics into the reference rows;
/// `dgamma += Σ dy·x̂`, `dbeta += Σ dy` per channel.
///
/// With `g = γ dy`, `x̂ = (x − μ)/σ`, per sample `dμ = −Σ g/σ` and
/// `dσ² = −Σ g (x − μ)/(2σ³)`. A statistic that averages values with weights `p`
/// (`Σp = 1`) has `∂μ/∂x = p` and `∂σ²/∂x = 2p(x − μ)`. A non-reference sample weighs its
/// own values `1/((refs+1)·spatial)`; the reference values get, from every sample,
/// `C_μ + 2 C_v (x − μ_r)` spread over `spatial` values, with
/// `C_μ = Σ_ref dμ/refs + Σ_other (dμ − 2dσ²(μ_i − μ_r))/(refs+1)` and
/// `C_v = Σ_ref dσ²/refs + Σ_other dσ²/(refs+1)`.
#[allow(clippy::too_many_arguments)]
pub fn backward_reference(
    x: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    gamma: &[f32],
    (dgamma, dbeta): (&mut [f32], &mut [f32]),
    eps: f32,
    spatial: usize,
    refs: usize,
) {
    with_layout!(gamma.len(), spatial, |lay| {
        let batch = lay.batch(x.len());
        let sp = spatial as f32;
        let (w_ref, w_other) = (1.0 / refs as f32, 1.0 / (refs + 1) as f32);
        in_blocks!(lay.channels, LANES, |c0, L| {
            let (r, r_inv) = reference::<L, _>(x, lay, c0, refs, eps);
            let g: [f32; L] = load(gamma, c0);
            // The reference samples share the statistics r, so their dμ and dσ² are linear in
            // sums over all of them.
            let (sum_g, sum_gx) = grad_sums(x, dy, lay, c0, 0..refs.min(batch), &r.0);
            let mut c_mean = each::<L>(|l| -g[l] * r_inv[l] * sum_g[l] * w_ref);
            let mut c_var =
                each::<L>(|l| -0.5 * g[l] * r_inv[l] * r_inv[l] * r_inv[l] * sum_gx[l] * w_ref);
            for l in 0..L {
                dbeta[c0 + l] += sum_g[l];
                dgamma[c0 + l] += sum_gx[l] * r_inv[l];
            }
            for n in refs..batch {
                let ((mean, _), inv) = mixed_stats(x, lay, c0, n, r, refs, eps);
                let (sum_g, sum_gx) = grad_sums(x, dy, lay, c0, n..n + 1, &mean);
                let d_mean = each::<L>(|l| -g[l] * inv[l] * sum_g[l]);
                let d_var = each::<L>(|l| -0.5 * g[l] * inv[l] * inv[l] * inv[l] * sum_gx[l]);
                for l in 0..L {
                    dbeta[c0 + l] += sum_g[l];
                    dgamma[c0 + l] += sum_gx[l] * inv[l];
                    c_mean[l] += (d_mean[l] - 2.0 * d_var[l] * (mean[l] - r.0[l])) * w_other;
                    c_var[l] += d_var[l] * w_other;
                }
                let k = w_other / sp;
                lay.map::<L>((x, dy), dx, (n, c0), |l, v, d| {
                    g[l] * inv[l] * d + k * (d_mean[l] + 2.0 * d_var[l] * (v - mean[l]))
                });
            }
            let inv = r_inv;
            for n in 0..refs.min(batch) {
                lay.map::<L>((x, dy), dx, (n, c0), |l, v, d| {
                    g[l] * inv[l] * d + (c_mean[l] + 2.0 * c_var[l] * (v - r.0[l])) / sp
                });
            }
        });
    })
}
