use super::{DebertaV2Config, HiddenAct, RobertaConfig};

/// What a BERT-style layer builds its residual-output and feed-forward blocks from: the
/// fields RoBERTa's and DeBERTa-v2's configs share under the same HF names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockConfig {
    /// Width of the hidden states.
    pub hidden_size: usize,
    /// Width of the feed-forward layer.
    pub intermediate_size: usize,
    /// Feed-forward activation.
    pub hidden_act: HiddenAct,
    /// LayerNorm epsilon.
    pub layer_norm_eps: f64,
    /// Dropout on sub-layer outputs.
    pub hidden_dropout_prob: f64,
    /// Std of the normal initialiser for fresh weights.
    pub initializer_range: f64,
}

/// `BlockConfig` from a config with the shared fields (one body for both architectures).
macro_rules! block_config_from {
    ($config:ty) => {
        impl From<&$config> for BlockConfig {
            fn from(c: &$config) -> Self {
                Self {
                    hidden_size: c.hidden_size,
                    intermediate_size: c.intermediate_size,
                    hidden_act: c.hidden_act,
                    layer_norm_eps: c.layer_norm_eps,
                    hidden_dropout_prob: c.hidden_dropout_prob,
                    initializer_range: c.initializer_range,
                }
            }
        }
    };
}

block_config_from!(RobertaConfig);
block_config_from!(DebertaV2Config);
