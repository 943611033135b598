use burn::module::Module;
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};

use super::{RobertaEmbeddings, RobertaLayer};
use crate::config::RobertaConfig;
use crate::nn::{Attention, mask_value};

/// `RobertaEncoder`: the stack of layers (HF key `encoder.layer.{i}`).
#[derive(Module, Debug)]
pub struct RobertaEncoder<B: Backend> {
    /// `layer`.
    pub layer: Vec<RobertaLayer<B>>,
}

impl<B: Backend> RobertaEncoder<B> {
    /// A randomly initialised module shaped by `config`.
    pub fn init(config: &RobertaConfig, attention: Attention, device: &B::Device) -> Self {
        Self {
            layer: (0..config.num_hidden_layers)
                .map(|_| RobertaLayer::init(config, attention, device))
                .collect(),
        }
    }

    /// Runs every layer.
    pub fn forward(&self, hidden: Tensor<B, 3>, mask_bias: Tensor<B, 4>) -> Tensor<B, 3> {
        self.layer
            .iter()
            .fold(hidden, |h, layer| layer.forward(h, mask_bias.clone()))
    }
}

/// `RobertaModel` without the pooler (as `RobertaForSequenceClassification` builds it):
/// embeddings and encoder, HF key prefix `roberta.`.
#[derive(Module, Debug)]
pub struct RobertaModel<B: Backend> {
    /// `embeddings`.
    pub embeddings: RobertaEmbeddings<B>,
    /// `encoder`.
    pub encoder: RobertaEncoder<B>,
    hidden_size: usize,
}

impl<B: Backend> RobertaModel<B> {
    /// A randomly initialised model shaped by `config`.
    pub fn init(config: &RobertaConfig, attention: Attention, device: &B::Device) -> Self {
        Self {
            embeddings: RobertaEmbeddings::init(config, device),
            encoder: RobertaEncoder::init(config, attention, device),
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
        let hidden = self.embeddings.forward(input_ids);
        let mask_bias = key_mask_bias(attention_mask, &hidden);
        self.encoder.forward(hidden, mask_bias)
    }

    /// Width of the hidden states.
    pub fn hidden_size(&self) -> usize {
        self.hidden_size
    }
}

/// HF's extended attention mask: `[batch, 1, 1, seq]`, 0 where a key is a token and the
/// dtype's masking value where it is padding.
fn key_mask_bias<B: Backend>(
    attention_mask: Tensor<B, 2, Int>,
    like: &Tensor<B, 3>,
) -> Tensor<B, 4> {
    let [batch, seq] = attention_mask.dims();
    let dtype = like.dtype();
    let padding = attention_mask.equal_elem(0);
    Tensor::<B, 2>::zeros([batch, seq], (&like.device(), dtype))
        .mask_fill(padding, mask_value(dtype))
        .reshape([batch, 1, 1, seq])
}
