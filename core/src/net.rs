//! Networks declared as a list of layers.
//!
//! [`network!`](crate::network) generates, from a list of named layers:
//! - the network struct (one public field per layer), which is also its own gradient,
//!   optimiser-state and average type;
//! - an activation struct `Acts<B>` holding every intermediate of a training step for a
//!   batch of `B`, so `size_of::<Acts<B>>()` is the RAM bill of the activations (twice that
//!   with the gradient buffer, which has the same type);
//! - [`Network`]: forward (inference and training), backward, and [`Params`] over all
//!   layers, with no hand-written backward code.
//!
//! Layers must chain: each layer's `In` must be the previous layer's `Out`, or the network
//! does not compile.
//!
//! ```
//! use tinygan_core::layers::Dense;
//! use tinygan_core::{Network, Zero};
//! tinygan_core::network! {
//!     /// A two-layer perceptron.
//!     pub struct Mlp, acts MlpActs {
//!         fc1: Dense<2, 8>,
//!         fc2: Dense<8, 1>,
//!     }
//! }
//! let net = Mlp::ZERO;
//! let mut acts = MlpActs::<4>::ZERO;
//! net.forward(&[[1.0, 2.0]; 4], &mut acts);
//! assert_eq!(Mlp::output(&acts), &[[0.0]; 4]);
//! ```

use crate::params::Params;
use crate::tensor::{Tensor, Zero};

/// A network: a chain of layers with an activation struct for a batch of `B`.
pub trait Network: Params + Zero + Sized {
    /// One input sample.
    type In: Tensor;
    /// One output sample.
    type Out: Tensor;
    /// Every intermediate of a forward pass over a batch of `B` (also used for their
    /// gradients).
    type Acts<const B: usize>: Zero;
    /// Number of layers.
    const LAYERS: usize;
    /// The layers' names (the struct's fields), in order.
    const LAYER_NAMES: &'static [&'static str];

    /// Layer `layer` described as data. Panics if `layer >= LAYERS`.
    fn view(&self, layer: usize) -> crate::layers::LayerView<'_>;
    /// Multiply-accumulates of one sample's forward pass: the sum of the layers'
    /// [`Layer::MACS`](crate::Layer::MACS).
    const MACS: usize;

    /// Inference forward pass; the output is [`Network::output`]`(acts)`.
    fn forward<const B: usize>(&self, x: &[Self::In; B], acts: &mut Self::Acts<B>);

    /// Training forward pass (batch statistics, running statistics updated).
    fn forward_train<const B: usize>(&mut self, x: &[Self::In; B], acts: &mut Self::Acts<B>);

    /// Backward pass from the output of layer `layer` down to the input.
    ///
    /// On entry `dacts` holds `∂L/∂(output of layer)` in that layer's slot; the slots below
    /// are overwritten, `dx` is overwritten and gradients are added to `grads`.
    #[allow(clippy::too_many_arguments)]
    fn backward_from<const B: usize>(
        &self,
        layer: usize,
        x: &[Self::In; B],
        acts: &Self::Acts<B>,
        dacts: &mut Self::Acts<B>,
        dx: &mut [Self::In; B],
        grads: &mut Self,
    );

    /// [`Network::backward_from`] without the parameter gradients: the same `dacts` and
    /// `dx`, with `scratch` in place of `grads` (its contents are unspecified afterwards;
    /// layers that can skip their parameter gradients do, see
    /// [`TrainLayer::backward_input`](crate::layers::TrainLayer::backward_input)).
    #[allow(clippy::too_many_arguments)]
    fn backward_input_from<const B: usize>(
        &self,
        layer: usize,
        x: &[Self::In; B],
        acts: &Self::Acts<B>,
        dacts: &mut Self::Acts<B>,
        dx: &mut [Self::In; B],
        scratch: &mut Self,
    );

    /// Backward pass from the network output: `dacts`' output slot holds `∂L/∂y`.
    fn backward<const B: usize>(
        &self,
        x: &[Self::In; B],
        acts: &Self::Acts<B>,
        dacts: &mut Self::Acts<B>,
        dx: &mut [Self::In; B],
        grads: &mut Self,
    ) {
        self.backward_from(Self::LAYERS - 1, x, acts, dacts, dx, grads);
    }

    /// [`Network::backward`] without the input gradient of the first layer, so without
    /// `dx`: the same parameter gradients (and `dacts` above the first layer) for a network
    /// whose input is data, as D's is in a D update.
    fn backward_params<const B: usize>(
        &self,
        x: &[Self::In; B],
        acts: &Self::Acts<B>,
        dacts: &mut Self::Acts<B>,
        grads: &mut Self,
    );

    /// The network output held in `acts`.
    fn output<const B: usize>(acts: &Self::Acts<B>) -> &[Self::Out; B];
    /// The network output slot of `acts`, mutable (where `∂L/∂y` goes before backward).
    fn output_mut<const B: usize>(acts: &mut Self::Acts<B>) -> &mut [Self::Out; B];
    /// The output of layer `layer`, flat (`[B][len]`). Panics if `layer >= LAYERS`.
    fn layer_output<const B: usize>(acts: &Self::Acts<B>, layer: usize) -> &[f32];
    /// The output slot of layer `layer`, flat and mutable. Panics if `layer >= LAYERS`.
    fn layer_output_mut<const B: usize>(acts: &mut Self::Acts<B>, layer: usize) -> &mut [f32];
}

