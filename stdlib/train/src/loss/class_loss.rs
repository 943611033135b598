use burn::tensor::{Int, Tensor, backend::Backend};

use super::{CrossEntropyLoss, FocalLoss};

/// The per-head classification loss: cross-entropy (with smoothing and weights) or focal loss.
#[derive(Debug, Clone, PartialEq)]
pub enum ClassLoss {
    /// See [`CrossEntropyLoss`].
    CrossEntropy(CrossEntropyLoss),
    /// See [`FocalLoss`].
    Focal(FocalLoss),
}

impl Default for ClassLoss {
    fn default() -> Self {
        Self::CrossEntropy(CrossEntropyLoss::new())
    }
}

impl ClassLoss {
    /// The mean loss as a one-element tensor.
    pub fn forward<B: Backend>(
        &self,
        logits: Tensor<B, 2>,
        targets: Tensor<B, 1, Int>,
    ) -> Tensor<B, 1> {
        match self {
            Self::CrossEntropy(loss) => loss.forward(logits, targets),
            Self::Focal(loss) => loss.forward(logits, targets),
        }
    }
}
