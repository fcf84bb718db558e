//! Element-wise activation kernels: `y[i] = f(x[i])` and `dx[i] = f'(·) · dy[i]`.
//!
//! Each derivative is taken from whichever of `x` or `y` gives it most cheaply: ReLU and
//! leaky ReLU from `x`, tanh and sigmoid from `y`.

/// `y[i] = f(x[i])`.
#[inline]
fn map(x: &[f32], y: &mut [f32], f: impl Fn(f32) -> f32) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi = f(*xi);
    }
}

/// `dx[i] = df(a[i]) · dy[i]` (overwrites `dx`).
#[inline]
fn map_grad(a: &[f32], dy: &[f32], dx: &mut [f32], df: impl Fn(f32) -> f32) {
    debug_assert_eq!(a.len(), dx.len());
    for ((dxi, ai), gi) in dx.iter_mut().zip(a).zip(dy) {
        *dxi = df(*ai) * gi;
    }
}

/// `y = max(x, 0)`.
pub fn relu(x: &[f32], y: &mut [f32]) {
    map(x, y, |v| if v > 0.0 { v } else { 0.0 });
}

/// `dx = dy` where `x > 0`, else 0 (the subgradient 0 at the kink).
pub fn relu_backward(x: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(x, dy, dx, |v| if v > 0.0 { 1.0 } else { 0.0 });
}

/// `y = x` where `x > 0`, else `slope · x`.
pub fn leaky_relu(x: &[f32], y: &mut [f32], slope: f32) {
    map(x, y, |v| if v > 0.0 { v } else { slope * v });
}

/// `dx = dy` where `x > 0`, else `slope · dy`.
pub fn leaky_relu_backward(x: &[f32], dy: &[f32], dx: &mut [f32], slope: f32) {
    map_grad(x, dy, dx, |v| if v > 0.0 { 1.0 } else { slope });
}

/// `y = tanh x` ([`crate::math::tanh`]).
pub fn tanh(x: &[f32], y: &mut [f32]) {
    map(x, y, crate::math::tanh);
}

/// `dx = (1 − y²) · dy`, from the output `y = tanh x`.
pub fn tanh_backward(y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(y, dy, dx, |v| 1.0 - v * v);
}

/// `y = 1 / (1 + e^(−x))`.
pub fn sigmoid(x: &[f32], y: &mut [f32]) {
    map(x, y, |v| 1.0 / (1.0 + libm::expf(-v)));
}

/// `dx = y (1 − y) · dy`, from the output `y = σ(x)`.
pub fn sigmoid_backward(y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(y, dy, dx, |v| v * (1.0 - v));
}
