//! The learning-rate schedule of a training run: linear decay with an optional warm-up.

/// The learning-rate multiplier per iteration: a linear decay from ×1 at the first
/// iteration to ×`lr_final` at the last (iteration `steps − 1`, and every later one), times
/// a linear warm-up ramp (Goyal et al. 2017, "Accurate, Large Minibatch SGD",
/// arXiv:1706.02677, §2.2, "gradual warmup"):
///
/// ```text
/// t(it)      = min(it, steps − 1) / (steps − 1)      (0 when steps ≤ 1)
/// warmup(it) = min(1, (it + 1) / warmup)              (1 when warmup = 0)
/// factor(it) = (1 + (lr_final − 1) · t(it)) · warmup(it)
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LrSchedule {
    /// Iterations of the run (the decay reaches `lr_final` at the last one).
    pub steps: u32,
    /// Multiplier at the last iteration (1: no decay).
    pub lr_final: f32,
    /// Iterations of the warm-up ramp (0: none).
    pub warmup: u32,
}

impl LrSchedule {
    /// A constant rate: every factor is 1.
    pub const CONSTANT: Self = Self {
        steps: 0,
        lr_final: 1.0,
        warmup: 0,
    };

    /// The multiplier of iteration `it` (counted from 0).
    pub fn factor(&self, it: u32) -> f32 {
        let t = if self.steps > 1 {
            it.min(self.steps - 1) as f32 / (self.steps - 1) as f32
        } else {
            0.0
        };
        let warmup = if self.warmup > 0 {
            ((it as f32 + 1.0) / self.warmup as f32).min(1.0)
        } else {
            1.0
        };
        (1.0 + (self.lr_final - 1.0) * t) * warmup
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Over 5 iterations to ×0.2 the rate falls by 0.2 per iteration (t = it/4), and stays
    /// at 0.2 after the last; a warm-up of 2 halves the first factor ((0 + 1)/2 · 1) and
    /// leaves the rest.
    #[test]
    fn decay_and_warmup_by_hand() {
        let decay = LrSchedule {
            steps: 5,
            lr_final: 0.2,
            warmup: 0,
        };
        let want = [1.0, 0.8, 0.6, 0.4, 0.2, 0.2];
        for (it, w) in want.iter().enumerate() {
            let f = decay.factor(it as u32);
            assert!((f - w).abs() < 1e-6, "iteration {it}: {f} vs {w}");
        }
        let warm = LrSchedule { warmup: 2, ..decay };
        for (it, w) in [0.5, 0.8, 0.6].iter().enumerate() {
            let f = warm.factor(it as u32);
            assert!((f - w).abs() < 1e-6, "iteration {it}: {f} vs {w}");
        }
        let ramp = LrSchedule {
            warmup: 4,
            ..LrSchedule::CONSTANT
        };
        assert_eq!(
            [0, 1, 3, 9].map(|it| ramp.factor(it)),
            [0.25, 0.5, 1.0, 1.0]
        );
        assert_eq!(LrSchedule::CONSTANT.factor(1234), 1.0);
    }
}
