//! `gelu(x + bias)` as one op.

use burn::backend::Flex;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::tensor::backend::Backend;
use burn::tensor::{Shape, Tensor};

use super::{AdTensor, Kind, cpu, dense, from_vec, kind, prim, tensor, values};

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
