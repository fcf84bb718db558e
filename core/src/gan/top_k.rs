//! Top-k training of the generator.
//!
//! Sinha et al. 2020, "Top-k Training of GANs: Improving GAN Performance by Throwing Away
//! Bad Samples", arXiv:2002.06224, §3: in each G update only the `k` fakes of the batch
//! that D rates most real (largest D output) contribute to G's gradient; the others are
//! zeroed. `k` starts at the batch size `B` and shrinks to `⌈ν·B⌉`. The paper decays `k`
//! by γ = 0.99 per epoch; this implements the linear variant `share(t) = max(ν, 1 −
//! (1 − ν)·t/N)` over `N` training steps, `k = ⌈share·B⌉`. The kept gradients are scaled by
//! `B/k`, so the G loss is the mean over the kept fakes.

/// The schedule of the kept share: 1 at step 0, linear down to `min` at step `steps`,
/// then `min`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TopK {
    min: f32,
    steps: u32,
}

impl TopK {
    /// Keeps the share `1 − (1 − min)·t/steps` of each batch at step `t`, at least `min`.
    /// Panics unless `0 < min ≤ 1`.
    pub const fn linear(min: f32, steps: u32) -> Self {
        assert!(
            min > 0.0 && min <= 1.0,
            "the kept share ν must be in (0, 1]"
        );
        Self { min, steps }
    }

    /// Fakes kept of a batch of `batch` at training step `step`: `⌈share·batch⌉`, in
    /// `1..=batch`.
    pub fn keep(&self, step: u32, batch: usize) -> usize {
        let t = if self.steps == 0 {
            1.0
        } else {
            (step as f32 / self.steps as f32).min(1.0)
        };
        let share = 1.0 - (1.0 - self.min) * t;
        let k = (share * batch as f32 - 1e-4) as usize + 1;
        k.clamp(1, batch)
    }
}

/// Keeps the gradients `grads[i]` of the `k` samples with the largest `scores[i]` (D's
/// outputs on the fakes), scaled by `n/k`, and zeroes the others; ties keep the earlier
/// sample. `scores` and `grads` have the batch length `n = B`.
pub fn keep_top_k<const B: usize>(scores: &[f32; B], grads: &mut [f32; B], k: usize) {
    if k >= B {
        return;
    }
    let mut order = [0usize; B];
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let scale = B as f32 / k as f32;
    for (rank, &i) in order.iter().enumerate() {
        grads[i] = if rank < k { grads[i] * scale } else { 0.0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_best_rated_and_rescales() {
        let scores = [0.5, -1.0, 2.0, 0.0];
        let mut g = [1.0, 1.0, 1.0, 1.0];
        keep_top_k(&scores, &mut g, 2);
        assert_eq!(g, [2.0, 0.0, 2.0, 0.0]);
        let mut all = [1.0, 2.0, 3.0, 4.0];
        keep_top_k(&scores, &mut all, 4);
        assert_eq!(all, [1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn share_shrinks_linearly_to_its_floor() {
        let t = TopK::linear(0.5, 10);
        let k: [usize; 4] = [0, 5, 10, 100].map(|s| t.keep(s, 64));
        assert_eq!(k, [64, 48, 32, 32]);
        assert_eq!(TopK::linear(1.0, 10).keep(7, 64), 64);
        assert_eq!(TopK::linear(0.01, 0).keep(0, 64), 1);
    }
}
