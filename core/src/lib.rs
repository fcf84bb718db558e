//! tinygan-core: fixed-size GAN building blocks that run without std and without a heap.
//!
//! Every layer is a struct with const generic sizes; every buffer is a fixed-size array that
//! the caller places (a `static`, the stack, a `Box` on the host). Batches are the first
//! array dimension, images are CHW (`[[[f32; W]; H]; C]`), weights follow PyTorch's layout.
//!
//! - [`tensor`]: the [`Tensor`] trait that lets typed arrays be seen as flat `f32` slices;
//! - [`layers`]: the [`Layer`] (inference) and [`TrainLayer`] (training) traits and the layers;
//! - [`kernels`]: the slice kernels the typed layers call, one loop nest each;
//! - [`params`]: [`Params`], indexed access to trainable tensors;
//! - [`optim`]: SGD with momentum, Adam, RMSProp, whose state is a value of the model's type,
//!   and clipping;
//! - [`init`]: Kaiming, Xavier and DCGAN initialisers over every tensor of a model;
//! - [`generate`]: drawing samples, the same `z` stream on host and device;
//! - [`gan`]: GAN losses and the techniques that act outside the layers (replay, noise, ...);
//! - [`train`]: the training step over all of them, the same code on host and device;
//! - [`math`]: the square root, vectorisable when `std` is linked, the same bits either way;
//! - [`rng`]: a seeded PRNG and a Gaussian sampler that are bit-identical on host and device;
//! - [`net`]: the [`network!`] macro that declares a network as a list of layers;
//! - [`model`]: the versioned, checksummed model file, its reader and writer;
//! - [`quant`]: int8 inference with integers only (TFLite / CMSIS-NN scheme): the
//!   requantisation arithmetic and the kernels a quantised generator runs;
//! - [`presets`]: the generator architectures of the built-in presets (host and firmware);
//! - [`parity`]: seeded computations the host records and the device must reproduce.
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod gan;
pub mod generate;
pub mod init;
pub mod kernels;
pub mod layers;
pub mod math;
pub mod model;
pub mod net;
pub mod optim;
pub mod params;
pub mod parity;
pub mod presets;
pub mod quant;
pub mod rng;
pub mod tensor;
pub mod train;

#[cfg(test)]
pub(crate) mod gradcheck;
#[cfg(test)]
pub(crate) mod roundtrip;

pub use layers::{Layer, TrainLayer};
pub use net::Network;
pub use optim::Optimizer;
pub use params::Params;
pub use tensor::{Tensor, Zero};
