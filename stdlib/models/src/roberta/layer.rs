use burn::module::Module;
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

use super::RobertaAttention;
use crate::config::{BlockConfig, RobertaConfig};
use crate::nn::{Attention, Intermediate, ResidualOutput, feed_forward};

/// `RobertaIntermediate`: dense + activation.
pub type RobertaIntermediate<B> = Intermediate<B>;

/// `RobertaOutput`: dense, dropout, residual LayerNorm.
pub type RobertaOutput<B> = ResidualOutput<B>;

/// `RobertaLayer`: attention block then feed-forward block (post-norm).
#[derive(Module, Debug)]
pub struct RobertaLayer<B: Backend> {
    /// `attention`.
    pub attention: RobertaAttention<B>,
    /// `intermediate`.
    pub intermediate: RobertaIntermediate<B>,
    /// `output`.
    pub output: RobertaOutput<B>,
}

impl<B: Backend> RobertaLayer<B> {
    /// A randomly initialised module shaped by `config`.
    pub fn init(config: &RobertaConfig, attention: Attention, device: &B::Device) -> Self {
        let block = BlockConfig::from(config);
        Self {
            attention: RobertaAttention::init(config, attention, device),
            intermediate: Intermediate::for_block(&block, device),
            output: ResidualOutput::for_block(config.intermediate_size, &block, device),
        }
    }

    /// One encoder layer.
    pub fn forward(&self, hidden: Tensor<B, 3>, mask_bias: Tensor<B, 4>) -> Tensor<B, 3> {
        let attention_output = self.attention.forward(hidden, mask_bias);
        feed_forward(&self.intermediate, &self.output, attention_output)
    }
}
