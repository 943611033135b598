//! Shared helpers of the integration tests: fixtures and backend lists.
#![allow(dead_code)]

pub mod forward;
pub mod training;

use std::path::PathBuf;

pub use clarity_models::commands::parity::{
    EvalCase, hf_grad_in_burn_layout, int_tensor, max_abs_diff, relative_max_diff, values,
};
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

/// The fixture's `eval_cases`.
pub fn eval_cases(name: &str) -> Vec<EvalCase> {
    serde_json::from_value(expected(name)["eval_cases"].clone()).unwrap()
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
