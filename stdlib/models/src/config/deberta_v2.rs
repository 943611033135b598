use serde::{Deserialize, Serialize};

use super::pos_att_type::deserialize_pos_att_type;
use super::{HiddenAct, PosAttType};

/// `DebertaV2Config` (DeBERTa-v2 and -v3), read from an HF `config.json`.
///
/// Mirrors `transformers/models/deberta_v2/configuration_deberta_v2.py`, defaults included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DebertaV2Config {
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
    /// Dropout on embeddings, sub-layer outputs and relative embeddings.
    #[serde(default = "default_dropout")]
    pub hidden_dropout_prob: f64,
    /// Dropout on attention probabilities.
    #[serde(default = "default_dropout")]
    pub attention_probs_dropout_prob: f64,
    /// Absolute positions (and the relative span when `max_relative_positions < 1`).
    #[serde(default = "default_max_positions")]
    pub max_position_embeddings: usize,
    /// Rows of `token_type_embeddings` (0: none, as in DeBERTa-v3).
    #[serde(default)]
    pub type_vocab_size: usize,
    /// Std of the normal initialiser for fresh weights.
    #[serde(default = "default_init_range")]
    pub initializer_range: f64,
    /// LayerNorm epsilon.
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    /// Whether attention has the disentangled relative-position terms.
    #[serde(default)]
    pub relative_attention: bool,
    /// Relative span; `< 1` means `max_position_embeddings`.
    #[serde(default = "minus_one")]
    pub max_relative_positions: i64,
    /// Padding token id.
    #[serde(default)]
    pub pad_token_id: i64,
    /// Whether absolute position embeddings are added to the input (false in v3).
    #[serde(default = "default_true")]
    pub position_biased_input: bool,
    /// Which relative terms attention uses (`"p2c|c2p"` or `["p2c", "c2p"]`).
    #[serde(default, deserialize_with = "deserialize_pos_att_type")]
    pub pos_att_type: Vec<PosAttType>,
    /// Dropout inside the `ContextPooler`.
    #[serde(default)]
    pub pooler_dropout: f64,
    /// Activation of the `ContextPooler`.
    #[serde(default = "default_act")]
    pub pooler_hidden_act: HiddenAct,
    /// Width of the `ContextPooler` (`None`: `hidden_size`).
    #[serde(default)]
    pub pooler_hidden_size: Option<usize>,
    /// Log-bucket count of relative positions (`<= 0`: no bucketing).
    #[serde(default = "minus_one")]
    pub position_buckets: i64,
    /// Whether relative embeddings are projected with the content `query_proj`/`key_proj`.
    #[serde(default)]
    pub share_att_key: bool,
    /// Normalisation of relative embeddings: `"none"` or `"layer_norm"`.
    #[serde(default = "default_norm_rel_ebd")]
    pub norm_rel_ebd: String,
    /// Width of the word embeddings (`None`: `hidden_size`; otherwise projected).
    #[serde(default)]
    pub embedding_size: Option<usize>,
    /// Dropout before the classifier (`None`: `hidden_dropout_prob`).
    #[serde(default)]
    pub cls_dropout: Option<f64>,
    /// Width of one attention head (`None`: `hidden_size / num_attention_heads`).
    #[serde(default)]
    pub attention_head_size: Option<usize>,
    /// Convolution layer kernel of DeBERTa-v2-xlarge (unsupported when > 0).
    #[serde(default)]
    pub conv_kernel_size: usize,
}

impl DebertaV2Config {
    /// The relative span: `max_relative_positions`, or `max_position_embeddings` when `< 1`.
    pub fn max_relative_positions(&self) -> usize {
        if self.max_relative_positions < 1 {
            self.max_position_embeddings
        } else {
            self.max_relative_positions as usize
        }
    }

    /// `position_buckets` when bucketing is on.
    pub fn position_buckets(&self) -> Option<usize> {
        (self.position_buckets > 0).then_some(self.position_buckets as usize)
    }

    /// Half the number of rows of `rel_embeddings` (`att_span` in HF).
    pub fn pos_ebd_size(&self) -> usize {
        self.position_buckets()
            .unwrap_or_else(|| self.max_relative_positions())
    }

    /// Width of one attention head.
    pub fn attention_head_size(&self) -> usize {
        self.attention_head_size
            .unwrap_or(self.hidden_size / self.num_attention_heads.max(1))
    }

    /// Width of the word embeddings.
    pub fn embedding_size(&self) -> usize {
        self.embedding_size.unwrap_or(self.hidden_size)
    }

    /// Width of the `ContextPooler`.
    pub fn pooler_hidden_size(&self) -> usize {
        self.pooler_hidden_size.unwrap_or(self.hidden_size)
    }

    /// Dropout probability before the classifier.
    pub fn cls_dropout_prob(&self) -> f64 {
        self.cls_dropout.unwrap_or(self.hidden_dropout_prob)
    }

    /// Whether `rel_embeddings` pass through `encoder.LayerNorm`.
    pub fn norm_rel_ebd_layer_norm(&self) -> bool {
        self.norm_rel_ebd
            .to_lowercase()
            .split('|')
            .any(|s| s.trim() == "layer_norm")
    }

    /// Whether `pos_att_type` has content-to-position attention.
    pub fn c2p(&self) -> bool {
        self.pos_att_type.contains(&PosAttType::C2p)
    }

    /// Whether `pos_att_type` has position-to-content attention.
    pub fn p2c(&self) -> bool {
        self.pos_att_type.contains(&PosAttType::P2c)
    }
}

fn default_act() -> HiddenAct {
    HiddenAct::Gelu
}
fn default_dropout() -> f64 {
    0.1
}
fn default_max_positions() -> usize {
    512
}
fn default_init_range() -> f64 {
    0.02
}
fn default_eps() -> f64 {
    1e-7
}
fn minus_one() -> i64 {
    -1
}
fn default_true() -> bool {
    true
}
fn default_norm_rel_ebd() -> String {
    "none".to_string()
}
