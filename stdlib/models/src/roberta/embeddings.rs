use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Embedding, LayerNorm};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};

use crate::config::RobertaConfig;
use crate::nn::{hf_embedding, hf_layer_norm};

/// `RobertaEmbeddings`: word + padding-aware position + token-type embeddings, LayerNorm,
/// dropout (`modeling_roberta.py`, `RobertaEmbeddings.forward`).
#[derive(Module, Debug)]
pub struct RobertaEmbeddings<B: Backend> {
    /// `word_embeddings`.
    pub word_embeddings: Embedding<B>,
    /// `position_embeddings`.
    pub position_embeddings: Embedding<B>,
    /// `token_type_embeddings`.
    pub token_type_embeddings: Embedding<B>,
    /// `LayerNorm`.
    pub layer_norm: LayerNorm<B>,
    dropout: Dropout,
    padding_idx: i64,
}

impl<B: Backend> RobertaEmbeddings<B> {
    /// A randomly initialised module shaped by `config`.
    pub fn init(config: &RobertaConfig, device: &B::Device) -> Self {
        let std = config.initializer_range;
        Self {
            word_embeddings: hf_embedding(config.vocab_size, config.hidden_size, std, device),
            position_embeddings: hf_embedding(
                config.max_position_embeddings,
                config.hidden_size,
                std,
                device,
            ),
            token_type_embeddings: hf_embedding(
                config.type_vocab_size.max(1),
                config.hidden_size,
                std,
                device,
            ),
            layer_norm: hf_layer_norm(config.hidden_size, config.layer_norm_eps, device),
            dropout: DropoutConfig::new(config.hidden_dropout_prob).init(),
            padding_idx: config.pad_token_id,
        }
    }

    /// `[batch, seq]` token ids to `[batch, seq, hidden]` embeddings (token type 0).
    pub fn forward(&self, input_ids: Tensor<B, 2, Int>) -> Tensor<B, 3> {
        let position_ids = self.create_position_ids(input_ids.clone());
        let token_type_ids = input_ids.zeros_like();
        let embeddings = self.word_embeddings.forward(input_ids);
        let embeddings = embeddings + self.token_type_embeddings.forward(token_type_ids);
        let embeddings = embeddings + self.position_embeddings.forward(position_ids);
        let embeddings = self.layer_norm.forward(embeddings);
        self.dropout.forward(embeddings)
    }

    /// HF's `create_position_ids_from_input_ids`: non-pad tokens count from
    /// `padding_idx + 1`, pad tokens get `padding_idx`.
    fn create_position_ids(&self, input_ids: Tensor<B, 2, Int>) -> Tensor<B, 2, Int> {
        let mask = input_ids.not_equal_elem(self.padding_idx).int();
        let incremental = mask.clone().cumsum(1) * mask;
        incremental + self.padding_idx
    }
}
