//! The dense layer `x·w + bias` as one op.

use burn::backend::Flex;
use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::tensor::backend::Backend;
use burn::tensor::{Shape, Tensor};

use super::{AdTensor, Kind, cpu, dense, from_vec, kind, prim, tensor, values};

/// `x·w (+ bias)` for `x` `[rows, d_in]`, `w` `[d_in, d_out]`, `bias` `[d_out]`.
pub fn linear<B: Backend>(
    x: Tensor<B, 2>,
    w: Tensor<B, 2>,
    bias: Option<Tensor<B, 1>>,
) -> Tensor<B, 2> {
    match kind::<B>(x.dtype()).expect("applies() was checked") {
        Kind::Plain => {
            let (x, w) = (dense(prim::<B, _, 2>(x)), dense(prim::<B, _, 2>(w)));
            let bias = bias.map(|b| dense(prim::<B, FlexTensor, 1>(b)));
            tensor::<B, _, 2>(forward(&x, &w, bias.as_ref()))
        }
        Kind::Autodiff => {
            let x: AdTensor = prim::<B, _, 2>(x);
            let w: AdTensor = prim::<B, _, 2>(w);
            let out = match bias.map(prim::<B, AdTensor, 1>) {
                Some(bias) => track([&x, &w, &bias], Some(dense(bias.primitive.clone()))),
                None => track([&x, &w], None),
            };
            tensor::<B, _, 2>(out)
        }
    }
}

/// The forward on the graph, with `parents` `x`, `w`, then the bias when there is one.
fn track<const N: usize>(parents: [&AdTensor; N], bias: Option<FlexTensor>) -> AdTensor
where
    LinearBackward: Backward<Flex, N, State = LinearState>,
{
    let state = LinearState {
        x: dense(parents[0].primitive.clone()),
        w: dense(parents[1].primitive.clone()),
    };
    let out = forward(&state.x, &state.w, bias.as_ref());
    match LinearBackward
        .prepare::<NoCheckpointing>(parents.map(|t| t.node.clone()))
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => prep.finish(state, out),
        OpsKind::UnTracked(prep) => prep.finish(out),
    }
}

fn matrix(t: &FlexTensor) -> cpu::Matrix<'_> {
    cpu::Matrix {
        data: values(t),
        cols: t.layout().shape()[1],
    }
}

fn forward(x: &FlexTensor, w: &FlexTensor, bias: Option<&FlexTensor>) -> FlexTensor {
    let (rows, d_out) = (x.layout().shape()[0], w.layout().shape()[1]);
    let y = cpu::linear_forward(matrix(x), matrix(w), bias.map(values));
    from_vec(y, Shape::new([rows, d_out]))
}

/// What the backward reads: the layer's input and weight.
#[derive(Debug, Clone)]
struct LinearState {
    x: FlexTensor,
    w: FlexTensor,
}

#[derive(Debug)]
struct LinearBackward;

impl LinearBackward {
    /// Registers the gradients of the parents that have a node: `x`, `w`, then `bias`.
    fn register(
        state: LinearState,
        grad: FlexTensor,
        parents: [Option<NodeId>; 3],
        grads: &mut Gradients,
    ) {
        let [x_id, w_id, bias_id] = parents;
        let wanted = (x_id.is_some(), w_id.is_some(), bias_id.is_some());
        let cpu::LinearGrads { dx, dw, dbias } =
            cpu::linear_backward(matrix(&state.x), matrix(&state.w), matrix(&grad), wanted);
        let shapes = [
            state.x.layout().shape().clone(),
            state.w.layout().shape().clone(),
            Shape::new([grad.layout().shape()[1]]),
        ];
        for ((id, d), shape) in [(x_id, dx), (w_id, dw), (bias_id, dbias)]
            .into_iter()
            .zip(shapes)
        {
            if let (Some(id), Some(d)) = (id, d) {
                grads.register::<Flex>(id, from_vec(d, shape));
            }
        }
    }
}

impl Backward<Flex, 3> for LinearBackward {
    type State = LinearState;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let grad = dense(grads.consume::<Flex>(&ops.node));
        let parents = ops.parents.map(|p| p.map(|node| node.id));
        Self::register(ops.state, grad, parents, grads);
    }
}

impl Backward<Flex, 2> for LinearBackward {
    type State = LinearState;

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let grad = dense(grads.consume::<Flex>(&ops.node));
        let [x, w] = ops.parents.map(|p| p.map(|node| node.id));
        Self::register(ops.state, grad, [x, w, None], grads);
    }
}
