use burn::module::Module;
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};

use super::{DebertaV2Embeddings, DebertaV2Encoder};
use crate::config::DebertaV2Config;
use crate::nn::Attention;

/// `DebertaV2Model`: embeddings and encoder, HF key prefix `deberta.`.
#[derive(Module, Debug)]
pub struct DebertaV2Model<B: Backend> {
    /// `embeddings`.
    pub embeddings: DebertaV2Embeddings<B>,
    /// `encoder`.
    pub encoder: DebertaV2Encoder<B>,
    hidden_size: usize,
}

impl<B: Backend> DebertaV2Model<B> {
    /// A randomly initialised model shaped by `config`.
    pub fn init(config: &DebertaV2Config, attention: Attention, device: &B::Device) -> Self {
        Self {
            embeddings: DebertaV2Embeddings::init(config, device),
            encoder: DebertaV2Encoder::init(config, attention, device),
            hidden_size: config.hidden_size,
        }
    }

    /// `input_ids` and `attention_mask` `[batch, seq]` (1 = token, 0 = padding) to
    /// `last_hidden_state` `[batch, seq, hidden]`.
    pub fn forward(
        &self,
        input_ids: Tensor<B, 2, Int>,
        attention_mask: Tensor<B, 2, Int>,
    ) -> Tensor<B, 3> {
        let embeddings = self.embeddings.forward(input_ids, attention_mask.clone());
        self.encoder.forward(embeddings, attention_mask)
    }

    /// Width of the hidden states.
    pub fn hidden_size(&self) -> usize {
        self.hidden_size
    }
}
