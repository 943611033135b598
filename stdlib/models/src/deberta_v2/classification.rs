use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};

use super::{ContextPooler, DebertaV2Model};
use crate::config::DebertaV2Config;
use crate::nn::{Attention, hf_linear};

/// `DebertaV2ForSequenceClassification`: `deberta`, `pooler`, dropout, `classifier`.
#[derive(Module, Debug)]
pub struct DebertaV2ForSequenceClassification<B: Backend> {
    /// `deberta`.
    pub deberta: DebertaV2Model<B>,
    /// `pooler`.
    pub pooler: ContextPooler<B>,
    /// `classifier`.
    pub classifier: Linear<B>,
    dropout: Dropout,
}

impl<B: Backend> DebertaV2ForSequenceClassification<B> {
    /// A randomly initialised model shaped by `config`.
    pub fn init(
        config: &DebertaV2Config,
        num_labels: usize,
        attention: Attention,
        device: &B::Device,
    ) -> Self {
        Self::with_fresh_head(
            DebertaV2Model::init(config, attention, device),
            config,
            num_labels,
            device,
        )
    }

    /// `deberta` (e.g. pre-trained) with a freshly initialised pooler and classifier.
    pub fn with_fresh_head(
        deberta: DebertaV2Model<B>,
        config: &DebertaV2Config,
        num_labels: usize,
        device: &B::Device,
    ) -> Self {
        Self {
            deberta,
            pooler: ContextPooler::init(config, device),
            classifier: hf_linear(
                config.pooler_hidden_size(),
                num_labels,
                true,
                config.initializer_range,
                device,
            ),
            dropout: DropoutConfig::new(config.cls_dropout_prob()).init(),
        }
    }

    /// Logits `[batch, num_labels]` and `last_hidden_state` `[batch, seq, hidden]`.
    pub fn forward(
        &self,
        input_ids: Tensor<B, 2, Int>,
        attention_mask: Tensor<B, 2, Int>,
    ) -> (Tensor<B, 2>, Tensor<B, 3>) {
        let hidden = self.deberta.forward(input_ids, attention_mask);
        let pooled = self.pooler.forward(hidden.clone());
        let pooled = self.dropout.forward(pooled);
        (self.classifier.forward(pooled), hidden)
    }
}
