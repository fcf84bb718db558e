//! The 8×8 handwritten digits: 1,797 images from the test part of "Optical Recognition of
//! Handwritten Digits" (Alpaydin & Kaynak 1998, UCI, DOI 10.24432/C50P49, CC BY 4.0),
//! embedded in the binary from `data/optdigits-8x8.csv.gz` (see `data/README.md`).
//!
//! The file is gzip-compressed CSV without a header: one image a line, 64 grey levels
//! `0..=16` (row-major, top-left first) then the label `0..=9`.

use super::{Scaler, shuffle};
use flate2::read::GzDecoder;
use std::fmt;
use std::io::Read;
use tinygan_core::rng::Prng;

/// The path of the embedded file, relative to the workspace root (used in messages).
pub const FILE: &str = "data/optdigits-8x8.csv.gz";

/// The embedded file, byte for byte.
pub static GZ: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/optdigits-8x8.csv.gz"
));

/// Grey levels `0..=16` to `[−1, 1]`: `(v − 8) / 8`, the same for every pixel.
pub const PIXEL_SCALER: Scaler = Scaler {
    offset: 8.0,
    scale: 8.0,
};

/// Pixels per image (8 × 8, one channel).
pub const PIXELS: usize = 64;

/// Seed of the shuffle that picks the held-out rows (see [`Digits::split`]).
pub const SPLIT_SEED: u64 = 0x0D16_175E;

/// One image in model units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Digit {
    /// Pixels in `[−1, 1]`, row-major (a CHW image with one channel, flattened).
    pub pixels: [f32; PIXELS],
    /// The class, `0..=9`.
    pub label: u8,
}

/// The data set split into a training part and a held-out part.
#[derive(Clone, Debug, PartialEq)]
pub struct Digits {
    /// Rows not held out, in file order (1,348 of 1,797).
    pub train: Vec<Digit>,
    /// Held-out rows, in file order (449 = ⌊1,797 / 4⌋).
    pub held_out: Vec<Digit>,
}

impl Digits {
    /// Decodes the embedded file and splits it.
    pub fn load() -> Result<Self, DigitsError> {
        parse_gz(GZ, FILE).map(Self::split)
    }

    /// Deterministic split: the row indices `0..n` are shuffled by
    /// [`shuffle`] with `Prng::new(SPLIT_SEED)`; the first `⌊n / 4⌋`
    /// indices are held out. Both parts keep file order. (A shuffle rather than "every
    /// k-th row" because the file's labels partly cycle 0..9, which a stride would alias.)
    pub fn split(rows: Vec<Digit>) -> Self {
        let mut order: Vec<usize> = (0..rows.len()).collect();
        shuffle(&mut Prng::new(SPLIT_SEED), &mut order);
        let mut held = vec![false; rows.len()];
        for &i in &order[..rows.len() / 4] {
            held[i] = true;
        }
        let (held_out, train) = rows.into_iter().zip(held).partition(|(_, h)| *h);
        let strip = |v: Vec<(Digit, bool)>| v.into_iter().map(|(d, _)| d).collect();
        Self {
            train: strip(train),
            held_out: strip(held_out),
        }
    }
}

/// A malformed digits file: where and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigitsError {
    /// The file, as given to the parser.
    pub file: String,
    /// 1-based line, or 0 when the problem is not on one line (decompression, no rows).
    pub line: usize,
    /// 1-based CSV column (field), or 0 when the problem is the whole line.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DigitsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if self.column > 0 {
            write!(f, ", column {}", self.column)?;
        }
        write!(
            f,
            ": {} (expected 64 grey levels 0..=16 then a label 0..=9 per line)",
            self.message
        )
    }
}

impl std::error::Error for DigitsError {}

/// Decompresses and parses a gzip-compressed digits file; `file` names it in errors.
pub fn parse_gz(gz: &[u8], file: &str) -> Result<Vec<Digit>, DigitsError> {
    let mut csv = Vec::new();
    GzDecoder::new(gz)
        .read_to_end(&mut csv)
        .map_err(|e| error(file, 0, 0, format!("not a readable gzip file: {e}")))?;
    parse_csv(&csv, file)
}

