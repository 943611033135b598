use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor, backend::Backend};

/// Focal loss (Lin et al. 2017) over logits `[batch, classes]` and targets `[batch]`:
///
/// `loss = mean_i  w[y_i] * (1 - p[i, y_i])^gamma * -log p[i, y_i]`
///
/// `p[i, y_i]` is the model's probability of the target (not `exp(-weighted CE)`); the optional
/// class weights `w` act as the per-class `alpha`; the mean is over the batch. With `gamma = 0`
/// and no weights it is the plain cross-entropy. Label smoothing does not apply.
#[derive(Debug, Clone, PartialEq)]
pub struct FocalLoss {
    /// The focusing exponent (2 in the reference tool).
    pub gamma: f64,
    /// One weight per class, or `None`.
    pub class_weights: Option<Vec<f32>>,
}

impl FocalLoss {
    /// A focal loss with the given `gamma` and no class weights.
    pub fn new(gamma: f64) -> Self {
        Self {
            gamma,
            class_weights: None,
        }
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
        let log_pt = super::at_targets(log_softmax(logits, 1), targets.clone());
        let modulating = log_pt
            .clone()
            .exp()
            .neg()
            .add_scalar(1.0)
            .powf_scalar(self.gamma);
        let mut per_example = modulating * log_pt.neg();
        if let Some(weights) = &self.class_weights {
            let weights = super::weight_tensor::<B>(weights, &per_example.device());
            per_example = per_example * weights.select(0, targets);
        }
        per_example.mean()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::CrossEntropyLoss;
    use crate::test_util::{TestBackend, logits, scalar, targets};

    fn case() -> (Tensor<TestBackend, 2>, Tensor<TestBackend, 1, Int>) {
        // row 0: p = [1/4, 1/2, 1/4], target 1 -> p_t = 1/2
        // row 1: p = [3/5, 1/5, 1/5], target 2 -> p_t = 1/5
        (
            logits(&[[0.0, 2f64.ln(), 0.0], [3f64.ln(), 0.0, 0.0]]),
            targets(&[1, 2]),
        )
    }

    #[test]
    fn down_weights_easy_examples() {
        // gamma 2: ((1/2)^2 ln 2 + (4/5)^2 ln 5) / 2
        let (x, y) = case();
        let expected = (0.25 * 2f64.ln() + 0.64 * 5f64.ln()) / 2.0;
        let loss = scalar(FocalLoss::new(2.0).forward(x, y));
        assert!((loss - expected).abs() < 1e-6, "{loss} vs {expected}");
    }

    #[test]
    fn class_weights_scale_each_example() {
        // w = [1, 2, 4]: (2 * 0.25 ln 2 + 4 * 0.64 ln 5) / 2
        let (x, y) = case();
        let expected = (0.5 * 2f64.ln() + 2.56 * 5f64.ln()) / 2.0;
        let loss = FocalLoss::new(2.0)
            .with_class_weights(Some(vec![1.0, 2.0, 4.0]))
            .forward(x, y);
        assert!((scalar(loss) - expected).abs() < 1e-6);
    }

    #[test]
    fn gamma_zero_is_cross_entropy() {
        let (x, y) = case();
        let focal = scalar(FocalLoss::new(0.0).forward(x.clone(), y.clone()));
        let ce = scalar(CrossEntropyLoss::new().forward(x, y));
        assert!((focal - ce).abs() < 1e-6);
    }
}
