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

/// The `spatial` values of channel `c` of every sample, in batch order.
fn rows(x: &[f32], c: usize, channels: usize, spatial: usize) -> impl Iterator<Item = &[f32]> {
    x.chunks_exact(spatial).skip(c).step_by(channels)
}

/// Mutable [`rows`].
fn rows_mut(
    x: &mut [f32],
    c: usize,
    channels: usize,
    spatial: usize,
) -> impl Iterator<Item = &mut [f32]> {
    x.chunks_exact_mut(spatial).skip(c).step_by(channels)
}

/// `(Σ (v − m), Σ (v − m)²)` over `row`.
fn centred_sums(row: &[f32], m: f32) -> (f32, f32) {
    row.iter().fold((0.0, 0.0), |(s, q), v| {
        let d = v - m;
        (s + d, q + d * d)
    })
}

/// Mean and biased variance of channel `c` over the first `refs` samples.
pub fn reference_stats(
    x: &[f32],
    c: usize,
    channels: usize,
    spatial: usize,
    refs: usize,
) -> (f32, f32) {
    let n = (refs * spatial) as f32;
    let mean = rows(x, c, channels, spatial)
        .take(refs)
        .flatten()
        .sum::<f32>()
        / n;
    let var = rows(x, c, channels, spatial)
        .take(refs)
        .map(|r| centred_sums(r, mean).1)
        .sum::<f32>()
        / n;
    (mean, var)
}

/// The statistics sample `n` (values `row` of one channel) is normalised with, given the
/// reference statistics `stats = (μ_r, σ_r²)`; see the module docs.
fn sample_stats(n: usize, row: &[f32], stats: (f32, f32), refs: usize) -> (f32, f32) {
    if n < refs {
        return stats;
    }
    let (mean_r, var_r) = stats;
    let w = 1.0 / (refs + 1) as f32;
    let s = row.len() as f32;
    let (sum, sq) = centred_sums(row, mean_r);
    let shift = sum / s * w;
    (
        mean_r + shift,
        (sq / s + refs as f32 * var_r) * w - shift * shift,
    )
}

/// `1 / √(var + eps)`.
#[inline]
fn inv_std(var: f32, eps: f32) -> f32 {
    1.0 / libm::sqrtf(var + eps)
}

/// `y = γ (x − mean) / √(var + eps) + β` over one row.
#[inline]
fn normalize_row(x: &[f32], y: &mut [f32], (mean, var): (f32, f32), eps: f32, g: f32, b: f32) {
    let scale = g * inv_std(var, eps);
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi = (xi - mean) * scale + b;
    }
}

/// Inference: `y = γ (x − mean[c]) / √(var[c] + eps) + β` with given per-channel statistics
/// (batch norm's running statistics).
pub fn forward_fixed(
    x: &[f32],
    y: &mut [f32],
    stats: (&[f32], &[f32]),
    (gamma, beta): (&[f32], &[f32]),
    eps: f32,
    spatial: usize,
) {
    let channels = gamma.len();
    for c in 0..channels {
        let s = (stats.0[c], stats.1[c]);
        for (xr, yr) in rows(x, c, channels, spatial).zip(rows_mut(y, c, channels, spatial)) {
            normalize_row(xr, yr, s, eps, gamma[c], beta[c]);
        }
    }
}

/// Training forward against the reference batch `x[..refs]` (see the module docs). The
/// reference statistics `(μ_r, σ_r²)` of each channel are written to `record`.
pub fn forward_reference(
    x: &[f32],
    y: &mut [f32],
    (gamma, beta): (&[f32], &[f32]),
    eps: f32,
    spatial: usize,
    refs: usize,
    record: (&mut [f32], &mut [f32]),
) {
    let channels = gamma.len();
    for c in 0..channels {
        let r = reference_stats(x, c, channels, spatial, refs);
        (record.0[c], record.1[c]) = r;
        let pairs = rows(x, c, channels, spatial).zip(rows_mut(y, c, channels, spatial));
        for (n, (xr, yr)) in pairs.enumerate() {
            let s = sample_stats(n, xr, r, refs);
            normalize_row(xr, yr, s, eps, gamma[c], beta[c]);
        }
    }
}

/// Inference against stored reference statistics `(μ_r, σ_r²)` per channel: every sample
/// is normalised with the statistics of the reference batch plus itself, as a
/// non-reference sample of [`forward_reference`] is.
pub fn forward_stored_reference(
    x: &[f32],
    y: &mut [f32],
    (mean, var): (&[f32], &[f32]),
    (gamma, beta): (&[f32], &[f32]),
    eps: f32,
    spatial: usize,
    refs: usize,
) {
    let channels = gamma.len();
    for c in 0..channels {
        let pairs = rows(x, c, channels, spatial).zip(rows_mut(y, c, channels, spatial));
        for (xr, yr) in pairs {
            let s = sample_stats(refs, xr, (mean[c], var[c]), refs);
            normalize_row(xr, yr, s, eps, gamma[c], beta[c]);
        }
    }
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
    let channels = mean.len();
    let batch = x.len() / (channels * spatial);
    let n = (batch * spatial) as f32;
    for c in 0..channels {
        let (m, v) = reference_stats(x, c, channels, spatial, batch);
        mean[c] += momentum * (m - mean[c]);
        var[c] += momentum * (v * n / (n - 1.0) - var[c]);
    }
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
    let channels = gamma.len();
    let s = spatial as f32;
    let (w_ref, w_other) = (1.0 / refs as f32, 1.0 / (refs + 1) as f32);
    for c in 0..channels {
        let r = reference_stats(x, c, channels, spatial, refs);
        let (mut c_mean, mut c_var) = (0.0, 0.0);
        let rows_in = rows(x, c, channels, spatial).zip(rows(dy, c, channels, spatial));
        for (n, ((xr, gr), dxr)) in rows_in.zip(rows_mut(dx, c, channels, spatial)).enumerate() {
            let (mean, var) = sample_stats(n, xr, r, refs);
            let inv = inv_std(var, eps);
            let (sum_g, sum_gx) = xr
                .iter()
                .zip(gr)
                .fold((0.0, 0.0), |(a, b), (v, g)| (a + g, b + g * (v - mean)));
            dbeta[c] += sum_g;
            dgamma[c] += sum_gx * inv;
            let d_mean = -gamma[c] * inv * sum_g;
            let d_var = -0.5 * gamma[c] * inv * inv * inv * sum_gx;
            if n < refs {
                c_mean += d_mean * w_ref;
                c_var += d_var * w_ref;
                continue;
            }
            c_mean += (d_mean - 2.0 * d_var * (mean - r.0)) * w_other;
            c_var += d_var * w_other;
            let k = w_other / s;
            for ((d, v), g) in dxr.iter_mut().zip(xr).zip(gr) {
                *d = gamma[c] * inv * g + k * (d_mean + 2.0 * d_var * (v - mean));
            }
        }
        let inv = inv_std(r.1, eps);
        let rows_in = rows(x, c, channels, spatial).zip(rows(dy, c, channels, spatial));
        for ((xr, gr), dxr) in rows_in.zip(rows_mut(dx, c, channels, spatial)).take(refs) {
            for ((d, v), g) in dxr.iter_mut().zip(xr).zip(gr) {
                *d = gamma[c] * inv * g + (c_mean + 2.0 * c_var * (v - r.0)) / s;
            }
        }
    }
}