/// Declares a network as a list of layers; see the [module docs](crate::net).
///
/// ```text
/// network! {
///     /// docs
///     pub struct Name, acts NameActs {
///         layer_a: LayerTypeA,
///         layer_b: LayerTypeB,
///     }
/// }
/// ```
#[macro_export]
macro_rules! network {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident, acts $acts:ident {
            $($(#[$fmeta:meta])* $field:ident : $ty:ty),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        $vis struct $name {
            $($(#[$fmeta])* #[allow(missing_docs)] pub $field: $ty,)+
        }

        #[doc = concat!("Every intermediate of a forward pass of [`", stringify!($name),
            "`] over a batch of `B`: one field per layer, holding that layer's output.")]
        #[derive(Clone, Debug, PartialEq)]
        $vis struct $acts<const B: usize> {
            $(#[allow(missing_docs)] pub $field: [<$ty as $crate::layers::Layer>::Out; B],)+
        }

        impl<const B: usize> $crate::tensor::Zero for $acts<B> {
            const ZERO: Self = Self {
                $($field: [<<$ty as $crate::layers::Layer>::Out as $crate::tensor::Zero>::ZERO; B],)+
            };
        }

        impl $crate::model::Fingerprint for $name {
            const FINGERPRINT: u32 = $crate::model::chain(&[
                $(<$ty as $crate::model::Fingerprint>::FINGERPRINT),+
            ]);
        }

        impl $crate::tensor::Zero for $name {
            const ZERO: Self = Self { $($field: <$ty as $crate::tensor::Zero>::ZERO,)+ };
        }

        impl $name {
            /// The network holding the tensors of a model file, decoded at compile time so
            /// that a `static` of it lives in read-only memory (see
            /// [`Embedded`]($crate::model::Embedded); check the file at run time with
            /// `ModelFile::parse` and `ModelFile::check` before using the network).
            #[allow(dead_code)]
            pub const fn from_model(m: &$crate::model::Embedded<'_>) -> Self {
                let (mut _tensor, mut _buffer) = (0usize, 0usize);
                Self {
                    $($field: {
                        let layer = <$ty>::from_model(m, _tensor, _buffer);
                        _tensor += <$ty as $crate::params::Params>::TENSORS;
                        _buffer += <$ty as $crate::params::Params>::BUFFERS;
                        layer
                    },)+
                }
            }
        }

        impl $crate::params::Params for $name {
            const TENSORS: usize = 0 $(+ <$ty as $crate::params::Params>::TENSORS)+;
            const BUFFERS: usize = 0 $(+ <$ty as $crate::params::Params>::BUFFERS)+;
            fn tensor(&self, i: usize) -> &[f32] {
                $crate::network!(@dispatch_ref self, i, TENSORS, tensor, $($field: $ty),+)
            }
            fn tensor_mut(&mut self, i: usize) -> &mut [f32] {
                $crate::network!(@dispatch_mut self, i, TENSORS, tensor_mut, $($field: $ty),+)
            }
            fn tensor_kind(&self, i: usize) -> $crate::params::TensorKind {
                $crate::network!(@dispatch_ref self, i, TENSORS, tensor_kind, $($field: $ty),+)
            }
            fn buffer(&self, i: usize) -> &[f32] {
                $crate::network!(@dispatch_ref self, i, BUFFERS, buffer, $($field: $ty),+)
            }
            fn buffer_mut(&mut self, i: usize) -> &mut [f32] {
                $crate::network!(@dispatch_mut self, i, BUFFERS, buffer_mut, $($field: $ty),+)
            }
            fn buffer_init(&self, i: usize) -> f32 {
                $crate::network!(@dispatch_ref self, i, BUFFERS, buffer_init, $($field: $ty),+)
            }
        }

        impl $crate::net::Network for $name {
            type In = $crate::network!(@first_in $($ty),+);
            type Out = $crate::network!(@last_out $($ty),+);
            type Acts<const B: usize> = $acts<B>;
            const LAYERS: usize = 0 $(+ $crate::network!(@one $field))+;
            const LAYER_NAMES: &'static [&'static str] = &[$(stringify!($field)),+];

            fn view(&self, layer: usize) -> $crate::layers::LayerView<'_> {
                [$($crate::layers::View::view(&self.$field)),+][layer]
            }
            const MACS: usize = 0 $(+ <$ty as $crate::layers::Layer>::MACS)+;

            fn forward<const B: usize>(&self, x: &[Self::In; B], acts: &mut $acts<B>) {
                $crate::network!(@forward self, acts, x, [&], $crate::layers::Layer::forward, $($field),+);
            }

            fn forward_train<const B: usize>(&mut self, x: &[Self::In; B], acts: &mut $acts<B>) {
                $crate::network!(@forward self, acts, x, [&mut], $crate::layers::TrainLayer::forward_train, $($field),+);
            }

            fn backward_from<const B: usize>(
                &self,
                layer: usize,
                x: &[Self::In; B],
                acts: &$acts<B>,
                dacts: &mut $acts<B>,
                dx: &mut [Self::In; B],
                grads: &mut Self,
            ) {
                assert!(layer < Self::LAYERS, "layer index out of range");
                $crate::network!(@backward backward, self, layer, x, acts, dacts, dx, grads; $($field),+);
            }

            fn backward_input_from<const B: usize>(
                &self,
                layer: usize,
                x: &[Self::In; B],
                acts: &$acts<B>,
                dacts: &mut $acts<B>,
                dx: &mut [Self::In; B],
                scratch: &mut Self,
            ) {
                assert!(layer < Self::LAYERS, "layer index out of range");
                $crate::network!(@backward backward_input, self, layer, x, acts, dacts, dx, scratch; $($field),+);
            }

            fn backward_params<const B: usize>(
                &self,
                x: &[Self::In; B],
                acts: &$acts<B>,
                dacts: &mut $acts<B>,
                grads: &mut Self,
            ) {
                // Every layer: the `layer >= j` tests of `@rev` all hold (and a one-layer
                // network has none).
                #[allow(unused_variables)]
                let layer = Self::LAYERS - 1;
                $crate::network!(@params self, layer, x, acts, dacts, grads; $($field),+);
            }

            $crate::network!(@output_fns $acts; $($field),+);

            fn layer_output<const B: usize>(acts: &$acts<B>, layer: usize) -> &[f32] {
                $crate::network!(@layer_out acts, layer, flat, [&], (0usize) $(, $field)+)
            }

            fn layer_output_mut<const B: usize>(acts: &mut $acts<B>, layer: usize) -> &mut [f32] {
                $crate::network!(@layer_out acts, layer, flat_mut, [&mut], (0usize) $(, $field)+)
            }
        }
    };

    (@one $f:ident) => { 1 };

    (@first_in $t:ty $(, $rest:ty)*) => { <$t as $crate::layers::Layer>::In };

    (@last_out $t:ty) => { <$t as $crate::layers::Layer>::Out };
    (@last_out $t:ty, $($rest:ty),+) => { $crate::network!(@last_out $($rest),+) };

    (@dispatch_ref $s:ident, $i:ident, $count:ident, $method:ident, $($field:ident : $ty:ty),+) => {{
        let mut i = $i;
        $(
            if i < <$ty as $crate::params::Params>::$count {
                return $crate::params::Params::$method(&$s.$field, i);
            }
            i -= <$ty as $crate::params::Params>::$count;
        )+
        let _ = i;
        panic!("index out of range")
    }};
    (@dispatch_mut $s:ident, $i:ident, $count:ident, $method:ident, $($field:ident : $ty:ty),+) => {{
        let mut i = $i;
        $(
            if i < <$ty as $crate::params::Params>::$count {
                return $crate::params::Params::$method(&mut $s.$field, i);
            }
            i -= <$ty as $crate::params::Params>::$count;
        )+
        let _ = i;
        panic!("index out of range")
    }};

    (@output_fns $acts:ident; $f:ident, $($rest:ident),+) => {
        $crate::network!(@output_fns $acts; $($rest),+);
    };
    (@output_fns $acts:ident; $last:ident) => {
        fn output<const B: usize>(acts: &$acts<B>) -> &[Self::Out; B] {
            &acts.$last
        }

        fn output_mut<const B: usize>(acts: &mut $acts<B>) -> &mut [Self::Out; B] {
            &mut acts.$last
        }
    };

    (@forward $s:ident, $a:ident, $x:ident, [$($r:tt)*], $f:path, $first:ident $(, $rest:ident)*) => {
        $f($($r)* $s.$first, $x, &mut $a.$first);
        $crate::network!(@chain $s, $a, [$($r)*], $f, $first $(, $rest)*);
    };
    (@chain $s:ident, $a:ident, [$($r:tt)*], $f:path, $prev:ident, $cur:ident $(, $rest:ident)*) => {
        $f($($r)* $s.$cur, &$a.$prev, &mut $a.$cur);
        $crate::network!(@chain $s, $a, [$($r)*], $f, $cur $(, $rest)*);
    };
    (@chain $s:ident, $a:ident, [$($r:tt)*], $f:path, $last:ident) => {};

    (@backward $m:ident, $s:ident, $k:ident, $x:ident, $a:ident, $d:ident, $dx:ident, $g:ident; $first:ident $(, $rest:ident)*) => {
        $crate::network!(@rev $m, $s, $k, $a, $d, $g; []; (0usize), $first $(, $rest)*);
        $crate::layers::TrainLayer::$m(&$s.$first, $x, &$a.$first, &$d.$first, $dx, &mut $g.$first);
    };
    (@params $s:ident, $k:ident, $x:ident, $a:ident, $d:ident, $g:ident; $first:ident $(, $rest:ident)*) => {
        $crate::network!(@rev backward, $s, $k, $a, $d, $g; []; (0usize), $first $(, $rest)*);
        $crate::layers::TrainLayer::backward_params(&$s.$first, $x, &$a.$first, &$d.$first, &mut $g.$first);
    };
    (@rev $m:ident, $s:ident, $k:ident, $a:ident, $d:ident, $g:ident; [$($acc:tt)*]; ($i:expr), $prev:ident, $cur:ident $(, $rest:ident)*) => {
        $crate::network!(@rev $m, $s, $k, $a, $d, $g; [(($i + 1), $prev, $cur) $($acc)*]; ($i + 1), $cur $(, $rest)*);
    };
    (@rev $m:ident, $s:ident, $k:ident, $a:ident, $d:ident, $g:ident; [$(($j:expr, $prev:ident, $cur:ident))*]; ($i:expr), $last:ident) => {
        $(
            if $k >= $j {
                let (dy, dx) = (&$d.$cur, &mut $d.$prev);
                $crate::layers::TrainLayer::$m(&$s.$cur, &$a.$prev, &$a.$cur, dy, dx, &mut $g.$cur);
            }
        )*
    };

    (@layer_out $a:ident, $k:ident, $flat:ident, [$($r:tt)*], ($i:expr), $f:ident $(, $rest:ident)*) => {
        if $k == $i {
            $crate::tensor::$flat($($r)* $a.$f[..])
        } else {
            $crate::network!(@layer_out $a, $k, $flat, [$($r)*], ($i + 1) $(, $rest)*)
        }
    };
    (@layer_out $a:ident, $k:ident, $flat:ident, [$($r:tt)*], ($i:expr)) => {
        panic!("layer index out of range")
    };
}

