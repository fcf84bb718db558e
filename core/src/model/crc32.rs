//! CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, initial value and final XOR
//! 0xFFFFFFFF): the checksum of zlib, PNG and Ethernet. Check value: `crc32(b"123456789")
//! == 0xCBF43926`.

/// The CRC of each 4-bit value (four rounds of the bitwise algorithm): two lookups a byte
/// in 64 bytes of table, where a byte-wide table would take 1 KB of a firmware's flash.
const fn make_table() -> [u32; 16] {
    let mut table = [0u32; 16];
    let mut i = 0;
    while i < 16 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 4 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

static TABLE: [u32; 16] = make_table();

/// A running CRC-32: feed bytes with [`Crc32::update`], read with [`Crc32::finish`].
#[derive(Clone, Copy, Debug)]
pub struct Crc32(u32);

impl Crc32 {
    /// A fresh checksum.
    pub const fn new() -> Self {
        Self(0xFFFF_FFFF)
    }

    /// Adds `bytes` to the checksum.
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let c = self.0 ^ b as u32;
            let c = TABLE[(c & 0xF) as usize] ^ (c >> 4);
            self.0 = TABLE[(c & 0xF) as usize] ^ (c >> 4);
        }
    }

    /// The checksum of everything fed so far.
    pub const fn finish(self) -> u32 {
        self.0 ^ 0xFFFF_FFFF
    }
}

impl Default for Crc32 {
    fn default() -> Self {
        Self::new()
    }
}

/// CRC-32 of `bytes`.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = Crc32::new();
    c.update(bytes);
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    /// Against the bitwise definition (eight rounds a byte), and two table entries by
    /// hand: 8 = 0b1000 shifts right three times to 1, whose fourth round gives the
    /// polynomial itself; 0 stays 0.
    #[test]
    fn matches_the_bitwise_definition() {
        fn bitwise(bytes: &[u8]) -> u32 {
            let mut c = 0xFFFF_FFFFu32;
            for &b in bytes {
                c ^= b as u32;
                for _ in 0..8 {
                    c = if c & 1 != 0 {
                        0xEDB8_8320 ^ (c >> 1)
                    } else {
                        c >> 1
                    };
                }
            }
            !c
        }
        let mut rng = crate::rng::Prng::new(1);
        for len in [1, 2, 3, 7, 64, 1000] {
            let bytes: std::vec::Vec<u8> = (0..len).map(|_| rng.next_u32() as u8).collect();
            assert_eq!(crc32(&bytes), bitwise(&bytes), "{len} bytes");
        }
        assert_eq!((TABLE[0], TABLE[8]), (0, 0xEDB8_8320));
    }
}
