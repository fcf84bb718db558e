//! Pictures of a run: a scatter plot of 2-D samples over the true modes, or a grid of
//! generated digits. PNG, written by [`crate::fsutil::write_output`].

use crate::dataset::Dataset;
use crate::fsutil::write_output;
use anyhow::{Context, Result};
use std::path::Path;

/// An RGB raster.
struct Canvas {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Canvas {
    fn new(w: usize, h: usize, grey: u8) -> Self {
        Self {
            w,
            h,
            px: vec![grey; w * h * 3],
        }
    }

    fn set(&mut self, x: i64, y: i64, rgb: [u8; 3]) {
        if (0..self.w as i64).contains(&x) && (0..self.h as i64).contains(&y) {
            let at = (y as usize * self.w + x as usize) * 3;
            self.px[at..at + 3].copy_from_slice(&rgb);
        }
    }

    fn png(&self) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        let mut enc = png::Encoder::new(&mut buf, self.w as u32, self.h as u32);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().context("PNG header")?;
        writer.write_image_data(&self.px).context("PNG data")?;
        writer.finish().context("PNG end")?;
        Ok(buf)
    }
}

/// Scatter of 2-D samples (model units, in `[−1, 1]²`), with the true modes of `data` as
/// red crosses.
fn scatter(data: Dataset, samples: &[Vec<f32>]) -> Canvas {
    const SIZE: usize = 512;
    let mut c = Canvas::new(SIZE, SIZE, 255);
    let to_px = |v: f32| ((v + 1.1) / 2.2 * SIZE as f32) as i64;
    for s in samples {
        let (x, y) = (to_px(s[0]), to_px(-s[1]));
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            c.set(x + dx, y + dy, [30, 60, 160]);
        }
    }
    if let Some(toy) = data.toy() {
        let s = toy.scalers();
        for m in toy.means() {
            let (x, y) = (to_px(s[0].to_model(m[0])), to_px(-s[1].to_model(m[1])));
            for d in -4..=4 {
                c.set(x + d, y, [220, 30, 30]);
                c.set(x, y + d, [220, 30, 30]);
            }
        }
    }
    c
}

/// Up to 100 digits (model units, 64 pixels each) in a 10 × 10 grid, each pixel 4 × 4.
fn digit_grid(samples: &[Vec<f32>]) -> Canvas {
    const CELL: usize = 8 * 4 + 2;
    let mut c = Canvas::new(10 * CELL, 10 * CELL, 128);
    for (i, img) in samples.iter().take(100).enumerate() {
        let (ox, oy) = ((i % 10) * CELL + 1, (i / 10) * CELL + 1);
        for (k, v) in img.iter().enumerate().take(64) {
            let g = ((1.0 - v.clamp(-1.0, 1.0)) * 127.5) as u8;
            for d in 0..16 {
                let (x, y) = (ox + (k % 8) * 4 + d % 4, oy + (k / 8) * 4 + d / 4);
                c.set(x as i64, y as i64, [g, g, g]);
            }
        }
    }
    c
}

/// Writes the picture of `samples` (model units) for `data` to `path`.
pub fn save_samples(path: &Path, data: Dataset, samples: &[Vec<f32>]) -> Result<()> {
    let canvas = match data {
        Dataset::Digits => digit_grid(samples),
        _ => scatter(data, samples),
    };
    write_output(path, &canvas.png()?)
}

/// A terminal preview of up to `n` digits (model units), side by side, in shades of ASCII.
pub fn ascii_digits(samples: &[Vec<f32>], n: usize) -> String {
    const SHADES: &[u8] = b" .:-=+*#%@";
    let mut out = String::new();
    for row in 0..8 {
        for img in samples.iter().take(n) {
            for col in 0..8 {
                let v = img.get(row * 8 + col).copied().unwrap_or(-1.0);
                let level = ((v.clamp(-1.0, 1.0) + 1.0) / 2.0 * 9.0).round() as usize;
                out.push(SHADES[level] as char);
            }
            out.push_str("  ");
        }
        out.push('\n');
    }
    out
}
