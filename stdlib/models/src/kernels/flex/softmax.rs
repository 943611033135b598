//! `dropout(softmax(scores * scale + bias))` as one op.

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
    let view = bias_view(&bias);
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
            grads.register::<Flex>(node.id, reduce_to_bias(ds, &shape, &state.bias_shape));
        }
    }
}
