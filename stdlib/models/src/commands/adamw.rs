//! The bench's optimiser: `torch.optim.AdamW` as `pytorch_bench.py` runs it (weight decay
//! 0.01 on every parameter), through [`kernels::adamw_update`], the update the training
//! stage's optimiser makes, wrapped as a Burn [`SimpleOptimizer`].

use burn::optim::SimpleOptimizer;
use burn::optim::adaptor::OptimizerAdaptor;
use burn::record::Record;
use burn::tensor::Tensor;
use burn::tensor::backend::{AutodiffBackend, Backend};

use crate::kernels::{self, AdamWStep};

/// `torch.optim.AdamW(params, lr, weight_decay=0.01)`.
#[derive(Clone, Copy, Debug)]
pub struct TorchAdamW;

impl TorchAdamW {
    /// The optimiser for module `M` on the autodiff backend `B`.
    pub fn init<B: AutodiffBackend, M: burn::module::AutodiffModule<B>>(
        self,
    ) -> OptimizerAdaptor<Self, M, B> {
        self.into()
    }
}

/// One parameter's moments and update count.
#[derive(Record, Clone)]
pub struct TorchAdamWState<B: Backend, const D: usize> {
    exp_avg: Tensor<B, D>,
    exp_avg_sq: Tensor<B, D>,
    step: usize,
}

impl<B: Backend> SimpleOptimizer<B> for TorchAdamW {
    type State<const D: usize> = TorchAdamWState<B, D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        tensor: Tensor<B, D>,
        grad: Tensor<B, D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<B, D>, Option<Self::State<D>>) {
        let shape = tensor.shape();
        let n = shape.num_elements();
        let step = AdamWStep {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: Some(0.01),
            step: state.as_ref().map_or(1, |s| s.step as i32 + 1),
        };
        let moments = state.map(|s| (s.exp_avg.reshape([n]), s.exp_avg_sq.reshape([n])));
        let (param, exp_avg, exp_avg_sq) =
            kernels::adamw_update(tensor.reshape([n]), grad.reshape([n]), moments, &step);
        let state = TorchAdamWState {
            exp_avg: exp_avg.reshape(shape.clone()),
            exp_avg_sq: exp_avg_sq.reshape(shape.clone()),
            step: step.step as usize,
        };
        (param.reshape(shape), Some(state))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &B::Device) -> Self::State<D> {
        TorchAdamWState {
            exp_avg: state.exp_avg.to_device(device),
            exp_avg_sq: state.exp_avg_sq.to_device(device),
            step: state.step,
        }
    }
}
