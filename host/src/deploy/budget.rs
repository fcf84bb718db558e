//! What a model needs of a board's flash and RAM, known from the model alone before any
//! firmware is built, against the board's memory in `firmware/boards.txt`.
//!
//! The needs are lower bounds: the firmware's own code, its statics and the rest of its
//! stack come on top, and an image that passes here can still overflow at link time
//! (which `deploy` reports as one message too). A model that fails here cannot fit
//! whatever the code, so it is refused before the slow build.
//!
//! - f32 (`firmware/src/bin/generate.rs`): flash holds the file (checked at boot) and the
//!   network the compiler decodes from it (`size_of::<G>()` bytes); RAM holds one sample's
//!   activations (`size_of::<G::Acts<1>>()` bytes).
//! - int8 (`generate_int8.rs`): flash holds the file once (weights read in place); RAM holds
//!   the scratch codes (`Int8Model::scratch_len`, one byte each), the latent `z` (`f32`)
//!   and the outputs (`i32`) of one sample.

use crate::boards::{self, Board};
use anyhow::{Result, bail};
use std::path::Path;

/// Bytes of flash and RAM a model needs on a board at the least, with what they hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    /// Flash bytes.
    pub flash: usize,
    /// What the flash bytes hold.
    pub flash_what: String,
    /// RAM bytes.
    pub ram: usize,
    /// What the RAM bytes hold.
    pub ram_what: String,
    /// Whether the model runs in `f32` (boards with an FPU only).
    pub f32: bool,
}

impl Need {
    /// An f32 model: its file of `file` bytes, the decoded network of `net` bytes, one
    /// sample's activations of `acts` bytes.
    pub fn f32(file: usize, net: usize, acts: usize) -> Self {
        Self {
            flash: file + net,
            flash_what: format!("the {file}-byte file and the {net}-byte decoded network"),
            ram: acts,
            ram_what: "one sample's activations".into(),
            f32: true,
        }
    }

    /// An int8 model: its file of `file` bytes; per sample `z` values, `scratch` codes and
    /// `out` outputs.
    pub fn int8(file: usize, z: usize, scratch: usize, out: usize) -> Self {
        Self {
            flash: file,
            flash_what: "the model file".into(),
            ram: scratch + 4 * (z + out),
            ram_what: format!(
                "{scratch} scratch codes, {z} latent values and {out} outputs of one sample"
            ),
            f32: false,
        }
    }

    /// Whether `board` can hold it: flash and RAM, and an FPU for an f32 model.
    fn fits(&self, board: &Board) -> bool {
        (!self.f32 || board.has_fpu())
            && self.flash <= kib(board.flash_kib)
            && self.ram <= kib(board.ram_kib)
    }

    /// `Ok` when `board` can hold the model at `path`, else one message naming what does
    /// not fit, by how much, and the boards of the table that hold it.
    pub fn check(&self, board: &Board, path: &Path) -> Result<()> {
        let mut over = Vec::new();
        if self.flash > kib(board.flash_kib) {
            over.push(format!(
                "{} bytes of flash ({}), and it has {} KiB ({} bytes)",
                self.flash,
                self.flash_what,
                board.flash_kib,
                kib(board.flash_kib)
            ));
        }
        if self.ram > kib(board.ram_kib) {
            over.push(format!(
                "{} bytes of RAM ({}), and it has {} KiB ({} bytes)",
                self.ram,
                self.ram_what,
                board.ram_kib,
                kib(board.ram_kib)
            ));
        }
        if over.is_empty() {
            return Ok(());
        }
        let holding: Vec<&str> = boards::all()
            .into_iter()
            .filter(|b| self.fits(b))
            .map(|b| b.name)
            .collect();
        let instead = if holding.is_empty() {
            "no supported board holds it: deploy a smaller model".to_string()
        } else {
            format!(
                "deploy it to {} instead, or a smaller model",
                holding.join(" or ")
            )
        };
        bail!(
            "{} does not fit {} ({}, {}): the model alone needs {}; {instead}",
            path.display(),
            board.name,
            board.chip,
            board.cpu,
            over.join(", and ")
        )
    }
}

/// `k` KiB in bytes.
fn kib(k: u32) -> usize {
    k as usize * 1024
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The micro:bit has 16 KiB of RAM (16,384 bytes): 16,384 bytes of int8 needs fit,
    /// one more does not, and the message says which board holds it.
    #[test]
    fn int8_ram_is_checked_to_the_byte_against_the_table() {
        let microbit = boards::find("microbit").unwrap();
        let path = Path::new("m.tgan");
        // 16,384 = 16,000 + 4 · (32 + 64).
        assert!(
            Need::int8(1000, 32, 16_000, 64)
                .check(&microbit, path)
                .is_ok()
        );
        let e = Need::int8(1000, 32, 16_001, 64)
            .check(&microbit, path)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "m.tgan does not fit microbit (nRF51822_xxAA, Cortex-M0): the model alone needs \
             16385 bytes of RAM (16001 scratch codes, 32 latent values and 64 outputs of one \
             sample), and it has 16 KiB (16384 bytes); deploy it to netduinoplus2 instead, or \
             a smaller model"
        );
    }

    /// Flash is the file for int8 and the file plus the decoded network for f32: 1 MiB on
    /// the netduinoplus2, which no board of the table exceeds, so none holds more.
    #[test]
    fn flash_over_every_board_names_no_board() {
        let m4f = boards::find("netduinoplus2").unwrap();
        let path = Path::new("big.tgan");
        assert!(Need::f32(524_288, 524_288, 0).check(&m4f, path).is_ok());
        let e = Need::f32(524_288, 524_289, 0)
            .check(&m4f, path)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "big.tgan does not fit netduinoplus2 (STM32F405RGTx, Cortex-M4F): the model alone \
             needs 1048577 bytes of flash (the 524288-byte file and the 524289-byte decoded \
             network), and it has 1024 KiB (1048576 bytes); no supported board holds it: \
             deploy a smaller model"
        );
        // 300 KiB of int8 file: over the micro:bit's 256 KiB, within the M4F's flash.
        let e = Need::int8(300 * 1024, 8, 100, 2)
            .check(&boards::find("microbit").unwrap(), path)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("307200 bytes of flash (the model file), and it has 256 KiB")
                && e.ends_with("deploy it to netduinoplus2 instead, or a smaller model"),
            "{e}"
        );
    }
}
