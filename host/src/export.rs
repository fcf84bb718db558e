//! `tinygan export`: a model file as Rust or C source that puts its bytes into a firmware
//! image.
//!
//! The model reader needs the file's data 16-aligned (its tensors are read in place,
//! [`tinygan_core::model::ALIGN`]), so the bytes are declared aligned to 16:
//!
//! - Rust: `pub static NAME: Aligned<[u8; LEN]>` with `#[repr(C, align(16))] pub struct
//!   Aligned<T>(pub T)`, the form the firmware's own build uses (`firmware/build.rs`);
//!   `NAME.0` is the file. One export per module: each declares its `Aligned`.
//! - C: `__attribute__((aligned(16))) const unsigned char name[LEN]` and
//!   `const size_t name_len`.
//!
//! Both start with a comment naming the source file, its size, format version,
//! fingerprint and CRC-32. The file is validated first, as the reader does
//! ([`crate::inspect::check`]): a file the reader would refuse is not exported.

use crate::inspect;
use anyhow::{Result, bail};
use std::fmt::Write;
use std::path::Path;
use std::str::FromStr;
use tinygan_core::model::ALIGN;

/// The language of the source written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A Rust item list, for `include!` or as a module.
    Rust,
    /// A C translation unit.
    C,
}

impl FromStr for Format {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "rust" => Ok(Self::Rust),
            "c" => Ok(Self::C),
            _ => bail!("unknown format `{s}`: expected rust or c"),
        }
    }
}

impl Format {
    /// The name of the bytes when none is given.
    pub const fn default_name(self) -> &'static str {
        match self {
            Self::Rust => "MODEL",
            Self::C => "tinygan_model",
        }
    }

    /// Words that cannot name the bytes.
    fn keywords(self) -> &'static [&'static str] {
        match self {
            Self::Rust => &[
                "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else",
                "enum", "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
                "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static",
                "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while",
                "Aligned",
            ],
            Self::C => &[
                "auto", "break", "case", "char", "const", "continue", "default", "do", "double",
                "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
                "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
                "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool",
                "true", "false",
            ],
        }
    }
}

/// Checks that `name` can name the bytes in `format`: an ASCII identifier (a letter or
/// `_`, then letters, digits and `_`; at most 64 characters) and not a keyword.
fn check_name(name: &str, format: Format) -> Result<()> {
    let b = name.as_bytes();
    let identifier = (1..=64).contains(&b.len())
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && name != "_";
    if !identifier || format.keywords().contains(&name) {
        bail!(
            "`--name` = {name:?} cannot name the model's bytes: give an identifier (a letter \
             or _, then letters, digits or _, at most 64 characters) that is not a keyword"
        );
    }
    Ok(())
}

/// `bytes` as rows of 16 hex literals, each row indented by four spaces.
fn hex_rows(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 6);
    for row in bytes.chunks(16) {
        s.push_str("   ");
        for b in row {
            let _ = write!(s, " {b:#04x},");
        }
        s.push('\n');
    }
    s
}

/// The source of `format` that declares the model file `bytes` (read from `path`) as
/// `name`, after checking the file and the name. The comment names the file without its
/// folder.
pub fn source(bytes: &[u8], path: &Path, format: Format, name: &str) -> Result<String> {
    check_name(name, format)?;
    let file = inspect::check(bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let source = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let len = bytes.len();
    // Header bytes 20..24, checked by the reader.
    let crc = u32::from_le_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    let about = format!(
        "Source: {source:?}, {len} bytes: format version {}, fingerprint {:#010x}, CRC-32 {crc:#010x}.",
        file.version, file.fingerprint
    );
    let rows = hex_rows(bytes);
    Ok(match format {
        Format::Rust => format!(
            "// A tinygan model file as Rust source, written by `tinygan export`.\n\
             // {about}\n\
             // `{name}.0` is the file's bytes, {ALIGN}-aligned as the model reader needs them.\n\
             \n\
             /// {ALIGN}-byte alignment for the model file's bytes.\n\
             #[repr(C, align({ALIGN}))]\n\
             pub struct Aligned<T>(pub T);\n\
             \n\
             /// The model file {source:?}.\n\
             pub static {name}: Aligned<[u8; {len}]> = Aligned([\n\
             {rows}]);\n"
        ),
        Format::C => format!(
            "/* A tinygan model file as C source, written by `tinygan export`.\n \
             * {about}\n \
             * {name} holds the file's bytes, {ALIGN}-aligned as the model reader needs them;\n \
             * {name}_len is their number. */\n\
             \n\
             #include <stddef.h>\n\
             \n\
             __attribute__((aligned({ALIGN}))) const unsigned char {name}[{len}] = {{\n\
             {rows}}};\n\
             const size_t {name}_len = {len};\n"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const V3: &[u8] = include_bytes!("../../core/src/model/golden/v3.tgan");

    #[test]
    fn names_must_be_identifiers_and_not_keywords() {
        for good in ["MODEL", "tinygan_model", "_m2", "G"] {
            check_name(good, Format::Rust).unwrap();
            check_name(good, Format::C).unwrap();
        }
        for bad in ["", "_", "2x", "a-b", "a b", "é", "static", &"x".repeat(65)] {
            let e = check_name(bad, Format::C).unwrap_err().to_string();
            assert!(e.contains("`--name`"), "{e}");
        }
        assert!(check_name("Aligned", Format::Rust).is_err());
        assert!(check_name("fn", Format::Rust).is_err());
        assert!(check_name("fn", Format::C).is_ok());
        assert!(check_name("int", Format::C).is_err());
    }

    #[test]
    fn hex_rows_of_sixteen() {
        let bytes: Vec<u8> = (0..=17).collect();
        assert_eq!(
            hex_rows(&bytes),
            "    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, \
             0x0d, 0x0e, 0x0f,\n    0x10, 0x11,\n"
        );
    }

    #[test]
    fn header_comment_names_the_file() {
        let fingerprint = u32::from_le_bytes(V3[8..12].try_into().unwrap());
        let crc = u32::from_le_bytes(V3[20..24].try_into().unwrap());
        for format in [Format::Rust, Format::C] {
            let s = source(
                V3,
                Path::new("golden/v3.tgan"),
                format,
                format.default_name(),
            )
            .unwrap();
            let expected = format!(
                "Source: \"v3.tgan\", 1744 bytes: format version 3, fingerprint \
                 {fingerprint:#010x}, CRC-32 {crc:#010x}."
            );
            assert!(s.contains(&expected), "{s}");
        }
    }

    #[test]
    fn a_file_the_reader_refuses_is_not_exported() {
        let mut bad = V3.to_vec();
        bad[500] ^= 4;
        let e = source(&bad, Path::new("in/bad.tgan"), Format::C, "m").unwrap_err();
        assert_eq!(
            e.to_string(),
            "in/bad.tgan: CRC-32 mismatch: the file is corrupt"
        );
        let e = source(&V3[..40], Path::new("short.tgan"), Format::Rust, "M").unwrap_err();
        assert!(
            e.to_string().contains("ends inside the tensor table"),
            "{e}"
        );
    }
}
