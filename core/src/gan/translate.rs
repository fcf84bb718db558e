//! Differentiable translation of D's inputs.
//!
//! Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training",
//! arXiv:2006.10738, §3 and appendix A ("translation"): with little data, D memorises the
//! real images; applying the same family of random transforms `T` to real *and* fake images
//! in every D and G update keeps D from overfitting, and since `T` is differentiable G
//! still receives gradients through it. This is the translation of that paper: each image
//! is shifted by a uniform integer offset `(dy, dx) ∈ [−m, m]²` (drawn per image and per
//! update), vacated pixels get a constant fill (the background), pixels shifted out are
//! lost. The gradient of `y = T_s(x)` is the adjoint: `∂L/∂x[p] = ∂L/∂y[p + s]` where
//! `p + s` is inside the image, else 0.

use crate::tensor::{Tensor, flat_mut};
use rand_core::Rng;

/// One image's offset `(dy, dx)`: rows down and columns right.
pub type Shift = (i8, i8);

/// Random translation of images stored channel-major (`[C][H][W]`, any tensor of
/// `C·H·W` values).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Translate {
    /// Channels `C`.
    pub channels: usize,
    /// Height `H`.
    pub height: usize,
    /// Width `W`.
    pub width: usize,
    /// Largest offset `m` in pixels, along each axis.
    pub max: u8,
    /// Value of vacated pixels.
    pub fill: f32,
}

