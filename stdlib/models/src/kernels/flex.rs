//! The fused ops on `Flex` and `Autodiff<Flex>` (f32): tensors are taken out of the generic
//! `Tensor<B, D>` by a checked type cast, computed by [`super::cpu`], and, under autodiff,
//! recorded as one graph node with its own backward.

use std::any::{Any, TypeId};

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::{Autodiff, Flex};
use burn::tensor::backend::{Backend, BackendTypes};
use burn::tensor::ops::FloatTensorOps;
use burn::tensor::{DType, Distribution, Int, Shape, Tensor, TensorData, TensorPrimitive};

use super::cpu;

type AdFlex = Autodiff<Flex>;
type AdTensor = <AdFlex as BackendTypes>::FloatTensorPrimitive;

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

// ---------------------------------------------------------------------------- bias + GELU

/// Whether the fused ops run for backend `B` and `dtype` (flex, plain or autodiff, in f32).
pub fn applies<B: Backend>(dtype: DType) -> bool {
    kind::<B>(dtype).is_some()
}

/// `gelu(x + bias)`.
pub fn bias_gelu<B: Backend>(x: Tensor<B, 2>, bias: Tensor<B, 1>) -> Tensor<B, 2> {
    match kind::<B>(x.dtype()).expect("applies() was checked") {
        Kind::Plain => {
            let (y, _) =
                bias_gelu_forward(prim::<B, FlexTensor, 2>(x), &prim::<B, _, 1>(bias), false);
            tensor::<B, _, 2>(y)
        }
        Kind::Autodiff => {
            let x: AdTensor = prim::<B, _, 2>(x);
            let bias: AdTensor = prim::<B, _, 1>(bias);
            let out = match BiasGeluBackward
                .prepare::<NoCheckpointing>([x.node.clone(), bias.node.clone()])
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(prep) => {
                    let (y, h) = bias_gelu_forward(x.primitive, &bias.primitive, true);
                    prep.finish(h, y)
                }
                OpsKind::UnTracked(prep) => {
                    prep.finish(bias_gelu_forward(x.primitive, &bias.primitive, false).0)
                }
            };
            tensor::<B, _, 2>(out)
        }
    }
}

/// Returns `(gelu(x + bias), x + bias)` (the second only meaningful with `keep`).
fn bias_gelu_forward(x: FlexTensor, bias: &FlexTensor, keep: bool) -> (FlexTensor, FlexTensor) {
    let shape = x.layout().shape().clone();
    let mut x = dense(x);
    let bias = dense(bias.clone());
    let n = x.layout().num_elements();
    let y = cpu::bias_gelu_forward(&mut x.storage_mut::<f32>()[..n], values(&bias), keep);
    (from_vec(y, shape), x)
}

#[derive(Debug)]
struct BiasGeluBackward;

impl Backward<Flex, 2> for BiasGeluBackward {
    /// The pre-activation `x + bias`.
    type State = FlexTensor;

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_bias] = ops.parents;
        let grad = dense(grads.consume::<Flex>(&ops.node));
        let h = ops.state;
        let shape = h.layout().shape().clone();
        let d = shape[shape.num_dims() - 1];
        let (dh, dbias) = cpu::bias_gelu_backward(values(&h), values(&grad), d);
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, from_vec(dh, shape));
        }
        if let Some(node) = node_bias {
            grads.register::<Flex>(node.id, from_vec(dbias, Shape::new([d])));
        }
    }
}

// ------------------------------------------------------------------ residual + LayerNorm

/// `LayerNorm(dropout(x + bias) + residual)` (the caller checked [`applies`]).
pub fn residual_layer_norm<B: Backend>(
    x: Tensor<B, 2>,
    bias: Tensor<B, 1>,
    keep: Option<f64>,
    residual: Tensor<B, 2>,
    gamma: Tensor<B, 1>,
    beta: Tensor<B, 1>,
    eps: f64,
) -> Tensor<B, 2> {
    let mask = keep.map(|keep| cpu::DropoutMask::new(seed::<B>(&x.device()), keep));
    let eps = eps as f32;
    match kind::<B>(x.dtype()).expect("applies() was checked") {
        Kind::Plain => {
            let args = ResidualArgs {
                x: prim::<B, _, 2>(x),
                bias: prim::<B, _, 1>(bias),
                mask,
                residual: prim::<B, _, 2>(residual),
                gamma: prim::<B, _, 1>(gamma),
                beta: prim::<B, _, 1>(beta),
            };
            tensor::<B, _, 2>(residual_forward(args, eps).0)
        }
        Kind::Autodiff => {
            let x: AdTensor = prim::<B, _, 2>(x);
            let bias: AdTensor = prim::<B, _, 1>(bias);
            let residual: AdTensor = prim::<B, _, 2>(residual);
            let gamma: AdTensor = prim::<B, _, 1>(gamma);
            let beta: AdTensor = prim::<B, _, 1>(beta);
            let nodes = [&x, &bias, &residual, &gamma, &beta].map(|t| t.node.clone());
            let args = ResidualArgs {
                x: x.primitive,
                bias: bias.primitive,
                mask,
                residual: residual.primitive,
                gamma: gamma.primitive,
                beta: beta.primitive,
            };
            let out = match ResidualLayerNormBackward
                .prepare::<NoCheckpointing>(nodes)
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(prep) => {
                    let gamma = dense(args.gamma.clone());
                    let mask = args.mask;
                    let (y, h, stats) = residual_forward(args, eps);
                    prep.finish(
                        ResidualState {
                            h,
                            stats,
                            gamma,
                            mask,
                        },
                        y,
                    )
                }
                OpsKind::UnTracked(prep) => prep.finish(residual_forward(args, eps).0),
            };
            tensor::<B, _, 2>(out)
        }
    }
}

