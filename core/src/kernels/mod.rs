//! Slice kernels: each loop nest exists once in flash, however many shapes a model uses.
//!
//! Kernels take flat row-major slices and their sizes; the batch size is the slice length
//! divided by the per-sample length. They are the readable reference; any optimised kernel
//! must match them (bit-exact for int8, within a stated tolerance for f32).

pub mod activation;
pub mod batch_norm;
pub mod conv;
pub mod dense;
pub mod minibatch_discrimination;
pub mod shuffle;
mod tile;
