//! Fully connected layer.

use super::{Layer, TrainLayer};
use crate::kernels::dense as k;
use crate::model::{Embedded, Role};
use crate::params::{Params, TensorKind};
use crate::tensor::{Zero, flat, flat_mut};

/// `y = W x + b`, with `W: [OUT][IN]` (PyTorch's `Linear.weight` layout) and `b: [OUT]`.
///
/// Shapes: `x: [B][IN]`, `y: [B][OUT]`. FLOPs per sample: `2·IN·OUT` forward,
/// `4·IN·OUT` backward.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense<const IN: usize, const OUT: usize> {
    /// Weights, `[OUT][IN]`.
    pub w: [[f32; IN]; OUT],
    /// Bias, `[OUT]`.
    pub b: [f32; OUT],
}

impl<const IN: usize, const OUT: usize> Layer for Dense<IN, OUT> {
    type In = [f32; IN];
    type Out = [f32; OUT];
    const MACS: usize = IN * OUT;

    fn forward<const B: usize>(&self, x: &[[f32; IN]; B], y: &mut [[f32; OUT]; B]) {
        k::forward(flat(&self.w), &self.b, flat(x), flat_mut(y), IN, OUT);
    }
}

impl<const IN: usize, const OUT: usize> Dense<IN, OUT> {
    /// The layer with `W` the model's tensor `tensor` and `b` tensor `tensor + 1`, decoded
    /// at compile time (see [`Embedded`](crate::model::Embedded)).
    pub const fn from_model(m: &Embedded<'_>, tensor: usize, _buffer: usize) -> Self {
        let mut s = Self::ZERO;
        m.fill(Role::Param, tensor, s.w.as_flattened_mut());
        m.fill(Role::Param, tensor + 1, &mut s.b);
        s
    }
}

impl<const IN: usize, const OUT: usize> Zero for Dense<IN, OUT> {
    const ZERO: Self = Self {
        w: [[0.0; IN]; OUT],
        b: [0.0; OUT],
    };
}

impl<const IN: usize, const OUT: usize> TrainLayer for Dense<IN, OUT> {
    fn backward<const B: usize>(
        &self,
        x: &[[f32; IN]; B],
        y: &[[f32; OUT]; B],
        dy: &[[f32; OUT]; B],
        dx: &mut [[f32; IN]; B],
        grads: &mut Self,
    ) {
        k::backward_input(flat(&self.w), flat(dy), flat_mut(dx), IN, OUT);
        self.backward_params(x, y, dy, grads);
    }

    fn backward_params<const B: usize>(
        &self,
        x: &[[f32; IN]; B],
        _y: &[[f32; OUT]; B],
        dy: &[[f32; OUT]; B],
        grads: &mut Self,
    ) {
        k::backward_params(
            flat(x),
            flat(dy),
            flat_mut(&mut grads.w),
            &mut grads.b,
            IN,
            OUT,
        );
    }

    fn backward_input<const B: usize>(
        &self,
        _x: &[[f32; IN]; B],
        _y: &[[f32; OUT]; B],
        dy: &[[f32; OUT]; B],
        dx: &mut [[f32; IN]; B],
        _scratch: &mut Self,
    ) {
        k::backward_input(flat(&self.w), flat(dy), flat_mut(dx), IN, OUT);
    }
}

impl<const IN: usize, const OUT: usize> Params for Dense<IN, OUT> {
    const TENSORS: usize = 2;
    fn tensor(&self, i: usize) -> &[f32] {
        match i {
            0 => flat(&self.w),
            1 => &self.b,
            _ => panic!("Dense has 2 tensors"),
        }
    }
    fn tensor_mut(&mut self, i: usize) -> &mut [f32] {
        match i {
            0 => flat_mut(&mut self.w),
            1 => &mut self.b,
            _ => panic!("Dense has 2 tensors"),
        }
    }
    fn tensor_kind(&self, i: usize) -> TensorKind {
        match i {
            0 => TensorKind::Weight {
                fan_in: IN,
                fan_out: OUT,
            },
            1 => TensorKind::Bias,
            _ => panic!("Dense has 2 tensors"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::check_layer;
    use crate::roundtrip::decodes_like_load_into;

    /// `IN·OUT` multiply-adds per sample.
    #[test]
    fn macs_by_hand() {
        assert_eq!(Dense::<3, 5>::MACS, 15);
    }

    /// `W` from tensor 0 and `b` from tensor 1 of the layer's own file.
    #[test]
    fn decodes_like_load_into_by_from_model() {
        decodes_like_load_into(|m| Dense::<3, 5>::from_model(m, 0, 0));
    }

    #[test]
    fn forward_by_hand() {
        let d = Dense::<2, 3> {
            w: [[1.0, 2.0], [-1.0, 0.5], [0.0, 3.0]],
            b: [0.5, 0.0, -1.0],
        };
        let mut y = [[0.0; 3]; 2];
        d.forward(&[[1.0, 1.0], [2.0, -2.0]], &mut y);
        assert_eq!(y, [[3.5, -0.5, 2.0], [-1.5, -3.0, -7.0]]);
    }

    #[test]
    fn backward_by_hand() {
        let d = Dense::<2, 1> {
            w: [[2.0, -3.0]],
            b: [0.0],
        };
        let x = [[1.0, 4.0], [-1.0, 2.0]];
        let mut y = [[0.0; 1]; 2];
        d.forward(&x, &mut y);
        let mut dx = [[9.0; 2]; 2];
        let mut g = Dense::<2, 1>::ZERO;
        g.b = [1.0];
        d.backward(&x, &y, &[[1.0], [2.0]], &mut dx, &mut g);
        assert_eq!(dx, [[2.0, -3.0], [4.0, -6.0]]);
        assert_eq!(g.w, [[1.0 - 2.0, 4.0 + 4.0]]);
        assert_eq!(g.b, [1.0 + 3.0], "bias gradient accumulates");
    }

    #[test]
    fn gradients_match_finite_differences() {
        let mut d = Dense::<5, 4>::ZERO;
        crate::gradcheck::randomize(&mut d, 1);
        check_layer::<_, 3>(&mut d, 2);
    }
}
