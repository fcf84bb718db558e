//! Dense (fully connected) kernels.
//!
//! Shapes: `w: [out][inp]`, `b: [out]`, `x: [batch][inp]`, `y: [batch][out]`.

/// `y[n][o] = b[o] + Σ_i w[o][i] · x[n][i]`.
pub fn forward(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], inp: usize, out: usize) {
    debug_assert_eq!(w.len(), inp * out);
    for (xn, yn) in x.chunks_exact(inp).zip(y.chunks_exact_mut(out)) {
        for ((yo, wo), bo) in yn.iter_mut().zip(w.chunks_exact(inp)).zip(b) {
            *yo = bo + dot(wo, xn);
        }
    }
}

/// `dx[n][i] = Σ_o dy[n][o] · w[o][i]` (overwrites `dx`).
pub fn backward_input(w: &[f32], dy: &[f32], dx: &mut [f32], inp: usize, out: usize) {
    for (dyn_, dxn) in dy.chunks_exact(out).zip(dx.chunks_exact_mut(inp)) {
        dxn.fill(0.0);
        for (g, wo) in dyn_.iter().zip(w.chunks_exact(inp)) {
            axpy(*g, wo, dxn);
        }
    }
}

/// `dw[o][i] += Σ_n dy[n][o] · x[n][i]`, `db[o] += Σ_n dy[n][o]`.
pub fn backward_params(
    x: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
    inp: usize,
    out: usize,
) {
    for (xn, dyn_) in x.chunks_exact(inp).zip(dy.chunks_exact(out)) {
        for ((g, dwo), dbo) in dyn_.iter().zip(dw.chunks_exact_mut(inp)).zip(db.iter_mut()) {
            *dbo += g;
            axpy(*g, xn, dwo);
        }
    }
}

/// `Σ_i a[i] · b[i]`, summed left to right.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).fold(0.0, |s, (p, q)| s + p * q)
}

/// `y[i] += a · x[i]`.
#[inline]
pub fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}
