//! Eval-mode parity with HF transformers (`eval_cases`), generic over backend and tolerances.

use burn::tensor::backend::Backend;
use clarity_models::weights::WeightsFormat;
use clarity_models::{Attention, ModelOptions, Precision, SequenceClassifier, ToDType};

use super::*;

/// The largest differences a backend may show against HF.
#[derive(Debug, Clone, Copy)]
pub struct ForwardTolerances {
    pub logits: f64,
    /// `last_hidden_state` on real (unmasked) tokens.
    pub hidden: f64,
    /// `last_hidden_state` on padding positions too, when checked.
    pub hidden_with_padding: Option<f64>,
}

/// The largest differences seen (max over cases, files and attention paths).
#[derive(Debug, Clone, Copy, Default)]
pub struct ForwardDiffs {
    pub logits: f64,
    pub hidden: f64,
    pub hidden_with_padding: f64,
}

impl ForwardDiffs {
    fn max(self, other: Self) -> Self {
        Self {
            logits: self.logits.max(other.logits),
            hidden: self.hidden.max(other.hidden),
            hidden_with_padding: self.hidden_with_padding.max(other.hidden_with_padding),
        }
    }
}

/// Largest |a - b| over the hidden states of tokens whose mask is 1.
fn max_abs_diff_on_real_tokens(actual: &[f32], case: &EvalCase) -> f64 {
    let hidden = case.last_hidden_state[0][0].len();
    let mask = case.attention_mask.iter().flatten();
    let expected = case.flat_hidden();
    assert_eq!(actual.len(), expected.len(), "length mismatch");
    actual
        .chunks(hidden)
        .zip(expected.chunks(hidden))
        .zip(mask)
        .filter(|(_, m)| **m == 1)
        .map(|((a, e), _)| max_abs_diff(a, e))
        .fold(0.0, f64::max)
}

/// Loads fixture `name` from `file` with `attention` in `precision` and checks every eval case.
pub fn check_model<B: Backend>(
    device: &B::Device,
    backend: &str,
    name: &str,
    file: &str,
    attention: Attention,
    precision: Precision,
    tol: ForwardTolerances,
) -> ForwardDiffs {
    let dir = fixture_dir(name);
    let options = ModelOptions::default()
        .with_attention(attention)
        .with_precision(precision);
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
    let mut seen = ForwardDiffs::default();
    for (i, case) in eval_cases(name).iter().enumerate() {
        let ids = int_tensor::<B>(&case.input_ids, device);
        let mask = int_tensor::<B>(&case.attention_mask, device);
        let out = model.forward(ids, mask);
        assert_eq!(out.logits.dtype(), precision.dtype(), "{name} on {backend}");
        let hidden = values(out.last_hidden_state);
        let diffs = ForwardDiffs {
            logits: max_abs_diff(&values(out.logits), &case.flat_logits()),
            hidden: max_abs_diff_on_real_tokens(&hidden, case),
            hidden_with_padding: max_abs_diff(&hidden, &case.flat_hidden()),
        };
        let what = format!(
            "{name} case {i} on {backend} from {file} ({attention} attention, {precision})"
        );
        assert!(
            diffs.logits <= tol.logits,
            "{what}: logits differ by {}",
            diffs.logits
        );
        assert!(
            diffs.hidden <= tol.hidden,
            "{what}: last_hidden_state differs by {} on real tokens",
            diffs.hidden
        );
        if let Some(padded) = tol.hidden_with_padding {
            assert!(
                diffs.hidden_with_padding <= padded,
                "{what}: last_hidden_state differs by {} (padding included)",
                diffs.hidden_with_padding
            );
        }
        seen = seen.max(diffs);
    }
    seen
}

/// [`check_model`] over both weight formats and both attention paths, per fixture; returns
/// each fixture's largest differences.
pub fn check_all_models<B: Backend>(
    device: &B::Device,
    backend: &str,
    precision: Precision,
    tol: ForwardTolerances,
) -> Vec<(&'static str, ForwardDiffs)> {
    MODELS
        .iter()
        .map(|&name| {
            let mut seen = ForwardDiffs::default();
            for file in ["model.safetensors", "pytorch_model.bin"] {
                for attention in [Attention::Eager, Attention::Fused] {
                    let diffs =
                        check_model::<B>(device, backend, name, file, attention, precision, tol);
                    seen = seen.max(diffs);
                }
            }
            (name, seen)
        })
        .collect()
}
