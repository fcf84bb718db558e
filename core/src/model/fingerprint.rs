//! Architecture fingerprints, computed at compile time from layer kinds and shapes.
//!
//! A model file records the fingerprint of the network that wrote it; a reader refuses a
//! file whose fingerprint differs from the network it loads into, so a file is never read
//! into another architecture. The hash is 32-bit FNV-1a over little-endian `u32` words.

/// The fingerprint of a layer or network type.
pub trait Fingerprint {
    /// FNV-1a hash of the layer kind and every shape parameter.
    const FINGERPRINT: u32;
}

const FNV_OFFSET: u32 = 0x811C_9DC5;
const FNV_PRIME: u32 = 0x0100_0193;

/// FNV-1a over `words` (each as 4 little-endian bytes), continuing from `state`.
pub const fn fnv1a(state: u32, words: &[u32]) -> u32 {
    let mut h = state;
    let mut i = 0;
    while i < words.len() {
        let bytes = words[i].to_le_bytes();
        let mut k = 0;
        while k < 4 {
            h ^= bytes[k] as u32;
            h = h.wrapping_mul(FNV_PRIME);
            k += 1;
        }
        i += 1;
    }
    h
}

/// Fingerprint of one layer: its kind tag (four ASCII bytes, e.g. `*b"DENS"`) and its
/// shape parameters in declaration order.
pub const fn layer(kind: [u8; 4], shape: &[u32]) -> u32 {
    fnv1a(fnv1a(FNV_OFFSET, &[u32::from_le_bytes(kind)]), shape)
}

/// Fingerprint of a chain of layers, in order.
pub const fn chain(layers: &[u32]) -> u32 {
    fnv1a(FNV_OFFSET, layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_reference_value() {
        // FNV-1a 32 of the bytes 01 00 00 00 (published offset basis and prime).
        let mut h = FNV_OFFSET;
        for b in [1u8, 0, 0, 0] {
            h = (h ^ b as u32).wrapping_mul(FNV_PRIME);
        }
        assert_eq!(fnv1a(FNV_OFFSET, &[1]), h);
    }

    #[test]
    fn shapes_and_order_change_the_fingerprint() {
        let a = layer(*b"DENS", &[2, 3]);
        let b = layer(*b"DENS", &[3, 2]);
        assert_ne!(a, b);
        assert_ne!(chain(&[a, b]), chain(&[b, a]));
        assert_ne!(layer(*b"CONV", &[2, 3]), a);
    }
}