struct ResidualArgs {
    x: FlexTensor,
    bias: FlexTensor,
    mask: Option<cpu::DropoutMask>,
    residual: FlexTensor,
    gamma: FlexTensor,
    beta: FlexTensor,
}

/// Returns `(y, h, stats)`.
fn residual_forward(args: ResidualArgs, eps: f32) -> (FlexTensor, FlexTensor, FlexTensor) {
    let shape = args.x.layout().shape().clone();
    let rows = shape[0];
    let (x, bias, residual) = (dense(args.x), dense(args.bias), dense(args.residual));
    let (gamma, beta) = (dense(args.gamma), dense(args.beta));
    let inputs = cpu::ResidualInputs {
        x: values(&x),
        bias: Some(values(&bias)),
        mask: args.mask,
        residual: values(&residual),
    };
    let (y, h, stats) =
        cpu::residual_layer_norm_forward(inputs, values(&gamma), values(&beta), eps);
    (
        from_vec(y, shape.clone()),
        from_vec(h, shape),
        from_vec(stats, Shape::new([rows, 2])),
    )
}

#[derive(Debug, Clone)]
struct ResidualState {
    h: FlexTensor,
    stats: FlexTensor,
    gamma: FlexTensor,
    mask: Option<cpu::DropoutMask>,
}

#[derive(Debug)]
struct ResidualLayerNormBackward;

impl Backward<Flex, 5> for ResidualLayerNormBackward {
    type State = ResidualState;

    fn backward(self, ops: Ops<Self::State, 5>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_bias, node_residual, node_gamma, node_beta] = ops.parents;
        let grad = dense(grads.consume::<Flex>(&ops.node));
        let state = ops.state;
        let shape = state.h.layout().shape().clone();
        let d = shape[1];
        let g = cpu::residual_layer_norm_backward(
            values(&state.h),
            values(&state.stats),
            values(&state.gamma),
            values(&grad),
            state.mask,
        );
        let dh = from_vec(g.dh, shape.clone());
        let dx = match g.dx {
            Some(dx) => from_vec(dx, shape),
            None => dh.clone(),
        };
        let vector = |v: Vec<f32>| from_vec(v, Shape::new([d]));
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, dx);
        }
        if let Some(node) = node_residual {
            grads.register::<Flex>(node.id, dh);
        }
        if let Some(node) = node_bias {
            grads.register::<Flex>(node.id, vector(g.dbias));
        }
        if let Some(node) = node_gamma {
            grads.register::<Flex>(node.id, vector(g.dgamma));
        }
        if let Some(node) = node_beta {
            grads.register::<Flex>(node.id, vector(g.dbeta));
        }
    }
}

// ------------------------------------------------------------------ softmax + dropout

/// `dropout(softmax(scores * scale + bias, 3))` (the caller checked [`applies`]); `bias`
/// broadcasts to `scores`' shape.
pub fn softmax_dropout<B: Backend>(
    scores: Tensor<B, 4>,
    bias: Tensor<B, 4>,
    scale: f64,
    keep: Option<f64>,
) -> Tensor<B, 4> {
    let mask = keep.map(|keep| cpu::DropoutMask::new(seed::<B>(&scores.device()), keep));
    let scale = scale as f32;
    match kind::<B>(scores.dtype()).expect("applies() was checked") {
        Kind::Plain => {
            let (out, _) =
                softmax_forward(prim::<B, _, 4>(scores), prim::<B, _, 4>(bias), scale, mask);
            tensor::<B, _, 4>(out)
        }
        Kind::Autodiff => {
            let scores: AdTensor = prim::<B, _, 4>(scores);
            let bias: AdTensor = prim::<B, _, 4>(bias);
            let bias_shape = bias.primitive.layout().shape().clone();
            let out = match SoftmaxBackward
                .prepare::<NoCheckpointing>([scores.node.clone(), bias.node.clone()])
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(prep) => {
                    let (out, probs) =
                        softmax_forward(scores.primitive, bias.primitive, scale, mask);
                    let state = SoftmaxState {
                        probs,
                        mask,
                        scale,
                        bias_shape,
                    };
                    prep.finish(state, out)
                }
                OpsKind::UnTracked(prep) => {
                    prep.finish(softmax_forward(scores.primitive, bias.primitive, scale, mask).0)
                }
            };
            tensor::<B, _, 4>(out)
        }
    }
}

