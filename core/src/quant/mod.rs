//! int8 inference with integers only, as in the TFLite / CMSIS-NN int8 scheme.
//!
//! - Weights: `i8` codes, symmetric per output channel (`w = s_w,c · q`, zero point 0);
//!   optionally `i16` codes for a layer whose 8-bit weights cost too much accuracy
//!   ([`weights`]: outside the pure int8 scheme).
//! - Activations: `i8` codes per tensor with a zero point (`x = s_x · (q − z_x)`), or, in
//!   the 16x8 scheme, symmetric `i16` codes (`z_x = 0`) for layers where 8 bits do not
//!   hold the resolution the output needs ([`code`]).
//! - Biases: `i32` in units of `s_x · s_w,c`, added to the `i32` accumulator.
//! - Requantisation to the next layer's codes by a fixed-point multiplier and shift
//!   ([`requant`]), the one implementation the host and the devices share.
//! - tanh and sigmoid by a 256-entry table ([`activation::lut`]), or on `i16` codes by an
//!   interpolated 513-entry one ([`activation::lut16`]).
//! - The map to data units as fixed point ([`output`]).
//!
//! The kernels ([`dense`], [`conv`], [`activation`], [`output`], and
//! [`crate::kernels::shuffle`], which is generic over the element) use no floating
//! point, so they run on a Cortex-M0; weights and per-channel records are taken as bytes
//! so that a model file's contents in flash are used in place. Only the quantiser's side
//! ([`params`], [`requant::quantize_multiplier`], [`activation::table`]) uses floats.

pub mod activation;
pub mod channel;
pub mod code;
pub mod conv;
pub mod dense;
pub mod fast;
pub mod output;
pub mod params;
pub mod requant;
pub mod weights;

#[cfg(test)]
pub(crate) mod test_support;

pub use channel::{CHANNEL_BYTES, Channel, ChannelBytes, LayerIo};
pub use code::Code;
pub use params::Affine;
pub use requant::{Requant, quantize_multiplier};
pub use weights::Weights;
