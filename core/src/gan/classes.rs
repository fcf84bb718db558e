//! The semi-supervised discriminator head (Salimans et al. 2016, "Improved Techniques for
//! Training GANs", arXiv:1606.03498, §5).
//!
//! A D with `K > 1` outputs gives class logits `l₁ … l_K` of a real sample; the generated
//! class `K + 1` has its logit fixed at 0. Then
//! `D(x) = Z(x) / (Z(x) + 1)` with `Z(x) = Σₖ exp lₖ`, so the logit of `D(x)` is
//! `s = ln Z(x) = LSE(l)`, and every GAN loss of [`Loss`](super::Loss) acts on `s` as it
//! acts on a one-output D. Real samples with a label `y` add the supervised term
//! `λ · (LSE(l) − l_y)`, the cross-entropy of `softmax(l)` against `y`, averaged over the
//! batch. Since `∂s/∂lₖ = softmax(l)ₖ`, a G that wants a high `s` is pushed towards samples
//! that D assigns confidently to one class.
//!
//! With `K = 1` the head is the identity: `s = l₁` and no supervised term. Outputs are a
//! flat batch, sample-major: `out[i·K + j]` is logit `j` of sample `i`.

/// `LSE(l) = m + ln Σₖ exp(lₖ − m)` with `m = maxₖ lₖ` (no overflow); the softmax is then
/// `pₖ = exp(lₖ − LSE(l))`.
fn log_sum_exp(l: &[f32]) -> f32 {
    let m = l.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    m + libm::logf(l.iter().map(|&lk| libm::expf(lk - m)).sum::<f32>())
}

/// The GAN logit `s[i]` of every sample from its `k` outputs (`out.len() = s.len() · k`).
/// Panics on other lengths.
pub fn gan_logits(k: usize, out: &[f32], s: &mut [f32]) {
    assert_eq!(out.len(), s.len() * k, "outputs per sample");
    for (si, l) in s.iter_mut().zip(out.chunks_exact(k)) {
        *si = if k == 1 { l[0] } else { log_sum_exp(l) };
    }
}