/// Returns `(out, probs)`; `probs` is `out` without dropout.
fn softmax_forward(
    scores: FlexTensor,
    bias: FlexTensor,
    scale: f32,
    mask: Option<cpu::DropoutMask>,
) -> (FlexTensor, FlexTensor) {
    let shape = scores.layout().shape().clone();
    let dims = [shape[0], shape[1], shape[2], shape[3]];
    let scores = dense(scores);
    let bias = dense(bias);
    let bias_dims = bias.layout().shape().clone();
    // Contiguous strides of the bias, 0 along its broadcast (size-1) dims.
    let mut strides = [0usize; 4];
    let mut stride = 1;
    for d in (0..4).rev() {
        strides[d] = if bias_dims[d] == 1 { 0 } else { stride };
        stride *= bias_dims[d];
    }
    let view = cpu::BiasView {
        data: values(&bias),
        strides,
    };
    let (out, probs) = cpu::softmax_forward(values(&scores), dims, scale, Some(view), mask);
    let out = from_vec(out, shape.clone());
    let probs = match probs {
        Some(p) => from_vec(p, shape),
        None => out.clone(),
    };
    (out, probs)
}

#[derive(Debug, Clone)]
struct SoftmaxState {
    probs: FlexTensor,
    mask: Option<cpu::DropoutMask>,
    scale: f32,
    bias_shape: Shape,
}

#[derive(Debug)]
struct SoftmaxBackward;

impl Backward<Flex, 2> for SoftmaxBackward {
    type State = SoftmaxState;

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_scores, node_bias] = ops.parents;
        let grad = dense(grads.consume::<Flex>(&ops.node));
        let state = ops.state;
        let shape = state.probs.layout().shape().clone();
        let k = shape[3];
        let (d_scores, ds) = cpu::softmax_backward(
            values(&state.probs),
            values(&grad),
            k,
            state.scale,
            state.mask,
        );
        if let Some(node) = node_scores {
            grads.register::<Flex>(node.id, from_vec(d_scores, shape.clone()));
        }
        if let Some(node) = node_bias {
            let mut ds = from_vec(ds, shape.clone());
            for d in 0..4 {
                if state.bias_shape[d] == 1 && shape[d] != 1 {
                    ds = Flex::float_sum_dim(ds, d);
                }
            }
            grads.register::<Flex>(node.id, ds);
        }
    }
}

// ---------------------------------------------------------------------------- attention

/// Multi-head `dropout(softmax(q·kᵀ·scale + bias))·v` on the projections' layout (the
/// caller checked [`applies`]): `q` `[batch, seq_q, heads * head_dim]`, `k`/`v` `[batch,
/// seq_k, heads * head_dim]`, `bias` broadcastable to `[batch, heads, seq_q, seq_k]`;
/// returns the context `[batch, seq_q, heads * head_dim]`.
pub fn attention<B: Backend>(
    q: Tensor<B, 3>,
    k: Tensor<B, 3>,
    v: Tensor<B, 3>,
    bias: Tensor<B, 4>,
    heads: usize,
    scale: f64,
    keep: Option<f64>,
) -> Tensor<B, 3> {
    let mask = keep.map(|keep| cpu::DropoutMask::new(seed::<B>(&q.device()), keep));
    let scale = scale as f32;
    match kind::<B>(q.dtype()).expect("applies() was checked") {
        Kind::Plain => {
            let args = AttentionArgs {
                q: dense(prim::<B, _, 3>(q)),
                k: dense(prim::<B, _, 3>(k)),
                v: dense(prim::<B, _, 3>(v)),
                heads,
                scale,
                mask,
            };
            tensor::<B, _, 3>(attention_forward(&args, prim::<B, _, 4>(bias), false).0)
        }
        Kind::Autodiff => {
            let q: AdTensor = prim::<B, _, 3>(q);
            let k: AdTensor = prim::<B, _, 3>(k);
            let v: AdTensor = prim::<B, _, 3>(v);
            let bias: AdTensor = prim::<B, _, 4>(bias);
            let nodes = [&q, &k, &v, &bias].map(|t| t.node.clone());
            let args = AttentionArgs {
                q: dense(q.primitive),
                k: dense(k.primitive),
                v: dense(v.primitive),
                heads,
                scale,
                mask,
            };
            let out = match AttentionBackward
                .prepare::<NoCheckpointing>(nodes)
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(prep) => {
                    let bias_shape = bias.primitive.layout().shape().clone();
                    let (out, probs) = attention_forward(&args, bias.primitive, true);
                    let state = AttentionState {
                        args,
                        probs: probs.expect("kept for training"),
                        bias_shape,
                    };
                    prep.finish(state, out)
                }
                OpsKind::UnTracked(prep) => {
                    prep.finish(attention_forward(&args, bias.primitive, false).0)
                }
            };
            tensor::<B, _, 3>(out)
        }
    }
}

