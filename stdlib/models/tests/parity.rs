//! Eval-mode parity with HF transformers on the tiny fixtures (`tests/fixtures/*/expected.json`):
//! logits within 1e-5, `last_hidden_state` within 1e-4, padded batches, both weight
//! formats, every CPU backend built in, both attention paths.

mod common;

use burn::tensor::backend::Backend;
use clarity_models::weights::WeightsFormat;
use clarity_models::{AttentionImpl, ModelOptions, SequenceClassifier};
use common::*;

const LOGITS_TOL: f64 = 1e-5;
const HIDDEN_TOL: f64 = 1e-4;

fn check_model<B: Backend>(
    device: &B::Device,
    backend: &str,
    name: &str,
    file: &str,
    attention: AttentionImpl,
) {
    let dir = fixture_dir(name);
    let options = ModelOptions::default().with_attention(attention);
    let config = clarity_models::config::ModelConfig::from_dir(&dir).unwrap();
    let path = dir.join(file);
    let model = SequenceClassifier::<B>::init(&config, &options, device);
    let (model, report) = model
        .load_weights(&config, &path, WeightsFormat::of_path(&path), &options)
        .unwrap();
    assert!(
        report.newly_initialized.is_empty(),
        "{:?}",
        report.newly_initialized
    );
    assert!(report.unexpected.is_empty(), "{:?}", report.unexpected);
    for (i, case) in eval_cases(name).iter().enumerate() {
        let ids = int_tensor::<B>(&case.input_ids, device);
        let mask = int_tensor::<B>(&case.attention_mask, device);
        let out = model.forward(ids, mask);
        let logits: Vec<f64> = case.flat_logits();
        let hidden: Vec<f64> = case.flat_hidden();
        let d_logits = max_abs_diff(&values(out.logits), &logits);
        let d_hidden = max_abs_diff(&values(out.last_hidden_state), &hidden);
        let what = format!("{name} case {i} on {backend} from {file} ({attention} attention)");
        assert!(
            d_logits <= LOGITS_TOL,
            "{what}: logits differ by {d_logits}"
        );
        assert!(
            d_hidden <= HIDDEN_TOL,
            "{what}: last_hidden_state differs by {d_hidden}"
        );
    }
}

fn all_cases<B: Backend>(device: B::Device, backend: &str) {
    for name in MODELS {
        for file in ["model.safetensors", "pytorch_model.bin"] {
            for attention in [AttentionImpl::Eager, AttentionImpl::Fused] {
                check_model::<B>(&device, backend, name, file, attention);
            }
        }
    }
}

#[test]
fn eval_outputs_match_hf_transformers() {
    for_each_cpu_backend!(all_cases);
}
