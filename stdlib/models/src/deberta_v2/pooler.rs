use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

use crate::config::{DebertaV2Config, HiddenAct};
use crate::nn::{apply_activation, hf_linear};

/// `ContextPooler` (HF key `pooler`): first token, dropout, dense, activation.
#[derive(Module, Debug)]
pub struct ContextPooler<B: Backend> {
    /// `dense`.
    pub dense: Linear<B>,
    dropout: Dropout,
    act: HiddenAct,
}

impl<B: Backend> ContextPooler<B> {
    /// A freshly initialised pooler.
    pub fn init(config: &DebertaV2Config, device: &B::Device) -> Self {
        let p = config.pooler_hidden_size();
        Self {
            dense: hf_linear(
                config.hidden_size,
                p,
                true,
                config.initializer_range,
                device,
            ),
            dropout: DropoutConfig::new(config.pooler_dropout).init(),
            act: config.pooler_hidden_act,
        }
    }

    /// `last_hidden_state` `[batch, seq, hidden]` to `[batch, pooler_hidden_size]`.
    pub fn forward(&self, hidden: Tensor<B, 3>) -> Tensor<B, 2> {
        let [batch, _, width] = hidden.dims();
        let context_token = hidden.narrow(1, 0, 1).reshape([batch, width]);
        let context_token = self.dropout.forward(context_token);
        apply_activation(self.dense.forward(context_token), self.act)
    }
}
