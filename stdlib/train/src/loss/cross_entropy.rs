use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor, backend::Backend};

/// Cross-entropy over logits `[batch, classes]` and target indices `[batch]`, with PyTorch's
/// `torch.nn.functional.cross_entropy(weight=w, label_smoothing=eps, reduction="mean")`
/// semantics:
///
/// `loss = (1 - eps) * sum_i w[y_i] * -log p[i, y_i] / sum_i w[y_i]
///       + (eps / C) * sum_i sum_c w[c] * -log p[i, c] / sum_i w[y_i]`
///
/// With no weights, `w = 1` and both denominators are the batch size.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrossEntropyLoss {
    /// The label-smoothing factor `eps` in `[0, 1]`.
    pub label_smoothing: f64,
    /// One weight per class, or `None` for unweighted.
    pub class_weights: Option<Vec<f32>>,
}

impl CrossEntropyLoss {
    /// An unweighted, unsmoothed cross-entropy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the label-smoothing factor.
    pub fn with_label_smoothing(mut self, label_smoothing: f64) -> Self {
        self.label_smoothing = label_smoothing;
        self
    }

    /// Sets per-class weights.
    pub fn with_class_weights(mut self, weights: Option<Vec<f32>>) -> Self {
        self.class_weights = weights;
        self
    }

    /// The mean loss as a one-element tensor.
    pub fn forward<B: Backend>(
        &self,
        logits: Tensor<B, 2>,
        targets: Tensor<B, 1, Int>,
    ) -> Tensor<B, 1> {
        let [batch, classes] = logits.dims();
        let log_probs = log_softmax(logits, 1);
        let target_log_probs = super::at_targets(log_probs.clone(), targets.clone());
        let eps = self.label_smoothing;
        let (nll, smooth) = match &self.class_weights {
            None => {
                let nll = target_log_probs.mean().neg();
                let smooth = log_probs.sum().neg().div_scalar(batch as f64);
                (nll, smooth)
            }
            Some(weights) => {
                let weights = super::weight_tensor::<B>(weights, &log_probs.device());
                let target_weights = weights.clone().select(0, targets);
                let normaliser = target_weights.clone().sum();
                let nll = (target_log_probs * target_weights).sum().neg() / normaliser.clone();
                let smooth = (log_probs * weights.reshape([1, classes])).sum().neg() / normaliser;
                (nll, smooth)
            }
        };
        if eps == 0.0 {
            nll
        } else {
            nll.mul_scalar(1.0 - eps) + smooth.mul_scalar(eps / classes as f64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{TestBackend, logits, scalar, targets};

    // Two examples over three classes, logits chosen so the log-probabilities are simple:
    //   row 0: [ln 1, ln 2, ln 1] -> p = [1/4, 1/2, 1/4], target 1
    //   row 1: [ln 3, ln 1, ln 1] -> p = [3/5, 1/5, 1/5], target 2
    fn case() -> (Tensor<TestBackend, 2>, Tensor<TestBackend, 1, Int>) {
        let ln = f64::ln;
        (
            logits(&[[0.0, ln(2.0), 0.0], [ln(3.0), 0.0, 0.0]]),
            targets(&[1, 2]),
        )
    }

    #[test]
    fn plain_cross_entropy_is_the_mean_nll() {
        // (-ln 1/2 - ln 1/5) / 2 = (ln 2 + ln 5) / 2 = ln(10) / 2
        let (x, y) = case();
        let loss = scalar(CrossEntropyLoss::new().forward(x, y));
        assert!((loss - 10f64.ln() / 2.0).abs() < 1e-6, "{loss}");
    }

    #[test]
    fn label_smoothing_mixes_in_the_mean_over_classes() {
        // smooth_i = -sum_c log p[i, c]:
        //   row 0: ln 4 + ln 2 + ln 4 = ln 32; row 1: ln(5/3) + ln 5 + ln 5 = ln(125/3)
        // smooth = (ln 32 + ln(125/3)) / 2
        // loss = 0.9 * ln(10)/2 + (0.1 / 3) * smooth
        let (x, y) = case();
        let smooth = (32f64.ln() + (125.0f64 / 3.0).ln()) / 2.0;
        let expected = 0.9 * 10f64.ln() / 2.0 + 0.1 / 3.0 * smooth;
        let loss = scalar(
            CrossEntropyLoss::new()
                .with_label_smoothing(0.1)
                .forward(x, y),
        );
        assert!((loss - expected).abs() < 1e-6, "{loss} vs {expected}");
    }

    #[test]
    fn weights_divide_by_the_sum_of_target_weights() {
        // w = [1, 2, 4]; target weights 2 (row 0) and 4 (row 1), sum 6.
        // nll = (2 ln 2 + 4 ln 5) / 6
        // smooth: row 0: 1 ln 4 + 2 ln 2 + 4 ln 4 = 12 ln 2
        //         row 1: 1 ln(5/3) + 2 ln 5 + 4 ln 5 = 7 ln 5 - ln 3
        //   smooth = (12 ln 2 + 7 ln 5 - ln 3) / 6
        // loss = 0.95 * nll + (0.05 / 3) * smooth
        let (x, y) = case();
        let (l2, l3, l5) = (2f64.ln(), 3f64.ln(), 5f64.ln());
        let nll = (2.0 * l2 + 4.0 * l5) / 6.0;
        let smooth = (12.0 * l2 + 7.0 * l5 - l3) / 6.0;
        let expected = 0.95 * nll + 0.05 / 3.0 * smooth;
        let loss = CrossEntropyLoss::new()
            .with_label_smoothing(0.05)
            .with_class_weights(Some(vec![1.0, 2.0, 4.0]))
            .forward(x.clone(), y.clone());
        assert!((scalar(loss) - expected).abs() < 1e-6);
        let unsmoothed = CrossEntropyLoss::new()
            .with_class_weights(Some(vec![1.0, 2.0, 4.0]))
            .forward(x, y);
        assert!((scalar(unsmoothed) - nll).abs() < 1e-6);
    }

    #[test]
    fn gradient_is_softmax_minus_smoothed_target() {
        // d/dz of mean CE with smoothing eps over a batch of N:
        //   (softmax(z) - ((1 - eps) onehot(y) + eps / C)) / N
        // row 0, N = 2, eps = 0.1, C = 3: p = [1/4, 1/2, 1/4], q = [1/30, 0.9 + 1/30, 1/30]
        use burn::backend::Autodiff;
        type AD = Autodiff<TestBackend>;
        let ln2 = 2f64.ln();
        let x = logits::<AD>(&[[0.0, ln2, 0.0], [3f64.ln(), 0.0, 0.0]]).require_grad();
        let y = targets::<AD>(&[1, 2]);
        let loss = CrossEntropyLoss::new()
            .with_label_smoothing(0.1)
            .forward(x.clone(), y);
        let grads = loss.backward();
        let g = x.grad(&grads).unwrap().into_data().to_vec::<f32>().unwrap();
        let q = [1.0 / 30.0, 0.9 + 1.0 / 30.0, 1.0 / 30.0];
        let p = [0.25, 0.5, 0.25];
        for c in 0..3 {
            let expected = (p[c] - q[c]) / 2.0;
            assert!(
                (g[c] as f64 - expected).abs() < 1e-6,
                "class {c}: {} vs {expected}",
                g[c]
            );
        }
    }
}