#[cfg(test)]
mod conv_tests;

#[cfg(test)]
mod tests {
    use crate::layers::{Dense, Layer, Relu};
    use crate::params::Params;
    use crate::tensor::Zero;
    use crate::{Network, gradcheck};

    crate::network! {
        /// Test network.
        struct Two, acts TwoActs {
            a: Dense<3, 4>,
            b: Dense<4, 2>,
        }
    }

    #[test]
    fn forward_chains_layers() {
        let mut n = Two::ZERO;
        gradcheck::randomize(&mut n, 5);
        let x = [[0.5, -1.0, 2.0]; 2];
        let mut acts = TwoActs::<2>::ZERO;
        n.forward(&x, &mut acts);
        let mut h = [[0.0; 4]; 2];
        let mut y = [[0.0; 2]; 2];
        n.a.forward(&x, &mut h);
        n.b.forward(&h, &mut y);
        assert_eq!(Two::output(&acts), &y);
        assert_eq!(Two::layer_output(&acts, 0), crate::tensor::flat(&h));
        assert_eq!(Two::LAYERS, 2);
        assert_eq!(Two::LAYER_NAMES, ["a", "b"]);
        assert_eq!(
            n.view(1),
            crate::layers::LayerView::Dense {
                w: crate::tensor::flat(&n.b.w),
                b: &n.b.b,
                inp: 4,
                out: 2
            }
        );
        assert_eq!(Two::TENSORS, 4);
        assert_eq!(n.tensor(3), &n.b.b);
    }

