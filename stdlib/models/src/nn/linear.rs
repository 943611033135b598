use burn::module::Initializer;
use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear};
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

/// A `Linear` initialised as HF's `_init_weights` does: weight ~ N(0, std), bias 0.
pub fn hf_linear<B: Backend>(
    d_input: usize,
    d_output: usize,
    bias: bool,
    std: f64,
    device: &B::Device,
) -> Linear<B> {
    Linear {
        weight: Initializer::Normal { mean: 0.0, std }.init_with(
            [d_input, d_output],
            Some(d_input),
            Some(d_output),
            device,
        ),
        bias: bias.then(|| Initializer::Zeros.init([d_output], device)),
    }
}

/// An `Embedding` initialised as HF does: N(0, std).
pub fn hf_embedding<B: Backend>(
    n_embedding: usize,
    d_model: usize,
    std: f64,
    device: &B::Device,
) -> Embedding<B> {
    EmbeddingConfig::new(n_embedding, d_model)
        .with_initializer(Initializer::Normal { mean: 0.0, std })
        .init(device)
}

/// A `LayerNorm` with HF's `layer_norm_eps` (weight 1, bias 0).
pub fn hf_layer_norm<B: Backend>(d_model: usize, eps: f64, device: &B::Device) -> LayerNorm<B> {
    LayerNormConfig::new(d_model).with_epsilon(eps).init(device)
}

/// `linear.forward(x)` with the leading dims flattened into rows: one `[rows, d_input] x
/// [d_input, d_output]` product instead of a batch of per-sequence products. On CPU that lets
/// the matmul thread over all rows at once (flex splits a batched product per sequence and
/// packs the weight again for each one), and the weight gradient becomes a single
/// `xᵀ·grad` instead of a `[batch, d_input, d_output]` product summed over the batch.
pub fn linear_rows<B: Backend>(linear: &Linear<B>, x: Tensor<B, 3>) -> Tensor<B, 3> {
    let [batch, seq, d_input] = x.dims();
    let y = crate::kernels::linear(
        x.reshape([batch * seq, d_input]),
        linear.weight.val(),
        linear.bias.as_ref().map(|b| b.val()),
    );
    let [_, d_output] = y.dims();
    y.reshape([batch, seq, d_output])
}
