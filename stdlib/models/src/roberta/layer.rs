use burn::module::Module;
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

use super::RobertaAttention;
use crate::config::RobertaConfig;
use crate::nn::{Attention, Intermediate, ResidualOutput};

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
        Self {
            attention: RobertaAttention::init(config, attention, device),
            intermediate: Intermediate::init(
                config.hidden_size,
                config.intermediate_size,
                config.hidden_act,
                config.initializer_range,
                device,
            ),
            output: ResidualOutput::init(
                config.intermediate_size,
                config.hidden_size,
                config.layer_norm_eps,
                config.hidden_dropout_prob,
                config.initializer_range,
                device,
            ),
        }
    }

    /// One encoder layer.
    pub fn forward(&self, hidden: Tensor<B, 3>, mask_bias: Tensor<B, 4>) -> Tensor<B, 3> {
        let attention_output = self.attention.forward(hidden, mask_bias);
        let intermediate = self.intermediate.forward(attention_output.clone());
        self.output.forward(intermediate, attention_output)
    }
}