/// Parses the CSV text of a digits file; `file` names it in errors. A final newline is
/// optional, `\r\n` line ends are accepted, any other empty line is an error.
pub fn parse_csv(csv: &[u8], file: &str) -> Result<Vec<Digit>, DigitsError> {
    let csv = csv.strip_suffix(b"\n").unwrap_or(csv);
    if csv.is_empty() {
        return Err(error(file, 0, 0, "no rows".into()));
    }
    csv.split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, line)| parse_line(line.strip_suffix(b"\r").unwrap_or(line), file, i + 1))
        .collect()
}

fn parse_line(line: &[u8], file: &str, n: usize) -> Result<Digit, DigitsError> {
    let line = std::str::from_utf8(line)
        .map_err(|_| error(file, n, 0, "the line is not UTF-8 text".into()))?;
    let fields: Vec<&str> = line.split(',').collect();
    if fields.len() != PIXELS + 1 {
        let msg = format!("{} fields, expected {}", fields.len(), PIXELS + 1);
        return Err(error(file, n, 0, msg));
    }
    let value = |c: usize, max: u8| {
        let s = fields[c].trim();
        s.parse::<u8>()
            .ok()
            .filter(|&v| v <= max)
            .ok_or_else(|| error(file, n, c + 1, format!("{s:?} is not an integer 0..={max}")))
    };
    let mut pixels = [0.0; PIXELS];
    for (c, p) in pixels.iter_mut().enumerate() {
        *p = PIXEL_SCALER.to_model(f32::from(value(c, 16)?));
    }
    let label = value(PIXELS, 9)?;
    Ok(Digit { pixels, label })
}

fn error(file: &str, line: usize, column: usize, message: String) -> DigitsError {
    DigitsError {
        file: file.into(),
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn shipped_file_is_the_pinned_copy() {
        let hex: String = Sha256::digest(GZ)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
        );
    }

    #[test]
    fn loads_and_splits_deterministically() {
        let d = Digits::load().unwrap();
        assert_eq!((d.train.len(), d.held_out.len()), (1348, 449));
        assert_eq!(d, Digits::load().unwrap());
        // First row of the file: 0,0,5,13,9,1,0,0,... label 0.
        let rows = parse_gz(GZ, FILE).unwrap();
        assert_eq!(rows.len(), 1797);
        let p = &rows[0].pixels;
        assert_eq!(
            (p[0], p[2], p[3], rows[0].label),
            (-1.0, -3.0 / 8.0, 5.0 / 8.0, 0)
        );
        for part in [&d.train, &d.held_out] {
            let mut counts = [0usize; 10];
            part.iter().for_each(|x| counts[x.label as usize] += 1);
            assert!(
                counts.iter().all(|&c| c * 10 > part.len() * 7 / 10),
                "{counts:?}"
            );
            assert!(
                part.iter()
                    .flat_map(|x| x.pixels)
                    .all(|p| (-1.0..=1.0).contains(&p))
            );
        }
    }

    fn row(pixel: &str, label: &str) -> String {
        let mut f = vec!["0"; 63];
        f.push(pixel);
        f.push(label);
        f.join(",")
    }

    #[test]
    fn parses_crlf_and_scales() {
        let text = format!("{}\r\n{}", row("16", "3"), row("4", "9"));
        let d = parse_csv(text.as_bytes(), "t.csv").unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].pixels[63], d[0].label), (1.0, 3));
        assert_eq!(
            (d[1].pixels[0], d[1].pixels[63], d[1].label),
            (-1.0, -0.5, 9)
        );
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let bad = |text: String| parse_csv(text.as_bytes(), "t.csv").unwrap_err();
        let e = bad(format!("{}\n{}\n", row("0", "1"), row("17", "1")));
        assert_eq!((e.line, e.column), (2, 64));
        assert!(
            e.to_string()
                .starts_with("t.csv:2, column 64: \"17\" is not an integer 0..=16")
        );
        let e = bad(format!("{}\n", row("x", "1")));
        assert_eq!((e.line, e.column), (1, 64));
        let e = bad(format!("{}\n", row("3", "10")));
        assert_eq!((e.line, e.column), (1, 65));
        let e = bad(format!("{}\n\n{}", row("0", "1"), row("0", "1")));
        assert_eq!(
            (e.line, e.column, e.message.as_str()),
            (2, 0, "1 fields, expected 65")
        );
        assert_eq!(bad(String::new()).message, "no rows");
        let e = parse_gz(b"not gzip", "x.gz").unwrap_err();
        assert!(
            e.to_string().starts_with("x.gz: not a readable gzip file"),
            "{e}"
        );
    }
}
