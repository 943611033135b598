use burn::module::Module;
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

use super::{DisentangledSelfAttention, RelativeContext};
use crate::config::{BlockConfig, DebertaV2Config};
use crate::nn::{Attention, Intermediate, ResidualOutput, feed_forward};

/// `DebertaV2SelfOutput` (HF key `attention.output`): dense, dropout, residual LayerNorm.
pub type DebertaV2SelfOutput<B> = ResidualOutput<B>;

/// `DebertaV2Intermediate`: dense + activation.
pub type DebertaV2Intermediate<B> = Intermediate<B>;

/// `DebertaV2Output`: dense, dropout, residual LayerNorm.
pub type DebertaV2Output<B> = ResidualOutput<B>;

/// `DebertaV2Attention` (HF key `attention`): disentangled self-attention and its output.
#[derive(Module, Debug)]
pub struct DebertaV2Attention<B: Backend> {
    /// `self` (renamed: `self` is a Rust keyword).
    pub self_attn: DisentangledSelfAttention<B>,
    /// `output`.
    pub output: DebertaV2SelfOutput<B>,
}

impl<B: Backend> DebertaV2Attention<B> {
    /// A randomly initialised module shaped by `config`.
    pub fn init(config: &DebertaV2Config, attention: Attention, device: &B::Device) -> Self {
        let all = config.num_attention_heads * config.attention_head_size();
        Self {
            self_attn: DisentangledSelfAttention::init(config, attention, device),
            output: ResidualOutput::for_block(all, &config.into(), device),
        }
    }

    /// Attention block with its residual LayerNorm.
    pub fn forward(
        &self,
        hidden: Tensor<B, 3>,
        mask_bias: Tensor<B, 4>,
        relative: Option<&RelativeContext<B>>,
    ) -> Tensor<B, 3> {
        let attended = self.self_attn.forward(hidden.clone(), mask_bias, relative);
        self.output.forward(attended, hidden)
    }
}

/// `DebertaV2Layer`: attention block then feed-forward block.
#[derive(Module, Debug)]
pub struct DebertaV2Layer<B: Backend> {
    /// `attention`.
    pub attention: DebertaV2Attention<B>,
    /// `intermediate`.
    pub intermediate: DebertaV2Intermediate<B>,
    /// `output`.
    pub output: DebertaV2Output<B>,
}

impl<B: Backend> DebertaV2Layer<B> {
    /// A randomly initialised module shaped by `config`.
    pub fn init(config: &DebertaV2Config, attention: Attention, device: &B::Device) -> Self {
        let block = BlockConfig::from(config);
        Self {
            attention: DebertaV2Attention::init(config, attention, device),
            intermediate: Intermediate::for_block(&block, device),
            output: ResidualOutput::for_block(config.intermediate_size, &block, device),
        }
    }

    /// One encoder layer.
    pub fn forward(
        &self,
        hidden: Tensor<B, 3>,
        mask_bias: Tensor<B, 4>,
        relative: Option<&RelativeContext<B>>,
    ) -> Tensor<B, 3> {
        let attention_output = self.attention.forward(hidden, mask_bias, relative);
        feed_forward(&self.intermediate, &self.output, attention_output)
    }
}
