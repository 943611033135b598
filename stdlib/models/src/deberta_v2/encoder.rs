use std::sync::Arc;

use burn::module::Module;
use burn::nn::{Embedding, LayerNorm};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};

use super::relative_position::RelativeIndices;
use super::{DebertaV2Layer, RelativeContext};
use crate::config::DebertaV2Config;
use crate::kernels::RelativeGather;
use crate::nn::{Attention, hf_embedding, hf_layer_norm, mask_value};

/// `DebertaV2Encoder`: the layers plus the shared relative-position embeddings
/// (`rel_embeddings`, normalised by `LayerNorm` when `norm_rel_ebd = layer_norm`).
#[derive(Module, Debug)]
pub struct DebertaV2Encoder<B: Backend> {
    /// `layer`.
    pub layer: Vec<DebertaV2Layer<B>>,
    /// `rel_embeddings` (with `relative_attention`), `[2 * att_span, hidden]`.
    pub rel_embeddings: Option<Embedding<B>>,
    /// `LayerNorm` (with `norm_rel_ebd = layer_norm`).
    pub layer_norm: Option<LayerNorm<B>>,
    position_buckets: i64,
    max_relative_positions: i64,
    att_span: usize,
}

impl<B: Backend> DebertaV2Encoder<B> {
    /// A randomly initialised module shaped by `config`.
    pub fn init(config: &DebertaV2Config, attention: Attention, device: &B::Device) -> Self {
        let h = config.hidden_size;
        Self {
            layer: (0..config.num_hidden_layers)
                .map(|_| DebertaV2Layer::init(config, attention, device))
                .collect(),
            rel_embeddings: config.relative_attention.then(|| {
                hf_embedding(
                    2 * config.pos_ebd_size(),
                    h,
                    config.initializer_range,
                    device,
                )
            }),
            layer_norm: config
                .norm_rel_ebd_layer_norm()
                .then(|| hf_layer_norm(h, config.layer_norm_eps, device)),
            position_buckets: config.position_buckets,
            max_relative_positions: config.max_relative_positions() as i64,
            att_span: config.pos_ebd_size(),
        }
    }

    /// Runs every layer; `attention_mask` is `[batch, seq]` (1 = token).
    pub fn forward(&self, hidden: Tensor<B, 3>, attention_mask: Tensor<B, 2, Int>) -> Tensor<B, 3> {
        let mask_bias = pair_mask_bias(attention_mask, &hidden);
        let relative = self.relative_context(&hidden);
        self.layer.iter().fold(hidden, |h, layer| {
            layer.forward(h, mask_bias.clone(), relative.as_ref())
        })
    }

    /// HF's `get_rel_embedding` and `build_relative_position` for this input, restricted to
    /// the relative-embedding rows the indices use (LayerNorm is row-wise, so normalising
    /// only those rows is exact).
    fn relative_context(&self, hidden: &Tensor<B, 3>) -> Option<RelativeContext<B>> {
        let weight = self.rel_embeddings.as_ref()?.weight.val();
        let [_, seq, _] = hidden.dims();
        let device = hidden.device();
        let indices = RelativeIndices::new(
            seq,
            self.position_buckets,
            self.max_relative_positions,
            self.att_span,
        );
        let rows = weight.narrow(0, indices.first_row, indices.width);
        let rel_embeddings = match &self.layer_norm {
            Some(layer_norm) => layer_norm.forward(rows),
            None => rows,
        };
        let (c2p, p2c) = (indices.flatten(&indices.c2p), indices.flatten(&indices.p2c));
        let index = |flat: &[i64]| {
            Tensor::<B, 1, Int>::from_data(TensorData::new(flat.to_vec(), [seq * seq]), &device)
        };
        let host = |flat: &[i64]| flat.iter().map(|&i| i as usize).collect();
        let gather = RelativeGather {
            seq,
            width: indices.width,
            c2p: host(&c2p),
            p2c: host(&p2c),
        };
        Some(RelativeContext {
            rel_embeddings,
            c2p_index: index(&c2p),
            p2c_index: index(&p2c),
            gather: Arc::new(gather),
        })
    }
}

/// HF's `get_attention_mask`: a pair `(i, j)` attends only when both are tokens;
/// `[batch, 1, seq, seq]`, 0 or the dtype's masking value.
fn pair_mask_bias<B: Backend>(
    attention_mask: Tensor<B, 2, Int>,
    like: &Tensor<B, 3>,
) -> Tensor<B, 4> {
    let [batch, seq] = attention_mask.dims();
    let dtype = like.dtype();
    let keys = attention_mask.clone().reshape([batch, 1, 1, seq]);
    let queries = attention_mask.reshape([batch, 1, seq, 1]);
    let pair = (keys * queries).equal_elem(0);
    Tensor::<B, 4>::zeros([batch, 1, seq, seq], (&like.device(), dtype))
        .mask_fill(pair, mask_value(dtype))
}
