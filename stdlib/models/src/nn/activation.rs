use burn::tensor::Tensor;
use burn::tensor::activation;
use burn::tensor::backend::Backend;

use crate::config::HiddenAct;

/// Applies an HF activation with HF's exact definition.
///
/// `gelu` is the erf form (`x * Φ(x)`). Burn's fused `gelu` kernel is exact in value and
/// gradient only on flex (candle's kernel is the tanh approximation and Burn's default
/// backward is the tanh derivative), so elsewhere it is composed from `erf`, which
/// autodiff differentiates exactly.
pub fn apply_activation<B: Backend, const D: usize>(
    x: Tensor<B, D>,
    act: HiddenAct,
) -> Tensor<B, D> {
    match act {
        HiddenAct::Gelu => gelu_exact(x),
        HiddenAct::GeluTanh => activation::gelu_approximate(x),
        HiddenAct::Relu => activation::relu(x),
        HiddenAct::Tanh => x.tanh(),
        HiddenAct::Silu => activation::silu(x),
    }
}

/// `x * 0.5 * (1 + erf(x / sqrt(2)))`, exact in value and gradient on every backend.
pub fn gelu_exact<B: Backend, const D: usize>(x: Tensor<B, D>) -> Tensor<B, D> {
    if has_exact_gelu_kernel::<B>(&x.device()) {
        return activation::gelu(x);
    }
    let cdf = (x.clone() * core::f64::consts::FRAC_1_SQRT_2).erf() + 1.0;
    x * cdf * 0.5
}

fn has_exact_gelu_kernel<B: Backend>(device: &B::Device) -> bool {
    let name = B::name(device);
    name == "flex" || name == "autodiff<flex>"
}
