//! Element-wise activations over any tensor shape: features `[f32; N]` or CHW images.
//!
//! Each activation is one struct generic over the sample type `T` (`In = Out = T`), so
//! `Relu<[f32; 128]>` and `Relu<[[[f32; 8]; 8]; 16]>` share one kernel. They have no
//! parameters; [`Zero::ZERO`] is the only value.

use super::{Layer, TrainLayer};
use crate::kernels::activation as k;
use crate::tensor::{Tensor, Zero, flat, flat_mut};
use core::marker::PhantomData;

/// Declares a parameterless element-wise activation layer from its kernel calls.
macro_rules! activation {
    (
        $(#[$doc:meta])*
        struct $name:ident<T $(, const $c:ident: $ct:ty = $cd:literal)?>;
        forward($x:ident, $y:ident) $fwd:block
        backward($bx:ident, $by:ident, $dy:ident, $dx:ident) $bwd:block
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub struct $name<T $(, const $c: $ct = $cd)?>(PhantomData<T>);

        impl<T: Tensor $(, const $c: $ct)?> Zero for $name<T $(, $c)?> {
            const ZERO: Self = Self(PhantomData);
        }

        crate::no_params!($name<T $(, $c)?>, T: Tensor $(, const $c: $ct)?);

        impl<T: Tensor $(, const $c: $ct)?> Layer for $name<T $(, $c)?> {
            type In = T;
            type Out = T;

            fn forward<const B: usize>(&self, x: &[T; B], y: &mut [T; B]) {
                let ($x, $y) = (flat(x), flat_mut(y));
                $fwd
            }
        }

        impl<T: Tensor $(, const $c: $ct)?> TrainLayer for $name<T $(, $c)?> {
            fn backward<const B: usize>(
                &self,
                x: &[T; B],
                y: &[T; B],
                dy: &[T; B],
                dx: &mut [T; B],
                _grads: &mut Self,
            ) {
                let ($bx, $by, $dy, $dx) = (flat(x), flat(y), flat(dy), flat_mut(dx));
                $bwd
            }
        }
    };
}

activation! {
    /// Rectified linear unit, `y = max(x, 0)`; backward passes `dy` where `x > 0`.
    ///
    /// Shapes: `x, y: [B]T` for any tensor `T`. Used in DCGAN's generator (Radford et al.
    /// 2015, arXiv:1511.06434, §3).
    struct Relu<T>;
    forward(x, y) { k::relu(x, y) }
    backward(x, _y, dy, dx) { k::relu_backward(x, dy, dx) }
}

activation! {
    /// Leaky ReLU, `y = x` for `x > 0`, else `slope · x`, with
    /// `slope = SLOPE_PERMILLE / 1000` a constant of the type (default 200: slope 0.2, as in
    /// DCGAN's discriminator, Radford et al. 2015, arXiv:1511.06434, §3; PyTorch's default
    /// 0.01 is `LeakyRelu<T, 10>`).
    ///
    /// Shapes: `x, y: [B]T` for any tensor `T`. The slope is a const generic rather than a
    /// field so the layer has no state and `ZERO` is a working layer.
    struct LeakyRelu<T, const SLOPE_PERMILLE: u32 = 200>;
    forward(x, y) { k::leaky_relu(x, y, Self::SLOPE) }
    backward(x, _y, dy, dx) { k::leaky_relu_backward(x, dy, dx, Self::SLOPE) }
}

impl<T, const SLOPE_PERMILLE: u32> LeakyRelu<T, SLOPE_PERMILLE> {
    /// The negative-side slope, `SLOPE_PERMILLE / 1000`.
    pub const SLOPE: f32 = SLOPE_PERMILLE as f32 / 1000.0;
}

activation! {
    /// Hyperbolic tangent, `y = tanh x`; backward `dx = (1 − y²) dy`.
    ///
    /// Shapes: `x, y: [B]T` for any tensor `T`. The generator's output layer, so that
    /// samples lie in [−1, 1] like the scaled data (DCGAN, arXiv:1511.06434, §3).
    struct Tanh<T>;
    forward(x, y) { k::tanh(x, y) }
    backward(_x, y, dy, dx) { k::tanh_backward(y, dy, dx) }
}

activation! {
    /// Logistic sigmoid, `y = 1 / (1 + e^(−x))`; backward `dx = y (1 − y) dy`.
    ///
    /// Shapes: `x, y: [B]T` for any tensor `T`. A discriminator's probability output
    /// (Goodfellow et al. 2014, arXiv:1406.2661, §3); losses on logits are more stable.
    struct Sigmoid<T>;
    forward(x, y) { k::sigmoid(x, y) }
    backward(_x, y, dy, dx) { k::sigmoid_backward(y, dy, dx) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::{check_layer_at, random_batch};
    use std::boxed::Box;

    const X: [[f32; 4]; 2] = [[-2.0, -0.5, 0.5, 3.0], [1.0, -1.0, 0.25, -0.25]];
    const DY: [[f32; 4]; 2] = [[1.0; 4], [2.0; 4]];
    type Image = [[[f32; 3]; 2]; 2];

    /// `(y, dx)` of an activation on `X` with upstream gradient `DY`.
    fn run<L: TrainLayer<In = [f32; 4], Out = [f32; 4]>>() -> ([[f32; 4]; 2], [[f32; 4]; 2]) {
        let (l, mut g) = (L::ZERO, L::ZERO);
        let mut y = [[0.0; 4]; 2];
        l.forward(&X, &mut y);
        let mut dx = [[9.0; 4]; 2];
        l.backward(&X, &y, &DY, &mut dx, &mut g);
        (y, dx)
    }

    #[test]
    fn relu_by_hand() {
        let (y, dx) = run::<Relu<_>>();
        assert_eq!(y, [[0.0, 0.0, 0.5, 3.0], [1.0, 0.0, 0.25, 0.0]]);
        assert_eq!(dx, [[0.0, 0.0, 1.0, 1.0], [2.0, 0.0, 2.0, 0.0]]);
    }

    #[test]
    fn leaky_relu_by_hand() {
        assert_eq!(LeakyRelu::<[f32; 4]>::SLOPE, 0.2);
        assert_eq!(LeakyRelu::<[f32; 4], 10>::SLOPE, 0.01);
        let (y, dx) = run::<LeakyRelu<_>>();
        assert_eq!(y, [[-0.4, -0.1, 0.5, 3.0], [1.0, -0.2, 0.25, -0.05]]);
        assert_eq!(dx, [[0.2, 0.2, 1.0, 1.0], [2.0, 0.4, 2.0, 0.4]]);
    }

    #[test]
    fn tanh_and_sigmoid_by_hand() {
        let (t, dt) = run::<Tanh<_>>();
        let (s, ds) = run::<Sigmoid<_>>();
        for b in 0..2 {
            for i in 0..4 {
                let e = (X[b][i] as f64).exp();
                let (th, sg) = ((e - 1.0 / e) / (e + 1.0 / e), e / (1.0 + e));
                let g = DY[b][i] as f64;
                assert!((t[b][i] as f64 - th).abs() < 1e-6);
                assert!((s[b][i] as f64 - sg).abs() < 1e-6);
                assert!((dt[b][i] as f64 - g * (1.0 - th * th)).abs() < 1e-6);
                assert!((ds[b][i] as f64 - g * sg * (1.0 - sg)).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn image_shapes_work_elementwise() {
        let mut x = Image::ZERO;
        x[1][1][2] = -3.0;
        x[0][1][0] = 2.0;
        let mut y = [Image::ZERO; 1];
        Relu::ZERO.forward(&[x], &mut y);
        assert_eq!(y[0][1][1][2], 0.0);
        assert_eq!(y[0][0][1][0], 2.0);
        LeakyRelu::<Image>::ZERO.forward(&[x], &mut y);
        assert_eq!(y[0][1][1][2], -0.6);
    }

    /// Random inputs pushed at least 0.1 away from ReLU's kink.
    fn off_kink<T: Tensor, const B: usize>(seed: u64) -> Box<[T; B]> {
        let mut x = random_batch::<T, B>(seed);
        for v in flat_mut(&mut x[..]) {
            *v += 0.1f32.copysign(*v);
        }
        x
    }

    fn check_at<L: TrainLayer + Clone, const B: usize>(x: &[L::In; B], seed: u64) {
        let mut l = L::ZERO;
        check_layer_at(&mut l, x, seed);
    }

    #[test]
    fn gradients_match_finite_differences() {
        check_at::<Relu<[f32; 5]>, 3>(&off_kink(1), 2);
        check_at::<Relu<Image>, 2>(&off_kink(3), 4);
        check_at::<LeakyRelu<[f32; 5]>, 3>(&off_kink(5), 6);
        check_at::<LeakyRelu<Image, 10>, 2>(&off_kink(7), 8);
        check_at::<Tanh<[f32; 5]>, 3>(&random_batch(9), 9);
        check_at::<Tanh<Image>, 2>(&random_batch(10), 10);
        check_at::<Sigmoid<[f32; 5]>, 3>(&random_batch(11), 11);
        check_at::<Sigmoid<Image>, 2>(&random_batch(12), 12);
    }
}
