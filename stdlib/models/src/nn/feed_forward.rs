use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, LayerNorm, Linear};
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

use super::{apply_activation, hf_layer_norm, hf_linear, linear_rows};
use crate::config::{BlockConfig, HiddenAct};
use crate::kernels;

/// Dense, dropout, residual LayerNorm: BERT's `*SelfOutput` and `*Output` blocks
/// (`LayerNorm(dropout(dense(hidden)) + input)`), shared by RoBERTa and DeBERTa.
#[derive(Module, Debug)]
pub struct ResidualOutput<B: Backend> {
    /// `dense`.
    pub dense: Linear<B>,
    /// `LayerNorm`.
    pub layer_norm: LayerNorm<B>,
    dropout: Dropout,
    layer_norm_eps: f64,
}

impl<B: Backend> ResidualOutput<B> {
    /// A randomly initialised block: `dense` is `d_input -> d_output`.
    pub fn init(
        d_input: usize,
        d_output: usize,
        layer_norm_eps: f64,
        dropout: f64,
        init_std: f64,
        device: &B::Device,
    ) -> Self {
        Self {
            dense: hf_linear(d_input, d_output, true, init_std, device),
            layer_norm: hf_layer_norm(d_output, layer_norm_eps, device),
            dropout: DropoutConfig::new(dropout).init(),
            layer_norm_eps,
        }
    }

    /// A randomly initialised block from `d_input` to the hidden width, shaped by `block`.
    pub fn for_block(d_input: usize, block: &BlockConfig, device: &B::Device) -> Self {
        Self::init(
            d_input,
            block.hidden_size,
            block.layer_norm_eps,
            block.hidden_dropout_prob,
            block.initializer_range,
            device,
        )
    }

    /// `LayerNorm(dropout(dense(hidden)) + input)`: the product without its bias, then bias,
    /// dropout, residual and LayerNorm as one fused op (`kernels::residual_layer_norm`).
    pub fn forward(&self, hidden: Tensor<B, 3>, input: Tensor<B, 3>) -> Tensor<B, 3> {
        let [batch, seq, d_input] = hidden.dims();
        let [_, _, d_output] = input.dims();
        let rows = batch * seq;
        let product = kernels::linear(
            hidden.reshape([rows, d_input]),
            self.dense.weight.val(),
            None,
        );
        kernels::residual_layer_norm(
            product,
            self.dense.bias.as_ref().map(|b| b.val()),
            &self.dropout,
            input.reshape([rows, d_output]),
            &self.layer_norm,
            self.layer_norm_eps,
        )
        .reshape([batch, seq, d_output])
    }
}

/// Dense and activation: BERT's `*Intermediate` block.
#[derive(Module, Debug)]
pub struct Intermediate<B: Backend> {
    /// `dense`.
    pub dense: Linear<B>,
    act: HiddenAct,
}

impl<B: Backend> Intermediate<B> {
    /// A randomly initialised block: `dense` is `hidden_size -> intermediate_size`.
    pub fn init(
        hidden_size: usize,
        intermediate_size: usize,
        act: HiddenAct,
        init_std: f64,
        device: &B::Device,
    ) -> Self {
        Self {
            dense: hf_linear(hidden_size, intermediate_size, true, init_std, device),
            act,
        }
    }

    /// A randomly initialised block shaped by `block`.
    pub fn for_block(block: &BlockConfig, device: &B::Device) -> Self {
        Self::init(
            block.hidden_size,
            block.intermediate_size,
            block.hidden_act,
            block.initializer_range,
            device,
        )
    }

    /// `act(dense(hidden))`; exact GELU with the bias add fused (`kernels::bias_gelu`).
    pub fn forward(&self, hidden: Tensor<B, 3>) -> Tensor<B, 3> {
        let (HiddenAct::Gelu, Some(bias)) = (self.act, &self.dense.bias) else {
            return apply_activation(linear_rows(&self.dense, hidden), self.act);
        };
        let [batch, seq, d_input] = hidden.dims();
        let product = kernels::linear(
            hidden.reshape([batch * seq, d_input]),
            self.dense.weight.val(),
            None,
        );
        let [_, d_output] = product.dims();
        kernels::bias_gelu(product, bias.val()).reshape([batch, seq, d_output])
    }
}

/// The feed-forward half of a layer: `output(intermediate(x), x)`.
pub fn feed_forward<B: Backend>(
    intermediate: &Intermediate<B>,
    output: &ResidualOutput<B>,
    x: Tensor<B, 3>,
) -> Tensor<B, 3> {
    let hidden = intermediate.forward(x.clone());
    output.forward(hidden, x)
}
