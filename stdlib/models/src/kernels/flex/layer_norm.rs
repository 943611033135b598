//! `LayerNorm(dropout(x + bias) + residual)` as one op.

use burn::backend::Flex;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::tensor::backend::Backend;
use burn::tensor::{Shape, Tensor};

use super::{AdTensor, Kind, cpu, dense, from_vec, kind, prim, seed, tensor, values};

/// `LayerNorm(dropout(x + bias) + residual)` (the caller checked [`applies`](super::applies)).
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
