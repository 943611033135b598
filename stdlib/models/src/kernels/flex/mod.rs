//! The fused ops on `Flex` and `Autodiff<Flex>` (f32): tensors are taken out of the generic
//! `Tensor<B, D>` by a checked type cast, computed by [`super::cpu`], and, under autodiff,
//! recorded as one graph node with its own backward.
//!
//! One module per op ([`adamw`], [`linear`], [`gelu`], [`layer_norm`], [`softmax`], [`attention`]); the casts
//! between Burn's generic tensors and flex's, shared by all of them, live here.

mod adamw;
mod attention;
mod disentangled;
mod gelu;
mod layer_norm;
mod linear;
mod softmax;

use std::any::{Any, TypeId};

use burn::backend::flex::FlexTensor;
use burn::backend::{Autodiff, Flex};
use burn::tensor::backend::{Backend, BackendTypes};
use burn::tensor::ops::FloatTensorOps;
use burn::tensor::{DType, Distribution, Int, Shape, Tensor, TensorData, TensorPrimitive};

pub use adamw::adamw_update;
pub use attention::attention;
pub use disentangled::disentangled_bias;
pub use gelu::bias_gelu;
pub use layer_norm::residual_layer_norm;
pub use linear::linear;
pub use softmax::softmax_dropout;

use super::cpu;

type AdFlex = Autodiff<Flex>;
type AdTensor = <AdFlex as BackendTypes>::FloatTensorPrimitive;

/// Whether the fused ops run for backend `B` and `dtype` (flex, plain or autodiff, in f32).
pub fn applies<B: Backend>(dtype: DType) -> bool {
    kind::<B>(dtype).is_some()
}

/// Which flavour of flex `B` is, when the fused ops apply to it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Autodiff,
}

fn kind<B: Backend>(dtype: DType) -> Option<Kind> {
    if dtype != DType::F32 {
        return None;
    }
    let id = TypeId::of::<B>();
    if id == TypeId::of::<Flex>() {
        Some(Kind::Plain)
    } else if id == TypeId::of::<AdFlex>() {
        Some(Kind::Autodiff)
    } else {
        None
    }
}

/// A fresh dropout seed from the backend's generator (so `B::seed` fixes the masks).
fn seed<B: Backend>(device: &B::Device) -> u64 {
    // Three 30-bit draws (the int dtype may be i32).
    Tensor::<B, 1, Int>::random([3], Distribution::Uniform(0.0, 1_073_741_824.0), device)
        .into_data()
        .iter::<i64>()
        .fold(0u64, |acc, v| (acc << 30) ^ v as u64)
}

/// `x` as `U`; only called where [`kind`] established that the types are the same.
fn same<T: 'static, U: 'static>(x: T) -> U {
    let mut slot = Some(x);
    (&mut slot as &mut dyn Any)
        .downcast_mut::<Option<U>>()
        .and_then(Option::take)
        .expect("kind() checked the backend type")
}

fn prim<B: Backend, P: 'static, const D: usize>(t: Tensor<B, D>) -> P {
    same(t.into_primitive().tensor())
}

fn tensor<B: Backend, P: 'static, const D: usize>(p: P) -> Tensor<B, D> {
    Tensor::from_primitive(TensorPrimitive::Float(same::<P, B::FloatTensorPrimitive>(
        p,
    )))
}

/// `t` contiguous from offset 0, so its storage is exactly its elements in order.
fn dense(t: FlexTensor) -> FlexTensor {
    match t.layout().contiguous_offsets() {
        Some((0, end)) if end == t.layout().num_elements() => t,
        _ => t.to_contiguous(),
    }
}

fn values(t: &FlexTensor) -> &[f32] {
    &t.storage::<f32>()[..t.layout().num_elements()]
}

fn from_vec(values: Vec<f32>, shape: Shape) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape))
}

/// Contiguous strides of a 4-D attention bias, 0 along its broadcast (size-1) dims.
fn bias_view(bias: &FlexTensor) -> cpu::BiasView<'_> {
    let dims = bias.layout().shape();
    let mut strides = [0usize; 4];
    let mut stride = 1;
    for d in (0..4).rev() {
        strides[d] = if dims[d] == 1 { 0 } else { stride };
        stride *= dims[d];
    }
    cpu::BiasView {
        data: values(bias),
        strides,
    }
}

/// The gradient `ds` of a full-shape `[batch, heads, seq_q, seq_k]` bias summed down to the
/// bias' own (broadcast) shape.
fn reduce_to_bias(ds: Vec<f32>, shape: &Shape, bias_shape: &Shape) -> FlexTensor {
    let mut ds = from_vec(ds, shape.clone());
    for d in 0..4 {
        if bias_shape[d] == 1 && shape[d] != 1 {
            ds = Flex::float_sum_dim(ds, d);
        }
    }
    ds
}
