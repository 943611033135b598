use std::sync::Arc;

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};

use crate::config::DebertaV2Config;
use crate::kernels::{self, DisentangledBias, RelativeGather};
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
    /// The same indices on the host, for the fused CPU op.
    pub gather: Arc<RelativeGather>,
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
        let bias = match relative.filter(|_| self.relative_attention && (self.c2p || self.p2c)) {
            Some(relative) => self.attention_bias(&q, &k, relative, scale, mask_bias),
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

    /// HF's `disentangled_attention_bias` plus the mask: `(c2p + p2c) / scale + mask_bias`,
    /// `[batch, heads, seq, seq]`; one fused op where the backend has it
    /// ([`kernels::disentangled_bias`]), else Burn ops as HF writes them.
    fn attention_bias(
        &self,
        q: &Tensor<B, 3>,
        k: &Tensor<B, 3>,
        relative: &RelativeContext<B>,
        scale: f64,
        mask_bias: Tensor<B, 4>,
    ) -> Tensor<B, 4> {
        let rel_embeddings = self.pos_dropout.forward(relative.rel_embeddings.clone());
        let project = |proj: &Linear<B>| {
            kernels::linear(
                rel_embeddings.clone(),
                proj.weight.val(),
                proj.bias.as_ref().map(|b| b.val()),
            )
        };
        let pos_key = self
            .c2p
            .then(|| project(self.pos_key_proj.as_ref().unwrap_or(&self.key_proj)));
        let pos_query = self
            .p2c
            .then(|| project(self.pos_query_proj.as_ref().unwrap_or(&self.query_proj)));
        let mut mask_bias = mask_bias;
        if let (Some(pos_key), Some(pos_query)) = (pos_key.clone(), pos_query.clone()) {
            let fused = kernels::disentangled_bias(DisentangledBias {
                q: q.clone(),
                k: k.clone(),
                pos_key,
                pos_query,
                gather: relative.gather.clone(),
                heads: self.num_attention_heads,
                scale,
                mask: mask_bias,
            });
            match fused {
                Ok(bias) => return bias,
                Err(inputs) => mask_bias = inputs.mask,
            }
        }
        let (q, k) = (self.split_heads(q.clone()), self.split_heads(k.clone()));
        let heads = |pos: Tensor<B, 2>| self.split_heads(pos.unsqueeze_dim::<3>(0));
        let c2p = pos_key.map(|pos_key| {
            let c2p = q.matmul(heads(pos_key).swap_dims(2, 3));
            gather_relative(c2p, relative.c2p_index.clone()) / scale
        });
        let p2c = pos_query.map(|pos_query| {
            let p2c = k.matmul(heads(pos_query).swap_dims(2, 3));
            gather_relative(p2c, relative.p2c_index.clone()).swap_dims(2, 3) / scale
        });
        let score = match (c2p, p2c) {
            (Some(c2p), Some(p2c)) => c2p + p2c,
            (Some(term), None) | (None, Some(term)) => term,
            (None, None) => return mask_bias,
        };
        score + mask_bias
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