#[derive(Debug, Clone)]
struct AttentionArgs {
    q: FlexTensor,
    k: FlexTensor,
    v: FlexTensor,
    heads: usize,
    scale: f32,
    mask: Option<cpu::DropoutMask>,
}

impl AttentionArgs {
    fn dims(&self) -> cpu::AttentionDims {
        let (qs, ks) = (self.q.layout().shape(), self.k.layout().shape());
        cpu::AttentionDims {
            batch: qs[0],
            heads: self.heads,
            seq_q: qs[1],
            seq_k: ks[1],
            head_dim: qs[2] / self.heads,
        }
    }
}

/// Returns the context and, with `keep_probs`, the softmax `[batch, heads, seq_q, seq_k]`.
fn attention_forward(
    args: &AttentionArgs,
    bias: FlexTensor,
    keep_probs: bool,
) -> (FlexTensor, Option<FlexTensor>) {
    let dims = args.dims();
    let bias = dense(bias);
    let view = bias_view(&bias);
    let mut out = vec![0.0f32; args.q.layout().num_elements()];
    let scores = [dims.batch, dims.heads, dims.seq_q, dims.seq_k];
    let mut probs = keep_probs.then(|| vec![0.0f32; scores.iter().product()]);
    cpu::attention_forward(
        dims,
        values(&args.q),
        values(&args.k),
        values(&args.v),
        args.scale,
        view,
        args.mask,
        &mut out,
        probs.as_deref_mut(),
    );
    (
        from_vec(out, args.q.layout().shape().clone()),
        probs.map(|p| from_vec(p, Shape::new(scores))),
    )
}

/// Contiguous strides of a 4-D bias, 0 along its broadcast (size-1) dims.
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

#[derive(Debug, Clone)]
struct AttentionState {
    args: AttentionArgs,
    probs: FlexTensor,
    bias_shape: Shape,
}

#[derive(Debug)]
struct AttentionBackward;

impl Backward<Flex, 4> for AttentionBackward {
    type State = AttentionState;

    fn backward(self, ops: Ops<Self::State, 4>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_q, node_k, node_v, node_bias] = ops.parents;
        let grad = dense(grads.consume::<Flex>(&ops.node));
        let AttentionState {
            args,
            probs,
            bias_shape,
        } = ops.state;
        let dims = args.dims();
        let (mut dq, mut dk, mut dv) = (
            vec![0.0f32; args.q.layout().num_elements()],
            vec![0.0f32; args.k.layout().num_elements()],
            vec![0.0f32; args.v.layout().num_elements()],
        );
        let mut dbias = node_bias
            .as_ref()
            .map(|_| vec![0.0f32; probs.layout().num_elements()]);
        cpu::attention_backward(
            dims,
            values(&args.q),
            values(&args.k),
            values(&args.v),
            values(&probs),
            values(&grad),
            args.scale,
            args.mask,
            &mut dq,
            &mut dk,
            &mut dv,
            dbias.as_deref_mut(),
        );
        for (node, d, like) in [
            (node_q, dq, &args.q),
            (node_k, dk, &args.k),
            (node_v, dv, &args.v),
        ] {
            if let Some(node) = node {
                grads.register::<Flex>(node.id, from_vec(d, like.layout().shape().clone()));
            }
        }
        if let (Some(node), Some(dbias)) = (node_bias, dbias) {
            let shape = probs.layout().shape().clone();
            let mut ds = from_vec(dbias, shape.clone());
            for d in 0..4 {
                if bias_shape[d] == 1 && shape[d] != 1 {
                    ds = Flex::float_sum_dim(ds, d);
                }
            }
            grads.register::<Flex>(node.id, ds);
        }
    }
}
