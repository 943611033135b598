use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

use crate::config::RobertaConfig;
use crate::nn::{
    Attention, AttentionInputs, ResidualOutput, hf_linear, linear_rows, multi_head_attention,
};

/// `RobertaSelfAttention` (HF key `attention.self`): multi-head scaled dot-product attention.
#[derive(Module, Debug)]
pub struct RobertaSelfAttention<B: Backend> {
    /// `query`.
    pub query: Linear<B>,
    /// `key`.
    pub key: Linear<B>,
    /// `value`.
    pub value: Linear<B>,
    dropout: Dropout,
    num_attention_heads: usize,
    attention_head_size: usize,
    attention: Attention,
}

impl<B: Backend> RobertaSelfAttention<B> {
    /// A randomly initialised module shaped by `config`.
    pub fn init(config: &RobertaConfig, attention: Attention, device: &B::Device) -> Self {
        let h = config.hidden_size;
        let std = config.initializer_range;
        Self {
            query: hf_linear(h, h, true, std, device),
            key: hf_linear(h, h, true, std, device),
            value: hf_linear(h, h, true, std, device),
            dropout: DropoutConfig::new(config.attention_probs_dropout_prob).init(),
            num_attention_heads: config.num_attention_heads,
            attention_head_size: h / config.num_attention_heads,
            attention,
        }
    }

    /// `hidden` `[batch, seq, hidden]`, `mask_bias` `[batch, 1, 1, seq]` (0 or masked).
    pub fn forward(&self, hidden: Tensor<B, 3>, mask_bias: Tensor<B, 4>) -> Tensor<B, 3> {
        let q = linear_rows(&self.query, hidden.clone());
        let k = linear_rows(&self.key, hidden.clone());
        let v = linear_rows(&self.value, hidden);
        let inputs = AttentionInputs {
            q,
            k,
            v,
            bias: mask_bias,
            scale: 1.0 / (self.attention_head_size as f64).sqrt(),
        };
        multi_head_attention(
            inputs,
            self.num_attention_heads,
            &self.dropout,
            self.attention,
        )
    }
}

/// `RobertaSelfOutput` (HF key `attention.output`): dense, dropout, residual LayerNorm.
pub type RobertaSelfOutput<B> = ResidualOutput<B>;

/// `RobertaAttention` (HF key `attention`): self-attention and its output block.
#[derive(Module, Debug)]
pub struct RobertaAttention<B: Backend> {
    /// `self` (renamed: `self` is a Rust keyword).
    pub self_attn: RobertaSelfAttention<B>,
    /// `output`.
    pub output: RobertaSelfOutput<B>,
}

impl<B: Backend> RobertaAttention<B> {
    /// A randomly initialised module shaped by `config`.
    pub fn init(config: &RobertaConfig, attention: Attention, device: &B::Device) -> Self {
        Self {
            self_attn: RobertaSelfAttention::init(config, attention, device),
            output: RobertaSelfOutput::for_block(config.hidden_size, &config.into(), device),
        }
    }

    /// Attention block with its residual LayerNorm.
    pub fn forward(&self, hidden: Tensor<B, 3>, mask_bias: Tensor<B, 4>) -> Tensor<B, 3> {
        let attended = self.self_attn.forward(hidden.clone(), mask_bias);
        self.output.forward(attended, hidden)
    }
}
