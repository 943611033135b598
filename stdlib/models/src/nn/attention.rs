use burn::nn::Dropout;
use burn::tensor::backend::Backend;
use burn::tensor::module::attention;
use burn::tensor::ops::AttentionModuleOptions;
use burn::tensor::{DType, Tensor};
use clarity_device::Attention;

use crate::kernels;

/// The path a forward pass takes for a requested [`Attention`]: fused is impossible while
/// attention-probability dropout is active (training with `attention_probs_dropout_prob >
/// 0`), so both `Auto` and `Fused` run eager then; otherwise `Auto` runs fused.
pub fn resolve(attention: Attention, dropout_active: bool) -> ResolvedAttention {
    match (attention, dropout_active) {
        (Attention::Eager, _) | (_, true) => ResolvedAttention::Eager,
        (Attention::Auto | Attention::Fused, false) => ResolvedAttention::Fused,
    }
}

/// The attention path a forward pass actually takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolvedAttention {
    /// Burn's fused `attention` op.
    Fused,
    /// Matmul, softmax, dropout, matmul.
    Eager,
}

/// The operands of scaled dot-product attention `softmax(q·kᵀ·scale + bias)·v`.
///
/// With `D` = 4 the heads are split: `q` `[batch, heads, seq_q, head_dim]`, `k`/`v` `[batch,
/// heads, seq_k, head_dim]`; with `D` = 3 they are the projections' layout: `q` `[batch,
/// seq_q, heads * head_dim]`, `k`/`v` `[batch, seq_k, heads * head_dim]`. `bias` broadcasts
/// to `[batch, heads, seq_q, seq_k]` (it carries the padding mask as [`mask_value`] entries
/// and, for DeBERTa, the relative-position scores).
#[derive(Debug, Clone)]
pub struct AttentionInputs<B: Backend, const D: usize> {
    /// Queries.
    pub q: Tensor<B, D>,
    /// Keys.
    pub k: Tensor<B, D>,
    /// Values.
    pub v: Tensor<B, D>,
    /// Additive bias on the scaled scores.
    pub bias: Tensor<B, 4>,
    /// Multiplies `q·kᵀ`.
    pub scale: f64,
}

/// `softmax(q·kᵀ·scale + bias)·v` with dropout on the probabilities, heads split.
pub fn scaled_dot_product_attention<B: Backend>(
    inputs: AttentionInputs<B, 4>,
    dropout: &Dropout,
    implementation: Attention,
) -> Tensor<B, 4> {
    let AttentionInputs {
        q,
        k,
        v,
        bias,
        scale,
    } = inputs;
    let dropout_active = B::ad_enabled(&q.device()) && dropout.prob > 0.0;
    match resolve(implementation, dropout_active) {
        ResolvedAttention::Fused => {
            let options = AttentionModuleOptions {
                scale: Some(scale),
                softcap: None,
                is_causal: false,
            };
            attention(q, k, v, None, Some(bias), options)
        }
        ResolvedAttention::Eager => {
            let scores = q.matmul(k.swap_dims(2, 3));
            kernels::softmax_dropout(scores, bias, scale, dropout).matmul(v)
        }
    }
}

/// Multi-head attention from the projections (`inputs` in the `D` = 3 layout of
/// [`AttentionInputs`]); returns the context `[batch, seq_q, heads * head_dim]`.
///
/// Flex in f32 runs the fused kernel (`kernels::attention`: the arithmetic of the eager
/// path, dropout included) unless `Eager` is asked for explicitly; everything else splits the
/// heads and calls [`scaled_dot_product_attention`].
pub fn multi_head_attention<B: Backend>(
    inputs: AttentionInputs<B, 3>,
    heads: usize,
    dropout: &Dropout,
    implementation: Attention,
) -> Tensor<B, 3> {
    let inputs = if implementation == Attention::Eager {
        inputs
    } else {
        match kernels::attention(inputs, heads, dropout) {
            Ok(context) => return context,
            Err(inputs) => inputs,
        }
    };
    let [batch, seq, all] = inputs.q.dims();
    let split = AttentionInputs {
        q: split_heads(inputs.q, heads),
        k: split_heads(inputs.k, heads),
        v: split_heads(inputs.v, heads),
        bias: inputs.bias,
        scale: inputs.scale,
    };
    let context = scaled_dot_product_attention(split, dropout, implementation);
    context.swap_dims(1, 2).reshape([batch, seq, all])
}

/// `[batch, seq, heads * head_dim]` as `[batch, heads, seq, head_dim]` (a strided view).
pub fn split_heads<B: Backend>(x: Tensor<B, 3>, heads: usize) -> Tensor<B, 4> {
    let [batch, seq, all] = x.dims();
    x.reshape([batch, seq, heads, all / heads]).swap_dims(1, 2)
}

/// The additive bias that masks a position out: HF fills masked scores with
/// `finfo(dtype).min`; adding it to a score gives the same value in f32/bf16. In f16 half
/// of it is used so that adding a score cannot overflow to `-inf`.
pub fn mask_value(dtype: DType) -> f64 {
    match dtype {
        DType::F16 => -32752.0,
        DType::BF16 => f64::from(burn::tensor::bf16::MIN.to_f32()),
        _ => f64::from(f32::MIN),
    }
}
