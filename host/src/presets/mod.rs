//! Built-in models: concrete generator and discriminator types for each data set.
//!
//! Architecture-level techniques (batch norm, virtual batch norm, minibatch
//! discrimination) change the network type, so each has its own preset type; step-level
//! techniques are chosen at run time by the training config.

pub mod digits;
pub mod mixture;
pub mod registry;

#[cfg(test)]
mod feature_layers;

#[cfg(test)]
mod tests {
    use super::digits::*;
    use super::mixture::*;
    use tinygan_core::{Network, params};

    /// Flash and RAM a generator needs to run on a board, by element size (4 bytes for
    /// f32, 1 for int8): parameters and buffers in flash, a batch-of-one activation set
    /// (every intermediate, the upper bound) in RAM.
    fn footprint<G: Network>(bytes_per_value: usize) -> (usize, usize) {
        let g = Box::new(G::ZERO);
        let buffers: usize = (0..G::BUFFERS).map(|i| g.buffer(i).len()).sum();
        let flash = (params::count(&*g) + buffers) * bytes_per_value;
        let ram = std::mem::size_of::<G::Acts<1>>() / 4 * bytes_per_value;
        (flash, ram)
    }

    fn fits<G: Network>(name: &str) {
        let (flash, ram) = footprint::<G>(4);
        assert!(
            flash <= 512 * 1024 && ram <= 64 * 1024,
            "{name} f32: {flash} B flash, {ram} B RAM"
        );
        let (flash, ram) = footprint::<G>(1);
        assert!(
            flash <= 128 * 1024 && ram <= 8 * 1024,
            "{name} int8: {flash} B flash, {ram} B RAM"
        );
    }

    /// Every generator preset fits, as f32, half of an STM32F405 (1 MB flash, 128 KB RAM)
    /// and, as int8, half of a Cortex-M0 board (256 KB flash, 16 KB RAM), leaving the other
    /// half for the firmware.
    #[test]
    fn generators_fit_the_boards() {
        fits::<MixG>("MixG");
        fits::<MixGBn>("MixGBn");
        fits::<MixGVbn>("MixGVbn");
        fits::<DigitsG>("DigitsG");
        fits::<DigitsGBn>("DigitsGBn");
        fits::<DigitsGVbn>("DigitsGVbn");
        fits::<DigitsGWide>("DigitsGWide");
    }
}
