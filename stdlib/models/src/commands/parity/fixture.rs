//! A fixture's `expected.json`: the HF transformers reference outputs, read and checked
//! against the model's config.

use std::collections::BTreeMap;
use std::path::Path;

use clarity_engine::fs::read_capped_string;
use serde::Deserialize;

use crate::commands::CommandError;
use crate::config::ModelConfig;

/// The most bytes an `expected.json` may have.
pub const MAX_EXPECTED_BYTES: u64 = 256 * 1024 * 1024;

/// A fixture's `expected.json`: HF transformers outputs for its model.
#[derive(Debug, Clone, Deserialize)]
pub struct Expected {
    /// Eval-mode inputs and outputs.
    pub eval_cases: Vec<EvalCase>,
    /// The five-step training reference, when the fixture has one.
    #[serde(default)]
    pub train: Option<TrainReference>,
}

/// One eval-mode batch and HF's outputs for it.
#[derive(Debug, Clone, Deserialize)]
pub struct EvalCase {
    /// `[batch][seq]` token ids.
    pub input_ids: Vec<Vec<i64>>,
    /// `[batch][seq]` 0/1 mask.
    pub attention_mask: Vec<Vec<i64>>,
    /// `[batch][num_labels]`.
    pub logits: Vec<Vec<f64>>,
    /// `[batch][seq][hidden]`.
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

/// HF's five training steps on the first eval case (train mode, cross entropy, AdamW).
#[derive(Debug, Clone, Deserialize)]
pub struct TrainReference {
    /// One label per row of the first eval case.
    pub labels: Vec<i64>,
    /// The optimizer HF used.
    pub optimizer: OptimizerReference,
    /// The loss before each step.
    pub losses_before_each_step: Vec<f64>,
    /// The global L2 norm of all gradients at step 0.
    pub grad_global_norm_step0: f64,
    /// The classifier's gradients at step 0, by HF parameter name, in HF's layout.
    pub classifier_grads_step0: BTreeMap<String, serde_json::Value>,
    /// Eval-mode logits after the steps.
    pub logits_after_5_steps: Vec<Vec<f64>>,
}

/// `torch.optim.AdamW` settings (weight decay on every parameter).
#[derive(Debug, Clone, Deserialize)]
pub struct OptimizerReference {
    /// Learning rate.
    pub lr: f64,
    /// Beta 1 and beta 2.
    pub betas: [f64; 2],
    /// Epsilon.
    pub eps: f64,
    /// Decoupled weight decay.
    pub weight_decay: f64,
}

impl Expected {
    /// Reads `dir/expected.json` and checks it against the model's config: rectangular
    /// batches of ids in the vocabulary, 0/1 masks, outputs of the model's shapes, labels in
    /// range.
    pub fn load(dir: &Path, config: &ModelConfig) -> Result<Self, CommandError> {
        let path = dir.join("expected.json");
        let not_a_fixture = |message: String| CommandError::Argument {
            arg: "--fixture".into(),
            message: format!("{}: {message}", path.display()),
        };
        if !path.is_file() {
            return Err(not_a_fixture(
                "no such file (a fixture directory holds config.json, the weights and expected.json)"
                    .into(),
            ));
        }
        let text =
            read_capped_string(&path, MAX_EXPECTED_BYTES).map_err(|source| CommandError::Io {
                path: path.clone(),
                source,
            })?;
        let expected: Expected = serde_json::from_str(&text)
            .map_err(|e| not_a_fixture(format!("not an HF reference ({e})")))?;
        expected.check(config).map_err(not_a_fixture)?;
        Ok(expected)
    }

    fn check(&self, config: &ModelConfig) -> Result<(), String> {
        let Some(first) = self.eval_cases.first() else {
            return Err("eval_cases is empty".into());
        };
        for (i, case) in self.eval_cases.iter().enumerate() {
            case.check(config)
                .map_err(|message| format!("eval case {i}: {message}"))?;
        }
        match &self.train {
            Some(train) => train.check(first.input_ids.len(), config.num_labels()),
            None => Ok(()),
        }
    }
}

impl EvalCase {
    /// A rectangular batch of ids in the vocabulary with a 0/1 mask of its shape, and
    /// outputs of the model's shapes.
    fn check(&self, config: &ModelConfig) -> Result<(), String> {
        let (vocab, labels, hidden) = (
            config.vocab_size() as i64,
            config.num_labels(),
            config.hidden_size(),
        );
        let batch = self.input_ids.len();
        let seq = self.input_ids.first().map_or(0, Vec::len);
        let rectangular =
            |rows: &[Vec<i64>]| rows.len() == batch && rows.iter().all(|r| r.len() == seq);
        if batch == 0 || seq == 0 || !rectangular(&self.input_ids) {
            return Err("input_ids is not a non-empty matrix".into());
        }
        if config.max_input_length().is_some_and(|max| seq > max) {
            return Err(format!("{seq} tokens exceed the model's positions"));
        }
        if self
            .input_ids
            .iter()
            .flatten()
            .any(|&id| id < 0 || id >= vocab)
        {
            return Err(format!("a token id is outside the vocabulary (0..{vocab})"));
        }
        if !rectangular(&self.attention_mask)
            || self
                .attention_mask
                .iter()
                .flatten()
                .any(|&m| m != 0 && m != 1)
        {
            return Err("attention_mask is not a 0/1 matrix of input_ids' shape".into());
        }
        if self.logits.len() != batch || self.logits.iter().any(|r| r.len() != labels) {
            return Err(format!("logits are not [{batch}][{labels}]"));
        }
        let hidden_ok = self.last_hidden_state.len() == batch
            && self
                .last_hidden_state
                .iter()
                .all(|b| b.len() == seq && b.iter().all(|t| t.len() == hidden));
        if !hidden_ok {
            return Err(format!(
                "last_hidden_state is not [{batch}][{seq}][{hidden}]"
            ));
        }
        Ok(())
    }
}

impl TrainReference {
    /// `batch` labels in `0..labels`, losses, and logits after of the batch's shape.
    fn check(&self, batch: usize, labels: usize) -> Result<(), String> {
        if self.labels.len() != batch || self.labels.iter().any(|&l| l < 0 || l as usize >= labels)
        {
            return Err(format!(
                "train.labels must be {batch} labels in 0..{labels} (one per row of eval case 0)"
            ));
        }
        if self.losses_before_each_step.is_empty() {
            return Err("train.losses_before_each_step is empty".into());
        }
        if self.logits_after_5_steps.len() != batch
            || self.logits_after_5_steps.iter().any(|r| r.len() != labels)
        {
            return Err(format!(
                "train.logits_after_5_steps is not [{batch}][{labels}]"
            ));
        }
        Ok(())
    }
}
