//! [`Params`](crate::params::Params) for layers whose trainable tensors are a weight `w`
//! and a bias `b`.

/// Expands to the items of a `Params` impl for a layer with fields `w` (tensor 0, a
/// weight with the given fans) and `b` (tensor 1, a bias). `$name` names the layer in
/// panic messages.
macro_rules! weight_bias_params {
    ($name:literal, fan_in: $fan_in:expr, fan_out: $fan_out:expr) => {
        const TENSORS: usize = 2;
        fn tensor(&self, i: usize) -> &[f32] {
            match i {
                0 => $crate::tensor::flat(&self.w),
                1 => $crate::tensor::flat(&self.b),
                _ => panic!(concat!($name, " has 2 tensors")),
            }
        }
        fn tensor_mut(&mut self, i: usize) -> &mut [f32] {
            match i {
                0 => $crate::tensor::flat_mut(&mut self.w),
                1 => $crate::tensor::flat_mut(&mut self.b),
                _ => panic!(concat!($name, " has 2 tensors")),
            }
        }
        fn tensor_kind(&self, i: usize) -> $crate::params::TensorKind {
            match i {
                0 => $crate::params::TensorKind::Weight {
                    fan_in: $fan_in,
                    fan_out: $fan_out,
                },
                1 => $crate::params::TensorKind::Bias,
                _ => panic!(concat!($name, " has 2 tensors")),
            }
        }
    };
}

pub(crate) use weight_bias_params;