/// Carries `ds[i] = ∂L/∂s[i]` back to the outputs and adds the supervised term, given the
/// GAN logits `s` that [`gan_logits`] computed from `out`:
/// `dout[i·k + j] = ds[i] · pⱼ + (λ / n) · (pⱼ − [j = yᵢ])`, `p = softmax(lᵢ)`, `n` the
/// batch. Returns the supervised loss `λ · mean_i (LSE(lᵢ) − l_{i,yᵢ})` (0 without
/// labels, with `λ = 0`, or when `k = 1`). Panics on other lengths or a label `≥ k`.
pub fn backward(
    k: usize,
    out: &[f32],
    s: &[f32],
    ds: &[f32],
    labels: Option<&[u8]>,
    weight: f32,
    dout: &mut [f32],
) -> f32 {
    assert_eq!(out.len(), ds.len() * k, "outputs per sample");
    assert_eq!(out.len(), dout.len(), "gradient slice length");
    assert_eq!(s.len(), ds.len(), "one GAN logit per sample");
    if k == 1 {
        dout.copy_from_slice(ds);
        return 0.0;
    }
    let labels = labels.filter(|_| weight > 0.0);
    if let Some(y) = labels {
        assert_eq!(y.len(), ds.len(), "one label per sample");
    }
    let per_sample = weight / ds.len() as f32;
    let mut loss = 0.0;
    for (i, (l, d)) in out
        .chunks_exact(k)
        .zip(dout.chunks_exact_mut(k))
        .enumerate()
    {
        let lse = s[i];
        let scale = ds[i] + if labels.is_some() { per_sample } else { 0.0 };
        for (dk, &lk) in d.iter_mut().zip(l) {
            *dk = scale * libm::expf(lk - lse);
        }
        if let Some(y) = labels {
            let y = usize::from(y[i]);
            assert!(y < k, "label {y} of a {k}-class discriminator");
            d[y] -= per_sample;
            loss += lse - l[y];
        }
    }
    loss * per_sample
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gan::Loss;
    use crate::gradcheck::check_scalar_fn;

    const K: usize = 3;
    const N: usize = 4;
    const OUT: [f32; N * K] = [
        0.3, -1.2, 2.0, //
        -0.5, 0.1, 0.4, //
        5.0, -3.0, 0.0, //
        -2.0, -2.5, -1.0,
    ];
    const LABELS: [u8; N] = [2, 0, 0, 1];

    /// With one output the head passes logits and gradients through unchanged.
    #[test]
    fn one_output_is_the_identity() {
        let out = [0.5, -2.0];
        let mut s = [0.0; 2];
        gan_logits(1, &out, &mut s);
        assert_eq!(s, out);
        let mut d = [0.0; 2];
        assert_eq!(backward(1, &out, &s, &[0.25, -1.0], None, 1.0, &mut d), 0.0);
        assert_eq!(d, [0.25, -1.0]);
    }

    /// `s = ln(Σ eˡ)`: equal logits `a` give `a + ln K`; huge logits do not overflow.
    #[test]
    fn logit_is_log_sum_exp() {
        let mut s = [0.0; 2];
        gan_logits(K, &[1.0, 1.0, 1.0, 200.0, 0.0, 0.0], &mut s);
        assert!((s[0] - (1.0 + libm::logf(3.0))).abs() < 1e-6, "{}", s[0]);
        assert!((s[1] - 200.0).abs() < 1e-4, "{}", s[1]);
    }

    /// The GAN logits of a batch of `N` samples' outputs.
    fn logits(out: &[f32]) -> [f32; N] {
        let mut s = [0.0; N];
        gan_logits(K, out, &mut s);
        s
    }

    /// The BCE real loss on `s` (as the real half of a D loss) and `∂L/∂s`.
    fn real_bce(s: &[f32; N]) -> (f32, [f32; N]) {
        let (mut dr, mut df) = ([0.0; N], [0.0; 1]);
        let loss = Loss::BCE_SMOOTHED.d_loss(s, &[0.0], &mut dr, &mut df);
        (loss, dr)
    }

    /// The BCE real loss on `s` plus the supervised term, as a function of the outputs.
    fn real_loss(out: &[f32], weight: f32) -> f32 {
        let s = logits(out);
        let (gan, dr) = real_bce(&s);
        let mut d = [0.0; N * K];
        gan + backward(K, out, &s, &dr, Some(&LABELS), weight, &mut d)
    }

    /// The head's gradient (GAN part through the log-sum-exp, supervised cross-entropy)
    /// matches central differences of the loss.
    #[test]
    fn gradient_matches_finite_differences() {
        for weight in [0.0, 1.0, 2.5] {
            let s = logits(&OUT);
            let (_, dr) = real_bce(&s);
            let mut d = [0.0; N * K];
            backward(K, &OUT, &s, &dr, Some(&LABELS), weight, &mut d);
            check_scalar_fn(|o| real_loss(o, weight), &OUT, &d);
        }
    }

    /// The supervised term is the mean cross-entropy times `λ`; a label-free or `λ = 0`
    /// batch adds nothing, and the fakes' gradient sums to `ds` per sample.
    #[test]
    fn supervised_term_is_weighted_cross_entropy() {
        let s = logits(&OUT);
        let mut d = [0.0; N * K];
        let ce = backward(K, &OUT, &s, &[0.0; N], Some(&LABELS), 2.0, &mut d);
        let mut want = 0.0;
        for (l, &y) in OUT.chunks_exact(K).zip(&LABELS) {
            want += log_sum_exp(l) - l[usize::from(y)];
        }
        assert!((ce - 2.0 * want / N as f32).abs() < 1e-5, "{ce}");
        for ds in [[0.5; N], [-1.0; N]] {
            for labels in [None, Some(&LABELS[..])] {
                let weight = if labels.is_some() { 0.0 } else { 1.0 };
                assert_eq!(backward(K, &OUT, &s, &ds, labels, weight, &mut d), 0.0);
                for (g, dsi) in d.chunks_exact(K).zip(ds) {
                    assert!((g.iter().sum::<f32>() - dsi).abs() < 1e-6);
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "label 3 of a 3-class discriminator")]
    fn a_label_out_of_range_panics() {
        let mut d = [0.0; N * K];
        backward(
            K,
            &OUT,
            &logits(&OUT),
            &[0.0; N],
            Some(&[0, 1, 2, 3]),
            1.0,
            &mut d,
        );
    }
}
