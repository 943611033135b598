//! Eval-mode parity with HF transformers on the tiny fixtures (`tests/fixtures/*/expected.json`):
//! logits within 1e-5, `last_hidden_state` within 1e-4 (padding positions included), padded
//! batches, both weight formats, every CPU backend built in, both attention paths.

mod common;

use burn::tensor::backend::Backend;
use clarity_models::Precision;
use common::forward::{ForwardTolerances, check_all_models};

const TOLERANCES: ForwardTolerances = ForwardTolerances {
    logits: 1e-5,
    hidden: 1e-4,
    hidden_with_padding: Some(1e-4),
};

fn all_cases<B: Backend>(device: B::Device, backend: &str) {
    check_all_models::<B>(&device, backend, Precision::F32, TOLERANCES);
}

#[test]
fn eval_outputs_match_hf_transformers() {
    for_each_cpu_backend!(all_cases);
}
