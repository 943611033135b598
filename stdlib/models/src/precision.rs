use burn::tensor::DType;

use crate::Precision;

/// A precision as Burn's dtype (`use clarity_models::ToDType` for `precision.dtype()`).
pub trait ToDType {
    /// The Burn dtype.
    fn dtype(self) -> DType;
}

impl ToDType for Precision {
    fn dtype(self) -> DType {
        match self {
            Precision::F32 => DType::F32,
            Precision::F16 => DType::F16,
            Precision::Bf16 => DType::BF16,
        }
    }
}
