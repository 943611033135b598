use std::path::Path;

use burn::tensor::backend::AutodiffBackend;
use clarity_models::config::ModelConfig;
use clarity_models::device::BackendTask;
use clarity_models::{Encoder, ModelOptions};

use super::BuildError;

/// A tiny RoBERTa (64 wide, 2 layers, 4 heads): the demo's model. `vocab_size` is filled in
/// from the tokenizer.
pub const TINY_ROBERTA: &str = r#"{
  "architectures": ["RobertaModel"],
  "model_type": "roberta",
  "hidden_size": 64,
  "num_hidden_layers": 2,
  "num_attention_heads": 4,
  "intermediate_size": 128,
  "hidden_act": "gelu",
  "hidden_dropout_prob": 0.1,
  "attention_probs_dropout_prob": 0.1,
  "max_position_embeddings": 514,
  "type_vocab_size": 1,
  "initializer_range": 0.02,
  "layer_norm_eps": 1e-05,
  "pad_token_id": 1,
  "bos_token_id": 0,
  "eos_token_id": 2,
  "vocab_size": 5
}"#;

/// A config text with `vocab_size` replaced.
pub fn with_vocab_size(
    config: &str,
    vocab_size: usize,
    name: &str,
) -> Result<ModelConfig, BuildError> {
    let mut json: serde_json::Value =
        serde_json::from_str(config).map_err(|e| BuildError::Tokenizer(format!("{name}: {e}")))?;
    json["vocab_size"] = vocab_size.into();
    Ok(ModelConfig::from_json(&json.to_string(), name)?)
}

/// Writes a randomly initialised encoder (HF's initialisation, seeded) as `config.json` and
/// `model.safetensors` into a directory.
pub struct RandomEncoderTask<'a> {
    /// The architecture.
    pub config: &'a ModelConfig,
    /// The seed of the initialisation.
    pub seed: u64,
    /// Where to write.
    pub dir: &'a Path,
}

impl BackendTask for RandomEncoderTask<'_> {
    type Output = Result<(), BuildError>;

    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        B::seed(&device, self.seed);
        let encoder = Encoder::<B>::init(self.config, &ModelOptions::default(), &device);
        encoder.save_safetensors(&self.dir.join("model.safetensors"))?;
        let path = self.dir.join("config.json");
        std::fs::write(&path, self.config.to_json_string())
            .map_err(|source| BuildError::Io { path, source })
    }
}
