//! Expected self-test values, computed on the host. Generated; do not edit.
//! Made by `cargo run -p tinygan -- selftest-vectors > firmware/src/vectors.rs`
//! from `tinygan_core::parity` with seed 2016.

/// The seed every vector below was made from.
pub const SEED: u64 = 2016;

/// `parity::prng_words(SEED, ..)`.
pub const PRNG_WORDS: [u32; 8] = [
    0xd6b8339a, 0x7f8cb5b6, 0x7c961fe9, 0x64e79dfc, 0xd69da09c, 0x2140ad79, 0x7172a724, 0xc4493102,
];

/// Bits (`f32::to_bits`) of `parity::gaussians(SEED, ..)`.
pub const GAUSSIANS: [u32; 15] = [
    0xbff483b7, 0x3cacfb69, 0xbf68a3e0, 0x3f366e52, 0x3fa76572, 0x3fb204ec, 0x3de8b0df, 0xbf89be3c,
    0xbf9dd472, 0xbf5a8028, 0x3ed90c56, 0x3ee2a005, 0xbfe3f214, 0xbf95efa7, 0x3f2999a1,
];

/// Bits (`f32::to_bits`) of `ParityDense::forward` after `parity::seeded(SEED, ..)`, batch 1.
pub const DENSE_Y: [u32; 32] = [
    0xbfaba4c4, 0xbfdd16fe, 0x405a4566, 0xbef48972, 0xc08333c4, 0xc11ae11f, 0xc11ae2be, 0x40a8bb71,
    0xbf9729f9, 0x408eaa83, 0xbfae72a1, 0x3f1bedad, 0xbc0f98c0, 0xc09007ad, 0x3fed3e6d, 0xc0f91c62,
    0x3fdc27c6, 0x4040e26a, 0x41019be1, 0xc116c38e, 0x4022a624, 0xc0866f10, 0x3eec554d, 0xc091a720,
    0xc0998eae, 0x40ae1d88, 0xbda4bd18, 0x406759e8, 0xbf91ef96, 0xc0dc7eff, 0xc0363ee3, 0xbfdd5e49,
];
