use burn::tensor::DType;
use serde::{Deserialize, Serialize};

use crate::nn::Attention;
use crate::{Precision, ToDType};

/// Run-time choices that do not change a model's weights: the device policies set them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ModelOptions {
    /// Attention path.
    pub attention: Attention,
    /// Float type of weights and activations.
    pub precision: Precision,
}

impl ModelOptions {
    /// Options with the given attention path.
    pub fn with_attention(mut self, attention: Attention) -> Self {
        self.attention = attention;
        self
    }

    /// Options with the given precision.
    pub fn with_precision(mut self, precision: Precision) -> Self {
        self.precision = precision;
        self
    }

    /// The Burn dtype of the precision.
    pub fn dtype(&self) -> DType {
        self.precision.dtype()
    }
}
