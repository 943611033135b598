//! Eval-mode outputs against HF's: tensor helpers and differences.

use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};
use serde::Serialize;

use super::EvalCase;
use crate::SequenceClassifier;

/// A `[rows, cols]` int tensor.
pub fn int_tensor<B: Backend>(rows: &[Vec<i64>], device: &B::Device) -> Tensor<B, 2, Int> {
    let cols = rows.first().map_or(0, Vec::len);
    let flat: Vec<i64> = rows.iter().flatten().copied().collect();
    Tensor::from_data(TensorData::new(flat, [rows.len(), cols]), device)
}

/// A float tensor's values as f32 (whatever its precision).
pub fn values<B: Backend, const D: usize>(t: Tensor<B, D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .expect("converted to f32 just above")
}

/// Largest `|actual - expected|`; infinite when the lengths differ or a value is not finite.
pub fn max_abs_diff(actual: &[f32], expected: &[f64]) -> f64 {
    if actual.len() != expected.len() {
        return f64::INFINITY;
    }
    actual
        .iter()
        .zip(expected)
        .map(|(a, e)| {
            let d = (f64::from(*a) - e).abs();
            if d.is_nan() { f64::INFINITY } else { d }
        })
        .fold(0.0, f64::max)
}

/// [`max_abs_diff`] over the largest `|expected|`.
pub fn relative_max_diff(actual: &[f32], expected: &[f64]) -> f64 {
    let scale = expected.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    max_abs_diff(actual, expected) / scale
}

/// How far a model's eval outputs are from HF's on one case.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EvalDiff {
    /// Largest absolute logits difference.
    pub logits: f64,
    /// Largest absolute `last_hidden_state` difference.
    pub hidden: f64,
}

/// Runs `model` on `case` and compares its outputs with HF's.
pub fn eval_diff<B: Backend>(
    model: &SequenceClassifier<B>,
    case: &EvalCase,
    device: &B::Device,
) -> EvalDiff {
    let ids = int_tensor::<B>(&case.input_ids, device);
    let mask = int_tensor::<B>(&case.attention_mask, device);
    let out = model.forward(ids, mask);
    EvalDiff {
        logits: max_abs_diff(&values(out.logits), &case.flat_logits()),
        hidden: max_abs_diff(&values(out.last_hidden_state), &case.flat_hidden()),
    }
}
