use burn::tensor::activation::{log_softmax, softmax};
use burn::tensor::{Int, Tensor, TensorData, backend::Backend};

use super::ClassLoss;

/// The multitask objective over an evasion head and a clarity head:
///
/// `total = alpha * L_ev(evasion) + (1 - alpha) * L_cl(clarity) + beta * KL(q || p)`
///
/// where `q` is the clarity distribution implied by the evasion head (the evasion
/// probabilities summed through the evasion -> clarity mapping) and `p` the clarity head's
/// distribution. The direction is that of `torch.nn.functional.kl_div(log p, q,
/// reduction="batchmean")`: `KL(q || p) = mean_i sum_k q[i,k] (log q[i,k] - log p[i,k])`, with
/// `0 log 0 = 0`. Gradients flow into both heads.
#[derive(Debug, Clone, PartialEq)]
pub struct MultitaskLoss {
    /// Weight of the evasion loss; the clarity loss gets `1 - alpha`.
    pub alpha: f64,
    /// Weight of the consistency term.
    pub beta: f64,
    /// The evasion head's loss.
    pub evasion: ClassLoss,
    /// The clarity head's loss.
    pub clarity: ClassLoss,
    /// `mapping[e]` is the clarity class of evasion class `e`.
    pub mapping: Vec<usize>,
    /// Number of clarity classes.
    pub clarity_classes: usize,
}

/// The terms of a [`MultitaskLoss`], each a one-element tensor.
#[derive(Debug, Clone)]
pub struct MultitaskLossParts<B: Backend> {
    /// The weighted sum that is minimised.
    pub total: Tensor<B, 1>,
    /// The evasion head's loss.
    pub evasion: Tensor<B, 1>,
    /// The clarity head's loss.
    pub clarity: Tensor<B, 1>,
    /// `KL(q || p)`.
    pub consistency: Tensor<B, 1>,
}

impl MultitaskLoss {
    /// All terms of the loss for one batch.
    pub fn forward<B: Backend>(
        &self,
        evasion_logits: Tensor<B, 2>,
        clarity_logits: Tensor<B, 2>,
        evasion_targets: Tensor<B, 1, Int>,
        clarity_targets: Tensor<B, 1, Int>,
    ) -> MultitaskLossParts<B> {
        let consistency = consistency_kl(
            evasion_logits.clone(),
            clarity_logits.clone(),
            &self.mapping,
            self.clarity_classes,
        );
        let evasion = self.evasion.forward(evasion_logits, evasion_targets);
        let clarity = self.clarity.forward(clarity_logits, clarity_targets);
        let total = evasion.clone().mul_scalar(self.alpha)
            + clarity.clone().mul_scalar(1.0 - self.alpha)
            + consistency.clone().mul_scalar(self.beta);
        MultitaskLossParts {
            total,
            evasion,
            clarity,
            consistency,
        }
    }
}

/// The `[evasion, clarity]` 0/1 matrix of an evasion -> clarity mapping.
pub fn mapping_matrix<B: Backend>(
    mapping: &[usize],
    clarity_classes: usize,
    device: &B::Device,
) -> Tensor<B, 2> {
    let mut values = vec![0f32; mapping.len() * clarity_classes];
    for (evasion, &clarity) in mapping.iter().enumerate() {
        values[evasion * clarity_classes + clarity] = 1.0;
    }
    Tensor::from_data(
        TensorData::new(values, [mapping.len(), clarity_classes]),
        device,
    )
}

/// `KL(q || p)` averaged over the batch, `q` = evasion probabilities summed into clarity
/// classes, `p` = the clarity head's softmax (see [`MultitaskLoss`]).
pub fn consistency_kl<B: Backend>(
    evasion_logits: Tensor<B, 2>,
    clarity_logits: Tensor<B, 2>,
    mapping: &[usize],
    clarity_classes: usize,
) -> Tensor<B, 1> {
    let [batch, _] = evasion_logits.dims();
    let matrix = mapping_matrix(mapping, clarity_classes, &evasion_logits.device());
    let q = softmax(evasion_logits, 1).matmul(matrix);
    let log_q = q.clone().clamp_min(1e-30).log();
    let log_p = log_softmax(clarity_logits, 1);
    (q * (log_q - log_p)).sum().div_scalar(batch as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::CrossEntropyLoss;
    use crate::test_util::{TestBackend, logits_n, scalar, targets};

    // Three evasion classes mapped to two clarity classes: [0, 1, 1].
    // evasion logits [ln 2, 0, 0] -> probs [1/2, 1/4, 1/4] -> q = [1/2, 1/2]
    // clarity logits [ln 3, 0]    -> p = [3/4, 1/4]
    // KL(q || p) = 1/2 ln((1/2)/(3/4)) + 1/2 ln((1/2)/(1/4)) = 1/2 ln(2/3) + 1/2 ln 2 = 1/2 ln(4/3)
    fn heads() -> (Tensor<TestBackend, 2>, Tensor<TestBackend, 2>) {
        (
            logits_n(&[vec![2f64.ln(), 0.0, 0.0]]),
            logits_n(&[vec![3f64.ln(), 0.0]]),
        )
    }

    #[test]
    fn consistency_is_kl_from_the_implied_clarity_distribution() {
        let (ev, cl) = heads();
        let kl = scalar(consistency_kl(ev, cl, &[0, 1, 1], 2));
        assert!((kl - 0.5 * (4.0f64 / 3.0).ln()).abs() < 1e-6, "{kl}");
    }

    #[test]
    fn consistent_heads_have_zero_kl() {
        // q = [1/2, 1/2] and p = [1/2, 1/2].
        let ev = logits_n::<TestBackend>(&[vec![2f64.ln(), 0.0, 0.0]]);
        let cl = logits_n::<TestBackend>(&[vec![0.0, 0.0]]);
        assert!(scalar(consistency_kl(ev, cl, &[0, 1, 1], 2)).abs() < 1e-7);
    }

    #[test]
    fn total_weights_the_three_terms() {
        // targets: evasion 1 (p = 1/4), clarity 0 (p = 3/4)
        // total = 0.7 ln 4 + 0.3 ln(4/3) + 0.1 * 1/2 ln(4/3)
        let (ev, cl) = heads();
        let loss = MultitaskLoss {
            alpha: 0.7,
            beta: 0.1,
            evasion: ClassLoss::CrossEntropy(CrossEntropyLoss::new()),
            clarity: ClassLoss::CrossEntropy(CrossEntropyLoss::new()),
            mapping: vec![0, 1, 1],
            clarity_classes: 2,
        };
        let parts = loss.forward(ev, cl, targets(&[1]), targets(&[0]));
        let third = (4.0f64 / 3.0).ln();
        assert!((scalar(parts.evasion) - 4f64.ln()).abs() < 1e-6);
        assert!((scalar(parts.clarity) - third).abs() < 1e-6);
        let expected = 0.7 * 4f64.ln() + 0.3 * third + 0.1 * 0.5 * third;
        assert!((scalar(parts.total) - expected).abs() < 1e-6);
    }
}
