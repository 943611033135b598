use serde::{Deserialize, Serialize};

use super::HiddenAct;

/// `RobertaConfig`, read from an HF `config.json` (field names as HF writes them).
///
/// Mirrors `transformers/models/roberta/configuration_roberta.py`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RobertaConfig {
    /// Vocabulary size (rows of `word_embeddings`).
    pub vocab_size: usize,
    /// Width of the hidden states.
    pub hidden_size: usize,
    /// Number of encoder layers.
    pub num_hidden_layers: usize,
    /// Attention heads per layer.
    pub num_attention_heads: usize,
    /// Width of the feed-forward layer.
    pub intermediate_size: usize,
    /// Feed-forward activation.
    #[serde(default = "default_act")]
    pub hidden_act: HiddenAct,
    /// Dropout on embeddings and sub-layer outputs.
    #[serde(default = "default_dropout")]
    pub hidden_dropout_prob: f64,
    /// Dropout on attention probabilities.
    #[serde(default = "default_dropout")]
    pub attention_probs_dropout_prob: f64,
    /// Rows of `position_embeddings` (RoBERTa: positions start at `pad_token_id + 1`).
    pub max_position_embeddings: usize,
    /// Rows of `token_type_embeddings`.
    #[serde(default = "default_type_vocab")]
    pub type_vocab_size: usize,
    /// LayerNorm epsilon.
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    /// Padding token id (also the position-id offset).
    #[serde(default = "default_pad")]
    pub pad_token_id: i64,
    /// Dropout of the classification head (`None`: `hidden_dropout_prob`).
    #[serde(default)]
    pub classifier_dropout: Option<f64>,
    /// Position embedding kind; only `"absolute"` is supported.
    #[serde(default = "default_position_type")]
    pub position_embedding_type: String,
    /// Std of the normal initialiser for fresh weights.
    #[serde(default = "default_init_range")]
    pub initializer_range: f64,
    /// Whether the model is a decoder (unsupported when true).
    #[serde(default)]
    pub is_decoder: bool,
}

impl RobertaConfig {
    /// Dropout probability of the classification head.
    pub fn classifier_dropout_prob(&self) -> f64 {
        self.classifier_dropout.unwrap_or(self.hidden_dropout_prob)
    }
}

fn default_act() -> HiddenAct {
    HiddenAct::Gelu
}
fn default_dropout() -> f64 {
    0.1
}
fn default_type_vocab() -> usize {
    2
}
fn default_eps() -> f64 {
    1e-12
}
fn default_pad() -> i64 {
    1
}
fn default_position_type() -> String {
    "absolute".to_string()
}
fn default_init_range() -> f64 {
    0.02
}
