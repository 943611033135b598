//! Fused multi-head attention as one op.

use burn::backend::Flex;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::tensor::backend::Backend;
use burn::tensor::{Shape, Tensor};

use super::{
    AdTensor, Kind, bias_view, cpu, dense, from_vec, kind, prim, reduce_to_bias, seed, tensor,
    values,
};
use crate::nn::AttentionInputs;

/// Multi-head `dropout(softmax(q·kᵀ·scale + bias))·v` on the projections' layout (the
/// caller checked [`applies`](super::applies)): `q` `[batch, seq_q, heads * head_dim]`, `k`/`v` `[batch,
/// seq_k, heads * head_dim]`, `bias` broadcastable to `[batch, heads, seq_q, seq_k]`;
/// returns the context `[batch, seq_q, heads * head_dim]`.
pub fn attention<B: Backend>(
    inputs: AttentionInputs<B, 3>,
    heads: usize,
    keep: Option<f64>,
) -> Tensor<B, 3> {
    let AttentionInputs {
        q,
        k,
        v,
        bias,
        scale,
    } = inputs;
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

    /// The kernels' view of the arguments.
    fn inputs(&self) -> cpu::AttentionInputs<'_> {
        cpu::AttentionInputs {
            dims: self.dims(),
            q: values(&self.q),
            k: values(&self.k),
            v: values(&self.v),
            scale: self.scale,
            mask: self.mask,
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
    cpu::attention_forward(args.inputs(), view, &mut out, probs.as_deref_mut());
    (
        from_vec(out, args.q.layout().shape().clone()),
        probs.map(|p| from_vec(p, Shape::new(scores))),
    )
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
        let (mut dq, mut dk, mut dv) = (
            vec![0.0f32; args.q.layout().num_elements()],
            vec![0.0f32; args.k.layout().num_elements()],
            vec![0.0f32; args.v.layout().num_elements()],
        );
        let mut dbias = node_bias
            .as_ref()
            .map(|_| vec![0.0f32; probs.layout().num_elements()]);
        let out = cpu::AttentionGrads {
            dq: &mut dq,
            dk: &mut dk,
            dv: &mut dv,
            dbias: dbias.as_deref_mut(),
        };
        cpu::attention_backward(args.inputs(), values(&probs), values(&grad), out);
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
            grads.register::<Flex>(node.id, reduce_to_bias(dbias, &shape, &bias_shape));
        }
    }
}
