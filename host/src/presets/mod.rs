//! Built-in models: concrete generator and discriminator types for each data set.
//!
//! Architecture-level techniques (batch norm, virtual batch norm, minibatch
//! discrimination) change the network type, so each has its own preset type; step-level
//! techniques are chosen at run time by the training config.

pub mod digits;
pub mod mixture;
pub mod registry;
