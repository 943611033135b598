//! DeBERTa's disentangled attention bias as one op.

use std::sync::Arc;

use burn::backend::Flex;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::tensor::backend::Backend;
use burn::tensor::{Shape, Tensor};

use super::{AdTensor, Kind, bias_view, cpu, dense, from_vec, kind, prim, tensor, values};
use crate::kernels::{DisentangledBias, RelativeGather};

/// `c2p / scale + p2c / scale + mask`, `[batch, heads, seq, seq]` (see
/// [`crate::kernels::disentangled_bias`]).
pub fn disentangled_bias<B: Backend>(inputs: DisentangledBias<B>) -> Tensor<B, 4> {
    let DisentangledBias {
        q,
        k,
        pos_key,
        pos_query,
        gather,
        heads,
        scale,
        mask,
    } = inputs;
    let [batch, _, _] = q.dims();
    let scale = scale as f32;
    match kind::<B>(q.dtype()).expect("applies() was checked") {
        Kind::Plain => {
            let args = Args {
                q: dense(prim::<B, _, 3>(q)),
                k: dense(prim::<B, _, 3>(k)),
                pos_key: dense(prim::<B, _, 2>(pos_key)),
                pos_query: dense(prim::<B, _, 2>(pos_query)),
                gather,
                batch,
                heads,
                scale,
            };
            tensor::<B, _, 4>(forward(&args, prim::<B, _, 4>(mask)))
        }
        Kind::Autodiff => {
            let q: AdTensor = prim::<B, _, 3>(q);
            let k: AdTensor = prim::<B, _, 3>(k);
            let pos_key: AdTensor = prim::<B, _, 2>(pos_key);
            let pos_query: AdTensor = prim::<B, _, 2>(pos_query);
            let mask: AdTensor = prim::<B, _, 4>(mask);
            let nodes = [&q, &k, &pos_key, &pos_query].map(|t| t.node.clone());
            let args = Args {
                q: dense(q.primitive),
                k: dense(k.primitive),
                pos_key: dense(pos_key.primitive),
                pos_query: dense(pos_query.primitive),
                gather,
                batch,
                heads,
                scale,
            };
            let out = match DisentangledBackward
                .prepare::<NoCheckpointing>(nodes)
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(prep) => {
                    let out = forward(&args, mask.primitive);
                    prep.finish(args, out)
                }
                OpsKind::UnTracked(prep) => prep.finish(forward(&args, mask.primitive)),
            };
            tensor::<B, _, 4>(out)
        }
    }
}

/// The op's inputs (all but the mask), kept for the backward.
#[derive(Debug, Clone)]
struct Args {
    q: FlexTensor,
    k: FlexTensor,
    pos_key: FlexTensor,
    pos_query: FlexTensor,
    gather: Arc<RelativeGather>,
    batch: usize,
    heads: usize,
    scale: f32,
}

impl Args {
    fn inputs(&self) -> cpu::DisentangledInputs<'_> {
        cpu::DisentangledInputs {
            batch: self.batch,
            heads: self.heads,
            q: values(&self.q),
            k: values(&self.k),
            pos_key: Some(values(&self.pos_key)),
            pos_query: Some(values(&self.pos_query)),
            gather: &self.gather,
            scale: self.scale,
        }
    }
}

fn forward(args: &Args, mask: FlexTensor) -> FlexTensor {
    let mask = dense(mask);
    let out = cpu::disentangled_forward(args.inputs(), bias_view(&mask));
    let seq = args.gather.seq;
    from_vec(out, Shape::new([args.batch, args.heads, seq, seq]))
}

#[derive(Debug)]
struct DisentangledBackward;

impl Backward<Flex, 4> for DisentangledBackward {
    type State = Args;

    fn backward(self, ops: Ops<Self::State, 4>, grads: &mut Gradients, _: &mut Checkpointer) {
        let grad = dense(grads.consume::<Flex>(&ops.node));
        let args = ops.state;
        let d = cpu::disentangled_backward(args.inputs(), values(&grad));
        let [q, k, pos_key, pos_query] = ops.parents;
        let parts = [
            (q, Some(d.dq), &args.q),
            (k, Some(d.dk), &args.k),
            (pos_key, d.dpos_key, &args.pos_key),
            (pos_query, d.dpos_query, &args.pos_query),
        ];
        for (node, value, like) in parts {
            if let (Some(node), Some(value)) = (node, value) {
                grads.register::<Flex>(node.id, from_vec(value, like.layout().shape().clone()));
            }
        }
    }
}