    #[test]
    fn backward_matches_finite_differences() {
        let mut n = Two::ZERO;
        gradcheck::randomize(&mut n, 9);
        let x = *gradcheck::random_batch::<[f32; 3], 2>(1);
        let r = *gradcheck::random_batch::<[f32; 2], 2>(2);
        let loss = |n: &Two, x: &[[f32; 3]; 2]| -> f64 {
            let mut acts = TwoActs::<2>::ZERO;
            n.forward(x, &mut acts);
            let y = Two::output(&acts);
            (0..2)
                .flat_map(|b| (0..2).map(move |o| (b, o)))
                .map(|(b, o)| (y[b][o] * r[b][o]) as f64)
                .sum()
        };
        let mut acts = TwoActs::<2>::ZERO;
        n.forward_train(&x, &mut acts);
        let mut d = TwoActs::<2>::ZERO;
        *Two::output_mut(&mut d) = r;
        let mut dx = [[0.0; 3]; 2];
        let mut g = Two::ZERO;
        n.backward(&x, &acts, &mut d, &mut dx, &mut g);
        let h = 1e-2f32;
        for t in 0..Two::TENSORS {
            for j in 0..n.tensor(t).len() {
                let mut p = n.clone();
                p.tensor_mut(t)[j] += h;
                let up = loss(&p, &x);
                p.tensor_mut(t)[j] -= 2.0 * h;
                let num = (up - loss(&p, &x)) / (2.0 * h as f64);
                assert!(
                    (num - g.tensor(t)[j] as f64).abs() < 1e-3,
                    "tensor {t}[{j}]"
                );
            }
        }
        for b in 0..2 {
            for i in 0..3 {
                let mut xp = x;
                xp[b][i] += h;
                let up = loss(&n, &xp);
                xp[b][i] -= 2.0 * h;
                let num = (up - loss(&n, &xp)) / (2.0 * h as f64);
                assert!((num - dx[b][i] as f64).abs() < 1e-3, "dx[{b}][{i}]");
            }
        }
    }

