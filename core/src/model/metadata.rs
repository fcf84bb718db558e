//! The metadata of a model file (format version 2): a short UTF-8 text of `key=value`
//! lines that says what the file is and what it was trained on.
//!
//! Rule, checked by [`Metadata::parse`] when a file is read and by the writer before it
//! writes: at most [`MAX_LEN`] bytes of UTF-8; every line ends in `\n` (so the text is
//! empty or ends in `\n`); a line is `key=value`, the key 1 to [`MAX_KEY`] bytes of
//! `a`–`z`, `0`–`9` and `_` starting with a letter, the value any UTF-8 text without
//! control characters (U+0000–U+001F, U+007F), possibly empty; no key appears twice.
//! Keys this code does not know are kept and ignored, so a later writer can add keys
//! (int8 quantisation, a user's data columns) without a new format version.
//!
//! Keys written today (their values are read by the host, `host/src/model_io.rs`):
//!
//! | key | value |
//! |---|---|
//! | [`KEY_KIND`] | `generator` or `discriminator` |
//! | [`KEY_DATA`] | the data set the network was trained on (`ring8`, `grid25`, `digits`) |

use core::fmt;

/// Largest metadata text in bytes.
pub const MAX_LEN: usize = 1024;
/// Longest key in bytes.
pub const MAX_KEY: usize = 32;
/// Key of the network's kind: `generator` or `discriminator`.
pub const KEY_KIND: &str = "kind";
/// Key of the data set the network was trained on.
pub const KEY_DATA: &str = "data";

/// Why a metadata text breaks the rule of this module. Lines count from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MetadataError {
    /// Longer than [`MAX_LEN`] bytes.
    TooLong {
        /// Length in bytes.
        len: u32,
    },
    /// Not valid UTF-8 from byte `at` on.
    NotUtf8 {
        /// Offset of the first invalid byte.
        at: u32,
    },
    /// The last line does not end in `\n`.
    Unterminated,
    /// A line has no `=`.
    NoEquals {
        /// Line number.
        line: u32,
    },
    /// A key is empty, too long, or has a character outside `a`–`z`, `0`–`9`, `_`, or
    /// does not start with a letter.
    BadKey {
        /// Line number.
        line: u32,
    },
    /// A value holds a control character.
    BadValue {
        /// Line number.
        line: u32,
    },
    /// A key repeats one of an earlier line.
    DuplicateKey {
        /// Line number of the repetition.
        line: u32,
    },
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TooLong { len } => {
                write!(f, "metadata is {len} bytes, at most {MAX_LEN} are allowed")
            }
            Self::NotUtf8 { at } => write!(f, "metadata is not UTF-8 (byte {at})"),
            Self::Unterminated => write!(f, "metadata does not end in a newline"),
            Self::NoEquals { line } => write!(f, "metadata line {line} is not key=value"),
            Self::BadKey { line } => write!(
                f,
                "metadata line {line}: a key is 1 to {MAX_KEY} of a-z, 0-9, _ starting with a letter"
            ),
            Self::BadValue { line } => {
                write!(f, "metadata line {line}: the value has a control character")
            }
            Self::DuplicateKey { line } => {
                write!(f, "metadata line {line} repeats an earlier key")
            }
        }
    }
}

impl core::error::Error for MetadataError {}

/// A validated metadata text borrowed from a file (no copy, no heap).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Metadata<'a> {
    text: &'a str,
}

fn valid_key(key: &str) -> bool {
    let b = key.as_bytes();
    (1..=MAX_KEY).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

/// Checks one `key=value` line's key and value.
fn check_pair(line: u32, key: &str, value: &str) -> Result<(), MetadataError> {
    if !valid_key(key) {
        return Err(MetadataError::BadKey { line });
    }
    if value.chars().any(char::is_control) {
        return Err(MetadataError::BadValue { line });
    }
    Ok(())
}

impl<'a> Metadata<'a> {
    /// Validates `bytes` against the rule of this module.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, MetadataError> {
        if bytes.len() > MAX_LEN {
            return Err(MetadataError::TooLong {
                len: bytes.len() as u32,
            });
        }
        let text = core::str::from_utf8(bytes).map_err(|e| MetadataError::NotUtf8 {
            at: e.valid_up_to() as u32,
        })?;
        if !text.is_empty() && !text.ends_with('\n') {
            return Err(MetadataError::Unterminated);
        }
        let meta = Self { text };
        for (i, line) in meta.lines().enumerate() {
            let line_no = i as u32 + 1;
            let (key, value) = line
                .split_once('=')
                .ok_or(MetadataError::NoEquals { line: line_no })?;
            check_pair(line_no, key, value)?;
            if meta
                .lines()
                .take(i)
                .any(|l| l.split_once('=').map(|p| p.0) == Some(key))
            {
                return Err(MetadataError::DuplicateKey { line: line_no });
            }
        }
        Ok(meta)
    }

    fn lines(&self) -> impl Iterator<Item = &'a str> {
        let text: &'a str = self.text;
        text.split_terminator('\n')
    }

    /// The `(key, value)` pairs in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.lines().filter_map(|l| l.split_once('='))
    }

    /// The value of `key`, if the text has it.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// The whole text.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Length in bytes of the text of `pairs` (`key=value\n` each).
pub fn text_len(pairs: &[(&str, &str)]) -> usize {
    pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum()
}

/// Writes the text of `pairs` into `out` (at least [`text_len`] bytes) after checking
/// each key and value (a `=` in a key or a newline in a value would change the pairs a
/// reader sees), then checks the whole text as a reader will.
pub fn write_text(pairs: &[(&str, &str)], out: &mut [u8]) -> Result<(), MetadataError> {
    for (i, (k, v)) in pairs.iter().enumerate() {
        check_pair(i as u32 + 1, k, v)?;
    }
    let mut at = 0;
    for (k, v) in pairs {
        for part in [k.as_bytes(), b"=", v.as_bytes(), b"\n"] {
            out[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
    }
    Metadata::parse(&out[..at]).map(|_| ())
}
