use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Embedding, LayerNorm, Linear};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};

use crate::config::DebertaV2Config;
use crate::nn::{hf_embedding, hf_layer_norm, hf_linear};

/// `DebertaV2Embeddings`: word embeddings (plus absolute positions and token types where
/// the config has them), optional projection, LayerNorm, padding zeroed, dropout.
#[derive(Module, Debug)]
pub struct DebertaV2Embeddings<B: Backend> {
    /// `word_embeddings`.
    pub word_embeddings: Embedding<B>,
    /// `position_embeddings` (only with `position_biased_input`; absent in DeBERTa-v3).
    pub position_embeddings: Option<Embedding<B>>,
    /// `token_type_embeddings` (only with `type_vocab_size > 0`).
    pub token_type_embeddings: Option<Embedding<B>>,
    /// `embed_proj` (only when `embedding_size != hidden_size`).
    pub embed_proj: Option<Linear<B>>,
    /// `LayerNorm`.
    pub layer_norm: LayerNorm<B>,
    dropout: Dropout,
}

impl<B: Backend> DebertaV2Embeddings<B> {
    /// A randomly initialised module shaped by `config`.
    pub fn init(config: &DebertaV2Config, device: &B::Device) -> Self {
        let std = config.initializer_range;
        let e = config.embedding_size();
        Self {
            word_embeddings: hf_embedding(config.vocab_size, e, std, device),
            position_embeddings: config
                .position_biased_input
                .then(|| hf_embedding(config.max_position_embeddings, e, std, device)),
            token_type_embeddings: (config.type_vocab_size > 0)
                .then(|| hf_embedding(config.type_vocab_size, e, std, device)),
            embed_proj: (e != config.hidden_size)
                .then(|| hf_linear(e, config.hidden_size, false, std, device)),
            layer_norm: hf_layer_norm(config.hidden_size, config.layer_norm_eps, device),
            dropout: DropoutConfig::new(config.hidden_dropout_prob).init(),
        }
    }

    /// `[batch, seq]` ids and mask (1 = token) to `[batch, seq, hidden]` embeddings.
    pub fn forward(
        &self,
        input_ids: Tensor<B, 2, Int>,
        attention_mask: Tensor<B, 2, Int>,
    ) -> Tensor<B, 3> {
        let [batch, seq] = input_ids.dims();
        let device = input_ids.device();
        let mut embeddings = self.word_embeddings.forward(input_ids.clone());
        if let Some(position_embeddings) = &self.position_embeddings {
            let position_ids = Tensor::<B, 1, Int>::arange(0..seq as i64, &device)
                .reshape([1, seq])
                .expand([batch, seq]);
            embeddings = embeddings + position_embeddings.forward(position_ids);
        }
        if let Some(token_type_embeddings) = &self.token_type_embeddings {
            embeddings = embeddings + token_type_embeddings.forward(input_ids.zeros_like());
        }
        if let Some(embed_proj) = &self.embed_proj {
            embeddings = embed_proj.forward(embeddings);
        }
        let embeddings = self.layer_norm.forward(embeddings);
        let mask = attention_mask
            .reshape([batch, seq, 1])
            .float()
            .cast(embeddings.dtype());
        self.dropout.forward(embeddings * mask)
    }
}
