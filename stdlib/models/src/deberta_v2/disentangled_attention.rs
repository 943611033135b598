use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};

use crate::config::DebertaV2Config;
use crate::nn::{Attention, AttentionInputs, hf_linear, linear_rows, multi_head_attention};

/// Per-forward inputs shared by every layer: the relative embeddings (already through
/// `encoder.LayerNorm`) and the c2p / p2c gather indices.
#[derive(Debug, Clone)]
pub struct RelativeContext<B: Backend> {
    /// The rows of `rel_embeddings` the indices use, `[width, hidden]`.
    pub rel_embeddings: Tensor<B, 2>,
    /// c2p indices into the flattened `[seq, width]` scores, `[seq * seq]`.
    pub c2p_index: Tensor<B, 1, Int>,
    /// p2c indices into the flattened `[seq, width]` scores, `[seq * seq]`.
    pub p2c_index: Tensor<B, 1, Int>,
}

/// `DisentangledSelfAttention` (HF key `attention.self`): content attention plus the
/// content-to-position and position-to-content terms, scaled by
/// `sqrt(head_size * (1 + number of pos_att_type))`.
#[derive(Module, Debug)]
pub struct DisentangledSelfAttention<B: Backend> {
    /// `query_proj`.
    pub query_proj: Linear<B>,
    /// `key_proj`.
    pub key_proj: Linear<B>,
    /// `value_proj`.
    pub value_proj: Linear<B>,
    /// `pos_key_proj` (c2p without `share_att_key`).
    pub pos_key_proj: Option<Linear<B>>,
    /// `pos_query_proj` (p2c without `share_att_key`).
    pub pos_query_proj: Option<Linear<B>>,
    dropout: Dropout,
    pos_dropout: Dropout,
    num_attention_heads: usize,
    attention_head_size: usize,
    relative_attention: bool,
    c2p: bool,
    p2c: bool,
    attention: Attention,
}

impl<B: Backend> DisentangledSelfAttention<B> {
    /// A randomly initialised module shaped by `config`.
    pub fn init(config: &DebertaV2Config, attention: Attention, device: &B::Device) -> Self {
        let h = config.hidden_size;
        let all = config.num_attention_heads * config.attention_head_size();
        let std = config.initializer_range;
        let separate = config.relative_attention && !config.share_att_key;
        Self {
            query_proj: hf_linear(h, all, true, std, device),
            key_proj: hf_linear(h, all, true, std, device),
            value_proj: hf_linear(h, all, true, std, device),
            pos_key_proj: (separate && config.c2p()).then(|| hf_linear(h, all, true, std, device)),
            pos_query_proj: (separate && config.p2c())
                .then(|| hf_linear(h, all, true, std, device)),
            dropout: DropoutConfig::new(config.attention_probs_dropout_prob).init(),
            pos_dropout: DropoutConfig::new(config.hidden_dropout_prob).init(),
            num_attention_heads: config.num_attention_heads,
            attention_head_size: config.attention_head_size(),
            relative_attention: config.relative_attention,
            c2p: config.c2p(),
            p2c: config.p2c(),
            attention,
        }
    }

    /// `hidden` `[batch, seq, hidden]`, `mask_bias` `[batch, 1, seq, seq]`.
    pub fn forward(
        &self,
        hidden: Tensor<B, 3>,
        mask_bias: Tensor<B, 4>,
        relative: Option<&RelativeContext<B>>,
    ) -> Tensor<B, 3> {
        let q = linear_rows(&self.query_proj, hidden.clone());
        let k = linear_rows(&self.key_proj, hidden.clone());
        let v = linear_rows(&self.value_proj, hidden);
        let scale_factor = 1 + usize::from(self.c2p) + usize::from(self.p2c);
        let scale = ((self.attention_head_size * scale_factor) as f64).sqrt();
        let rel_att = relative
            .filter(|_| self.relative_attention)
            .and_then(|relative| {
                let (q, k) = (self.split_heads(q.clone()), self.split_heads(k.clone()));
                self.disentangled_attention_bias(&q, &k, relative, scale)
            });
        let bias = match rel_att {
            Some(rel_att) => rel_att + mask_bias,
            None => mask_bias,
        };
        let inputs = AttentionInputs {
            q,
            k,
            v,
            bias,
            scale: 1.0 / scale,
        };
        multi_head_attention(
            inputs,
            self.num_attention_heads,
            &self.dropout,
            self.attention,
        )
    }

    /// HF's `disentangled_attention_bias`: `(c2p + p2c) / scale`, `[batch, heads, seq, seq]`
    /// (`None` when `pos_att_type` is empty).
    fn disentangled_attention_bias(
        &self,
        q: &Tensor<B, 4>,
        k: &Tensor<B, 4>,
        relative: &RelativeContext<B>,
        scale: f64,
    ) -> Option<Tensor<B, 4>> {
        let rel_embeddings = self
            .pos_dropout
            .forward(relative.rel_embeddings.clone())
            .unsqueeze_dim::<3>(0);
        let mut score: Option<Tensor<B, 4>> = None;
        if self.c2p {
            let proj = self.pos_key_proj.as_ref().unwrap_or(&self.key_proj);
            let pos_key = self.split_heads(linear_rows(proj, rel_embeddings.clone()));
            let c2p = q.clone().matmul(pos_key.swap_dims(2, 3));
            let c2p = gather_relative(c2p, relative.c2p_index.clone()) / scale;
            score = Some(c2p);
        }
        if self.p2c {
            let proj = self.pos_query_proj.as_ref().unwrap_or(&self.query_proj);
            let pos_query = self.split_heads(linear_rows(proj, rel_embeddings));
            let p2c = k.clone().matmul(pos_query.swap_dims(2, 3));
            let p2c = gather_relative(p2c, relative.p2c_index.clone()).swap_dims(2, 3) / scale;
            score = Some(match score {
                Some(c2p) => c2p + p2c,
                None => p2c,
            });
        }
        score
    }

    fn split_heads(&self, x: Tensor<B, 3>) -> Tensor<B, 4> {
        let [batch, seq, _] = x.dims();
        x.reshape([
            batch,
            seq,
            self.num_attention_heads,
            self.attention_head_size,
        ])
        .swap_dims(1, 2)
    }
}

/// `scores[b, h, i, index[i, j]]` for `scores` `[batch, heads, seq, width]` and a
/// flattened `[seq, seq]` index (see `RelativeIndices::flatten`): HF's `torch.gather` on the
/// last dim.
fn gather_relative<B: Backend>(
    scores: Tensor<B, 4>,
    flat_index: Tensor<B, 1, Int>,
) -> Tensor<B, 4> {
    let [batch, heads, seq, width] = scores.dims();
    scores
        .reshape([batch, heads, seq * width])
        .select(2, flat_index)
        .reshape([batch, heads, seq, seq])
}