    crate::network! {
        /// Test network whose first layer has no parameters (the default
        /// `backward_params`).
        struct ReluFirst, acts ReluFirstActs {
            a: Relu<[f32; 3]>,
            b: Dense<3, 2>,
        }
    }

    /// `backward_params` gives `backward`'s parameter gradients and activation
    /// gradients, without `dx`.
    fn check_backward_params<N: Network + Clone + PartialEq + core::fmt::Debug>()
    where
        N::Acts<5>: Clone + PartialEq + core::fmt::Debug,
    {
        let mut n = N::ZERO;
        gradcheck::randomize(&mut n, 7);
        let x = *gradcheck::random_batch::<N::In, 5>(3);
        let mut acts = N::Acts::<5>::ZERO;
        n.forward_train(&x, &mut acts);
        let mut full = N::Acts::<5>::ZERO;
        *N::output_mut(&mut full) = *gradcheck::random_batch::<N::Out, 5>(4);
        let mut params_only = full.clone();
        let mut dx = [N::In::ZERO; 5];
        let (mut g, mut g_only) = (N::ZERO, N::ZERO);
        n.backward(&x, &acts, &mut full, &mut dx, &mut g);
        n.backward_params(&x, &acts, &mut params_only, &mut g_only);
        assert_eq!((g_only, params_only), (g, full));
    }

