use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};

use super::RobertaModel;
use crate::config::RobertaConfig;
use crate::nn::{Attention, hf_linear};

/// `RobertaClassificationHead` (HF key `classifier`): `<s>` token, dropout, dense, tanh,
/// dropout, `out_proj`.
#[derive(Module, Debug)]
pub struct RobertaClassificationHead<B: Backend> {
    /// `dense`.
    pub dense: Linear<B>,
    /// `out_proj`.
    pub out_proj: Linear<B>,
    dropout: Dropout,
}

impl<B: Backend> RobertaClassificationHead<B> {
    /// A freshly initialised head (HF init: N(0, initializer_range), zero bias).
    pub fn init(config: &RobertaConfig, num_labels: usize, device: &B::Device) -> Self {
        let h = config.hidden_size;
        let std = config.initializer_range;
        Self {
            dense: hf_linear(h, h, true, std, device),
            out_proj: hf_linear(h, num_labels, true, std, device),
            dropout: DropoutConfig::new(config.classifier_dropout_prob()).init(),
        }
    }

    /// `last_hidden_state` `[batch, seq, hidden]` to logits `[batch, num_labels]`.
    pub fn forward(&self, features: Tensor<B, 3>) -> Tensor<B, 2> {
        let [batch, _, hidden] = features.dims();
        let x = features.narrow(1, 0, 1).reshape([batch, hidden]);
        let x = self.dropout.forward(x);
        let x = self.dense.forward(x).tanh();
        let x = self.dropout.forward(x);
        self.out_proj.forward(x)
    }
}

/// `RobertaForSequenceClassification`: `roberta` encoder and `classifier` head.
#[derive(Module, Debug)]
pub struct RobertaForSequenceClassification<B: Backend> {
    /// `roberta`.
    pub roberta: RobertaModel<B>,
    /// `classifier`.
    pub classifier: RobertaClassificationHead<B>,
}

impl<B: Backend> RobertaForSequenceClassification<B> {
    /// A randomly initialised model shaped by `config`.
    pub fn init(
        config: &RobertaConfig,
        num_labels: usize,
        attention: Attention,
        device: &B::Device,
    ) -> Self {
        Self::with_fresh_head(
            RobertaModel::init(config, attention, device),
            config,
            num_labels,
            device,
        )
    }

    /// `roberta` (e.g. pre-trained) with a freshly initialised head.
    pub fn with_fresh_head(
        roberta: RobertaModel<B>,
        config: &RobertaConfig,
        num_labels: usize,
        device: &B::Device,
    ) -> Self {
        Self {
            roberta,
            classifier: RobertaClassificationHead::init(config, num_labels, device),
        }
    }

    /// Logits `[batch, num_labels]` and `last_hidden_state` `[batch, seq, hidden]`.
    pub fn forward(
        &self,
        input_ids: Tensor<B, 2, Int>,
        attention_mask: Tensor<B, 2, Int>,
    ) -> (Tensor<B, 2>, Tensor<B, 3>) {
        let hidden = self.roberta.forward(input_ids, attention_mask);
        (self.classifier.forward(hidden.clone()), hidden)
    }
}
