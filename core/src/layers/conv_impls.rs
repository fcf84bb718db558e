//! The trait impls that [`Conv2d`](super::Conv2d) and
//! [`ConvTranspose2d`](super::ConvTranspose2d) share: both are a weight and a bias over the
//! same nine const parameters `<CIN, COUT, H, W, K, S, P, OH, OW>` and a `SHAPE` that the
//! conv kernels take, and differ only in which kernels run and in the weight's fans.

/// Expands to `Layer`, `Zero`, `TrainLayer` and `Params` (named `$name` in panic
/// messages; `$macs` its `Layer::MACS`) for `$ty<CIN, COUT, H, W, K, S, P, OH, OW>` with fields `w` and `b: [f32; COUT]` and an associated `SHAPE`: `forward`
/// calls `$forward(shape, w, b, x, y)`, `backward_input` calls `$backward_input(shape, w,
/// dy, dx)`, `backward_params` calls `$params_grad(shape, x, dy, dw, db)` and `backward`
/// both.
macro_rules! conv_impls {
    (
        $ty:ident,
        $name:literal,
        forward: $forward:path,
        backward_input: $backward_input:path,
        params_grad: $params_grad:path,
        fan_in: $fan_in:expr,
        fan_out: $fan_out:expr,
        macs: $macs:expr $(,)?
    ) => {
        $crate::layers::conv_impls::conv_impl!($ty, $crate::layers::Layer, {
            type In = [[[f32; W]; H]; CIN];
            type Out = [[[f32; OW]; OH]; COUT];
            const MACS: usize = $macs;

            fn forward<const B: usize>(&self, x: &[Self::In; B], y: &mut [Self::Out; B]) {
                use $crate::tensor::{flat, flat_mut};
                $forward(&Self::SHAPE, flat(&self.w), &self.b, flat(x), flat_mut(y));
            }
        });

        $crate::layers::conv_impls::conv_impl!($ty, $crate::tensor::Zero, {
            const ZERO: Self = {
                let _: $crate::kernels::conv::ConvShape = Self::SHAPE;
                Self {
                    w: $crate::tensor::Zero::ZERO,
                    b: [0.0; COUT],
                }
            };
        });

        $crate::layers::conv_impls::conv_impl!($ty, $crate::layers::TrainLayer, {
            fn backward<const B: usize>(
                &self,
                x: &[Self::In; B],
                y: &[Self::Out; B],
                dy: &[Self::Out; B],
                dx: &mut [Self::In; B],
                grads: &mut Self,
            ) {
                use $crate::tensor::{flat, flat_mut};
                $backward_input(&Self::SHAPE, flat(&self.w), flat(dy), flat_mut(dx));
                self.backward_params(x, y, dy, grads);
            }

            fn backward_input<const B: usize>(
                &self,
                _x: &[Self::In; B],
                _y: &[Self::Out; B],
                dy: &[Self::Out; B],
                dx: &mut [Self::In; B],
                _scratch: &mut Self,
            ) {
                use $crate::tensor::{flat, flat_mut};
                $backward_input(&Self::SHAPE, flat(&self.w), flat(dy), flat_mut(dx));
            }

            fn backward_params<const B: usize>(
                &self,
                x: &[Self::In; B],
                _y: &[Self::Out; B],
                dy: &[Self::Out; B],
                grads: &mut Self,
            ) {
                use $crate::tensor::{flat, flat_mut};
                let dw = flat_mut(&mut grads.w);
                $params_grad(&Self::SHAPE, flat(x), flat(dy), dw, &mut grads.b);
            }
        });

        $crate::layers::conv_impls::conv_impl!($ty, {
            /// The layer with its weight the model's tensor `tensor` and its bias tensor
            /// `tensor + 1`, decoded at compile time (see
            /// [`Embedded`](crate::model::Embedded)).
            pub const fn from_model(
                m: &$crate::model::Embedded<'_>,
                tensor: usize,
                _buffer: usize,
            ) -> Self {
                use $crate::model::Role;
                let mut s = <Self as $crate::tensor::Zero>::ZERO;
                let w = s.w.as_flattened_mut().as_flattened_mut().as_flattened_mut();
                m.fill(Role::Param, tensor, w);
                m.fill(Role::Param, tensor + 1, &mut s.b);
                s
            }
        });

        $crate::layers::conv_impls::conv_impl!($ty, $crate::params::Params, {
            $crate::layers::weight_bias::weight_bias_params!(
                $name,
                fan_in: $fan_in,
                fan_out: $fan_out
            );
        });
    };
}

pub(crate) use conv_impls;

/// `impl<const CIN, COUT, H, W, K, S, P, OH, OW> $tr for $ty<CIN, …, OW> { $body }` (or
/// the inherent impl, without `$tr`): the generic header every impl of [`conv_impls!`]
/// shares.
macro_rules! conv_impl {
    ($ty:ident, $($tr:path,)? { $($body:tt)* }) => {
        impl<
            const CIN: usize,
            const COUT: usize,
            const H: usize,
            const W: usize,
            const K: usize,
            const S: usize,
            const P: usize,
            const OH: usize,
            const OW: usize,
        > $($tr for)? $ty<CIN, COUT, H, W, K, S, P, OH, OW>
        {
            $($body)*
        }
    };
}

pub(crate) use conv_impl;
