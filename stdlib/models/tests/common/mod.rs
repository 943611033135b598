//! Shared helpers of the integration tests: fixtures and backend lists.
#![allow(dead_code)]

pub mod forward;
pub mod training;

use std::path::PathBuf;

use burn::tensor::backend::Backend;
use burn::tensor::{DType, Int, Tensor, TensorData};
use clarity_models::Precision;
use serde_json::Value;

/// `tests/fixtures/<name>`.
pub fn fixture_dir(name: &str) -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("tests")
    .join("fixtures")
    .join(name)
}

/// The fixture's `expected.json` (HF transformers outputs).
pub fn expected(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture_dir(name).join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// One eval case of a fixture.
pub struct EvalCase {
    pub input_ids: Vec<Vec<i64>>,
    pub attention_mask: Vec<Vec<i64>>,
    pub logits: Vec<Vec<f64>>,
    pub last_hidden_state: Vec<Vec<Vec<f64>>>,
}

impl EvalCase {
    /// HF's logits, flattened row by row.
    pub fn flat_logits(&self) -> Vec<f64> {
        self.logits.iter().flatten().copied().collect()
    }

    /// HF's `last_hidden_state`, flattened.
    pub fn flat_hidden(&self) -> Vec<f64> {
        self.last_hidden_state
            .iter()
            .flatten()
            .flatten()
            .copied()
            .collect()
    }
}

/// The fixture's `eval_cases`.
pub fn eval_cases(name: &str) -> Vec<EvalCase> {
    let expected = expected(name);
    expected["eval_cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| EvalCase {
            input_ids: serde_json::from_value(case["input_ids"].clone()).unwrap(),
            attention_mask: serde_json::from_value(case["attention_mask"].clone()).unwrap(),
            logits: serde_json::from_value(case["logits"].clone()).unwrap(),
            last_hidden_state: serde_json::from_value(case["last_hidden_state"].clone()).unwrap(),
        })
        .collect()
}

/// A `[rows, cols]` int tensor.
pub fn int_tensor<B: Backend>(rows: &[Vec<i64>], device: &B::Device) -> Tensor<B, 2, Int> {
    let cols = rows[0].len();
    let flat: Vec<i64> = rows.iter().flatten().copied().collect();
    Tensor::from_data(TensorData::new(flat, [rows.len(), cols]), device)
}

/// Largest |a - b| over flattened values.
pub fn max_abs_diff(actual: &[f32], expected: &[f64]) -> f64 {
    assert_eq!(actual.len(), expected.len(), "length mismatch");
    actual
        .iter()
        .zip(expected)
        .map(|(a, e)| (f64::from(*a) - e).abs())
        .fold(0.0, f64::max)
}

/// A float tensor's values as f32.
pub fn values<B: Backend, const D: usize>(t: Tensor<B, D>) -> Vec<f32> {
    t.into_data().convert::<f32>().to_vec::<f32>().unwrap()
}

/// Burn's dtype of a precision.
pub fn dtype(precision: Precision) -> DType {
    match precision {
        Precision::F32 => DType::F32,
        Precision::F16 => DType::F16,
        Precision::Bf16 => DType::BF16,
    }
}

/// Runs a generic test body on each CPU backend built in.
#[macro_export]
macro_rules! for_each_cpu_backend {
    ($body:ident) => {{
        #[cfg(feature = "flex")]
        $body::<burn::backend::Flex>(burn::backend::flex::FlexDevice, "flex");
        #[cfg(feature = "candle")]
        #[allow(deprecated)]
        $body::<burn::backend::Candle>(burn::backend::candle::CandleDevice::Cpu, "candle");
    }};
}

/// The fixture model names.
pub const MODELS: [&str; 2] = ["tiny_roberta", "tiny_deberta_v3"];
