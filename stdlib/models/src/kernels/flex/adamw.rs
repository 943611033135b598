//! AdamW's update of one parameter on plain flex tensors, in place where they are not shared.

use burn::backend::flex::FlexTensor;
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

use super::{Kind, cpu, dense, kind, prim, tensor, values};
use crate::kernels::AdamWStep;

/// `(param, exp_avg, exp_avg_sq)` after one update, or the inputs back on an autodiff
/// backend (the optimiser runs on the inner one).
#[allow(clippy::type_complexity)]
pub fn adamw_update<B: Backend>(
    param: Tensor<B, 1>,
    grad: Tensor<B, 1>,
    moments: Option<(Tensor<B, 1>, Tensor<B, 1>)>,
    step: &AdamWStep,
) -> Result<
    (Tensor<B, 1>, Tensor<B, 1>, Tensor<B, 1>),
    (
        Tensor<B, 1>,
        Tensor<B, 1>,
        Option<(Tensor<B, 1>, Tensor<B, 1>)>,
    ),
> {
    if kind::<B>(param.dtype()) != Some(Kind::Plain) {
        return Err((param, grad, moments));
    }
    let first = moments.is_none();
    let (m, v) = match moments {
        Some((m, v)) => (prim::<B, FlexTensor, 1>(m), prim::<B, FlexTensor, 1>(v)),
        None => (
            FlexTensor::empty(param.shape(), param.dtype()),
            FlexTensor::empty(param.shape(), param.dtype()),
        ),
    };
    let (mut p, g, mut m, mut v) = (
        dense(prim::<B, FlexTensor, 1>(param)),
        dense(prim::<B, FlexTensor, 1>(grad)),
        dense(m),
        dense(v),
    );
    let n = p.layout().num_elements();
    cpu::adamw_update(
        step.scalars(first),
        &mut p.storage_mut::<f32>()[..n],
        values(&g),
        &mut m.storage_mut::<f32>()[..n],
        &mut v.storage_mut::<f32>()[..n],
    );
    Ok((
        tensor::<B, _, 1>(p),
        tensor::<B, _, 1>(m),
        tensor::<B, _, 1>(v),
    ))
}
