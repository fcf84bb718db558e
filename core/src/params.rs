//! Indexed access to the trainable tensors of a layer or network.
//!
//! With [`Params`], zeroing, clipping, optimisers, historical averaging, quantisation and
//! export are one loop each over `0..TENSORS`. Gradients, optimiser state and averages are
//! values of the model's own type, so the same indices address all of them.

/// What a tensor is, so that initialisers and quantisers can treat it correctly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensorKind {
    /// A weight matrix or kernel: `fan_in` inputs and `fan_out` outputs per element.
    Weight {
        /// Inputs that feed one output (for conv: `CIN * K * K`).
        fan_in: usize,
        /// Outputs that one input feeds (for conv: `COUT * K * K`).
        fan_out: usize,
    },
    /// An additive bias, initialised to zero.
    Bias,
    /// A multiplicative gain (batch norm's γ), initialised to one.
    Gain,
}

/// Indexed access to every trainable tensor, and to persisted non-trainable buffers
/// (batch norm's running statistics).
pub trait Params {
    /// Number of trainable tensors.
    const TENSORS: usize;
    /// Number of persisted, non-trainable buffers.
    const BUFFERS: usize = 0;
    /// Trainable tensor `i` as a flat slice. Panics if `i >= TENSORS`.
    fn tensor(&self, i: usize) -> &[f32];
    /// Trainable tensor `i` as a mutable flat slice. Panics if `i >= TENSORS`.
    fn tensor_mut(&mut self, i: usize) -> &mut [f32];
    /// What tensor `i` is. Panics if `i >= TENSORS`.
    fn tensor_kind(&self, i: usize) -> TensorKind;
    /// Buffer `i` as a flat slice. Panics if `i >= BUFFERS`.
    fn buffer(&self, i: usize) -> &[f32] {
        let _ = i;
        panic!("no buffers")
    }
    /// Buffer `i` as a mutable flat slice. Panics if `i >= BUFFERS`.
    fn buffer_mut(&mut self, i: usize) -> &mut [f32] {
        let _ = i;
        panic!("no buffers")
    }
    /// The value every element of buffer `i` starts at (a running variance starts at 1).
    /// Panics if `i >= BUFFERS`.
    fn buffer_init(&self, i: usize) -> f32 {
        let _ = i;
        panic!("no buffers")
    }
}

/// Sets every trainable tensor to zero (the start of a gradient accumulation).
pub fn zero<P: Params>(p: &mut P) {
    for i in 0..P::TENSORS {
        p.tensor_mut(i).fill(0.0);
    }
}

/// Sets every buffer to its initial value ([`Params::buffer_init`]).
pub fn reset_buffers<P: Params>(p: &mut P) {
    for i in 0..P::BUFFERS {
        let v = p.buffer_init(i);
        p.buffer_mut(i).fill(v);
    }
}

/// Total number of trainable scalars.
pub fn count<P: Params>(p: &P) -> usize {
    (0..P::TENSORS).map(|i| p.tensor(i).len()).sum()
}

/// Copies every trainable tensor and buffer of `src` into `dst`.
pub fn copy<P: Params>(dst: &mut P, src: &P) {
    for i in 0..P::TENSORS {
        dst.tensor_mut(i).copy_from_slice(src.tensor(i));
    }
    for i in 0..P::BUFFERS {
        dst.buffer_mut(i).copy_from_slice(src.buffer(i));
    }
}

/// Implements [`Params`] for a struct with no trainable tensors, and its `from_model` (the
/// [`Zero`](crate::tensor::Zero) value).
#[macro_export]
macro_rules! no_params {
    ($t:ty $(, $($g:tt)*)?) => {
        impl $(<$($g)*>)? $crate::params::Params for $t {
            const TENSORS: usize = 0;
            fn tensor(&self, _i: usize) -> &[f32] {
                panic!("layer has no parameters")
            }
            fn tensor_mut(&mut self, _i: usize) -> &mut [f32] {
                panic!("layer has no parameters")
            }
            fn tensor_kind(&self, _i: usize) -> $crate::params::TensorKind {
                panic!("layer has no parameters")
            }
        }

        impl $(<$($g)*>)? $t {
            /// The layer (it has no tensors): see
            /// [`Embedded`]($crate::model::Embedded).
            pub const fn from_model(
                _m: &$crate::model::Embedded<'_>,
                _tensor: usize,
                _buffer: usize,
            ) -> Self {
                <Self as $crate::tensor::Zero>::ZERO
            }
        }
    };
}