impl Translate {
    /// Draws one offset per image, each coordinate uniform in `[−m, m]`.
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R, shifts: &mut [Shift]) {
        let span = 2 * u32::from(self.max) + 1;
        let m = self.max as i8;
        for s in shifts.iter_mut() {
            let dy = (rng.next_u32() % span) as i8 - m;
            let dx = (rng.next_u32() % span) as i8 - m;
            *s = (dy, dx);
        }
    }

    /// Shifts image `i` of `batch` by `shifts[i]`, vacated pixels set to [`Translate::fill`].
    pub fn apply<T: Tensor>(&self, batch: &mut [T], shifts: &[Shift]) {
        self.shift(batch, shifts, 1, self.fill);
    }

    /// The adjoint of [`Translate::apply`] on gradients: shifts image `i` of `grads` by
    /// `−shifts[i]`, vacated entries set to 0.
    pub fn adjoint<T: Tensor>(&self, grads: &mut [T], shifts: &[Shift]) {
        self.shift(grads, shifts, -1, 0.0);
    }

    fn shift<T: Tensor>(&self, batch: &mut [T], shifts: &[Shift], sign: i8, fill: f32) {
        let (h, w) = (self.height as isize, self.width as isize);
        let image = self.channels * self.height * self.width;
        let values = flat_mut(batch);
        assert_eq!(values.len(), image * shifts.len(), "one offset per image");
        for (img, &(dy, dx)) in values.chunks_exact_mut(image).zip(shifts) {
            let (dy, dx) = (isize::from(dy * sign), isize::from(dx * sign));
            if (dy, dx) == (0, 0) {
                continue;
            }
            // y[r][c] = x[r − dy][c − dx]: the source precedes the target in memory when
            // dy·W + dx > 0, so walk backwards then (and forwards otherwise) to read each
            // source before it is overwritten.
            let backwards = dy * w + dx > 0;
            for plane in img.chunks_exact_mut(self.height * self.width) {
                for k in 0..h * w {
                    let i = if backwards { h * w - 1 - k } else { k };
                    let (r, c) = (i / w - dy, i % w - dx);
                    plane[i as usize] = if (0..h).contains(&r) && (0..w).contains(&c) {
                        plane[(r * w + c) as usize]
                    } else {
                        fill
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Prng;

    const T: Translate = Translate {
        channels: 2,
        height: 3,
        width: 4,
        max: 1,
        fill: -1.0,
    };

    fn image(seed: f32) -> [[[f32; 4]; 3]; 2] {
        let mut x = [[[0.0; 4]; 3]; 2];
        for (i, v) in x.iter_mut().flatten().flatten().enumerate() {
            *v = seed + i as f32;
        }
        x
    }

    #[test]
    fn shifts_every_channel_and_fills() {
        let x = image(0.0);
        let mut y = [x];
        T.apply(&mut y, &[(1, -1)]);
        for ch in 0..2 {
            for r in 0..3 {
                for c in 0..4 {
                    let want = if r >= 1 && c + 1 < 4 {
                        x[ch][r - 1][c + 1]
                    } else {
                        -1.0
                    };
                    assert_eq!(y[0][ch][r][c], want, "channel {ch} ({r}, {c})");
                }
            }
        }
    }

    /// ⟨T x, g⟩ = ⟨x, Tᵀ g⟩ for zero fill: the adjoint is the transpose.
    #[test]
    fn adjoint_is_the_transpose() {
        let t = Translate { fill: 0.0, ..T };
        let mut rng = Prng::new(3);
        let mut shifts = [(0, 0); 9];
        t.draw(&mut rng, &mut shifts);
        assert!(shifts.iter().any(|s| s.0 != 0) && shifts.iter().any(|s| s.1 != 0));
        for &s in &shifts {
            let (x, g) = (image(0.5), image(-3.0));
            let (mut tx, mut tg) = ([x], [g]);
            t.apply(&mut tx, &[s]);
            t.adjoint(&mut tg, &[s]);
            let dot = |a: &[[[f32; 4]; 3]; 2], b: &[[[f32; 4]; 3]; 2]| -> f32 {
                a.iter()
                    .flatten()
                    .flatten()
                    .zip(b.iter().flatten().flatten())
                    .map(|(p, q)| p * q)
                    .sum()
            };
            assert_eq!(dot(&tx[0], &g), dot(&x, &tg[0]), "shift {s:?}");
        }
    }

    /// Each coordinate takes every value of `[−m, m]` and no other, for several `m`.
    #[test]
    fn offsets_cover_the_range() {
        for m in 1..=3u8 {
            let mut shifts = [(0, 0); 400];
            Translate { max: m, ..T }.draw(&mut Prng::new(1), &mut shifts);
            let m = m as i8;
            for v in -m..=m {
                assert!(
                    shifts.iter().any(|s| s.0 == v) && shifts.iter().any(|s| s.1 == v),
                    "m = {m}: offset {v} never drawn"
                );
            }
            assert!(shifts.iter().all(|s| s.0.abs() <= m && s.1.abs() <= m));
        }
    }

    /// A batch of 2-channel 2×3 images `x[ch][r][c] = 100·ch + 10·r + c + 1`, each with its
    /// own offset, against images written out by hand (`F` = fill): one pixel and two
    /// pixels along each axis in both directions, diagonals at the border, and an offset
    /// as wide as the image. The in-place walk must read each source before it is
    /// overwritten whatever the direction, in every channel and every image of the batch.
    #[test]
    fn shifts_by_hand_in_every_direction() {
        const F: f32 = -1.0;
        let t = Translate {
            channels: 2,
            height: 2,
            width: 3,
            max: 3,
            fill: F,
        };
        let x = [
            [[1.0, 2.0, 3.0], [11.0, 12.0, 13.0]],
            [[101.0, 102.0, 103.0], [111.0, 112.0, 113.0]],
        ];
        #[rustfmt::skip]
        let cases: [(Shift, [[[f32; 3]; 2]; 2]); 10] = [
            ((0, 1),   [[[F, 1.0, 2.0], [F, 11.0, 12.0]], [[F, 101.0, 102.0], [F, 111.0, 112.0]]]),
            ((0, -1),  [[[2.0, 3.0, F], [12.0, 13.0, F]], [[102.0, 103.0, F], [112.0, 113.0, F]]]),
            ((0, 2),   [[[F, F, 1.0], [F, F, 11.0]], [[F, F, 101.0], [F, F, 111.0]]]),
            ((0, -2),  [[[3.0, F, F], [13.0, F, F]], [[103.0, F, F], [113.0, F, F]]]),
            ((1, 0),   [[[F, F, F], [1.0, 2.0, 3.0]], [[F, F, F], [101.0, 102.0, 103.0]]]),
            ((-1, 0),  [[[11.0, 12.0, 13.0], [F, F, F]], [[111.0, 112.0, 113.0], [F, F, F]]]),
            ((1, 1),   [[[F, F, F], [F, 1.0, 2.0]], [[F, F, F], [F, 101.0, 102.0]]]),
            ((-1, 2),  [[[F, F, 11.0], [F, F, F]], [[F, F, 111.0], [F, F, F]]]),
            ((1, -2),  [[[F, F, F], [3.0, F, F]], [[F, F, F], [103.0, F, F]]]),
            ((0, 3),   [[[F; 3]; 2]; 2]),
        ];
        let shifts = cases.map(|c| c.0);
        let mut batch = [x; 10];
        t.apply(&mut batch, &shifts);
        for (y, (s, want)) in batch.iter().zip(&cases) {
            assert_eq!(y, want, "apply {s:?}");
        }
        // The adjoint moves by −s and fills with 0.
        let mut grads = [x; 10];
        t.adjoint(&mut grads, &shifts.map(|(dy, dx)| (-dy, -dx)));
        let zero_fill = |v: f32| if v == F { 0.0 } else { v };
        for (g, (s, want)) in grads.iter().zip(&cases) {
            let want = want.map(|ch| ch.map(|row| row.map(zero_fill)));
            assert_eq!(g, &want, "adjoint of {:?}", (-s.0, -s.1));
        }
    }
}