    #[test]
    fn backward_params_matches_backward() {
        check_backward_params::<Two>();
        check_backward_params::<ReluFirst>();
    }

    /// The input-only backward gives the same input gradients as the full one, and the
    /// dense layers leave the scratch parameters alone.
    #[test]
    fn backward_input_from_matches_backward_from() {
        let mut n = Two::ZERO;
        gradcheck::randomize(&mut n, 6);
        let x = *gradcheck::random_batch::<[f32; 3], 5>(1);
        let mut acts = TwoActs::<5>::ZERO;
        n.forward_train(&x, &mut acts);
        let mut full = TwoActs::<5>::ZERO;
        *Two::output_mut(&mut full) = *gradcheck::random_batch::<[f32; 2], 5>(2);
        let mut input_only = full.clone();
        let (mut dx, mut dx_only) = ([[0.0; 3]; 5], [[0.0; 3]; 5]);
        let (mut g, mut scratch) = (Two::ZERO, Two::ZERO);
        n.backward(&x, &acts, &mut full, &mut dx, &mut g);
        n.backward_input_from(1, &x, &acts, &mut input_only, &mut dx_only, &mut scratch);
        assert_eq!((dx_only, input_only), (dx, full));
        assert_eq!(scratch, Two::ZERO);
    }

    #[test]
    fn backward_from_a_middle_layer_skips_the_layers_above() {
        let mut n = Two::ZERO;
        gradcheck::randomize(&mut n, 3);
        let x = [[1.0, 2.0, 3.0]];
        let mut acts = TwoActs::<1>::ZERO;
        n.forward_train(&x, &mut acts);
        let mut d = TwoActs::<1>::ZERO;
        d.a = [[1.0, 0.0, 0.0, 0.0]];
        let mut dx = [[0.0; 3]];
        let mut g = Two::ZERO;
        n.backward_from(0, &x, &acts, &mut d, &mut dx, &mut g);
        assert_eq!(dx, [n.a.w[0]]);
        assert_eq!(g.b, Dense::<4, 2>::ZERO, "layer above untouched");
        assert_eq!(g.a.b, [1.0, 0.0, 0.0, 0.0]);
    }
}
