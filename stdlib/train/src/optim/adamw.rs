use std::collections::BTreeMap;

use burn::module::{AutodiffModule, ModuleMapper, Param};
use burn::tensor::Tensor;
use burn::tensor::backend::{AutodiffBackend, Backend};
use clarity_models::kernels::{self, AdamWStep};
use serde::{Deserialize, Serialize};

use super::decay::DecayPolicy;
use super::gradients::Gradients;

/// Hyperparameters of [`AdamW`] (PyTorch's defaults except the weight decay, which is the
/// fine-tuning default 0.01).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdamWConfig {
    /// Decay rate of the first moment.
    pub beta1: f64,
    /// Decay rate of the second moment.
    pub beta2: f64,
    /// Added to the denominator.
    pub eps: f64,
    /// Decoupled weight decay (multiplied by the learning rate).
    pub weight_decay: f64,
    /// Which parameters are decayed.
    pub decay: DecayPolicy,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        Self {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.01,
            decay: DecayPolicy::ExceptBiasAndNorm,
        }
    }
}

/// The moments of one parameter, flattened.
#[derive(Debug, Clone)]
pub struct AdamWParamState<B: Backend> {
    /// Number of updates this parameter received.
    pub step: u64,
    /// First moment (`exp_avg`).
    pub exp_avg: Tensor<B, 1>,
    /// Second moment (`exp_avg_sq`).
    pub exp_avg_sq: Tensor<B, 1>,
}

/// AdamW with `torch.optim.AdamW` semantics, per parameter with a gradient, at step `t`:
///
/// ```text
/// p  <- p * (1 - lr * wd)                       (only parameters the decay policy selects)
/// m  <- beta1 m + (1 - beta1) g
/// v  <- beta2 v + (1 - beta2) g^2
/// p  <- p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
/// ```
///
/// Parameters without a gradient are left alone (no decay, no step). The state is keyed by the
/// parameter's module path (e.g. `encoder.layer.0.output.dense.weight`), which survives saving
/// and reloading the model, unlike Burn's random parameter ids.
#[derive(Debug, Clone)]
pub struct AdamW<B: Backend> {
    config: AdamWConfig,
    states: BTreeMap<String, AdamWParamState<B>>,
}

impl<B: Backend> AdamW<B> {
    /// A fresh optimiser.
    pub fn new(config: AdamWConfig) -> Self {
        Self {
            config,
            states: BTreeMap::new(),
        }
    }

    /// The hyperparameters.
    pub fn config(&self) -> &AdamWConfig {
        &self.config
    }

    /// The per-parameter states, by module path.
    pub fn states(&self) -> &BTreeMap<String, AdamWParamState<B>> {
        &self.states
    }

    /// Replaces the per-parameter states (when resuming).
    pub fn set_states(&mut self, states: BTreeMap<String, AdamWParamState<B>>) {
        self.states = states;
    }

    /// One update of every parameter of `module` that has a gradient in `grads`.
    pub fn step<AB, M>(&mut self, lr: f64, module: M, mut grads: Gradients<B>) -> M
    where
        AB: AutodiffBackend<InnerBackend = B>,
        M: AutodiffModule<AB>,
    {
        let mut mapper = StepMapper {
            optim: self,
            grads: &mut grads,
            lr,
            path: Vec::new(),
            owners: Vec::new(),
        };
        module.map(&mut mapper)
    }

    fn update(
        &mut self,
        key: String,
        decay: bool,
        lr: f64,
        param: Tensor<B, 1>,
        grad: Tensor<B, 1>,
    ) -> Tensor<B, 1> {
        let previous = self.states.remove(&key);
        let step = AdamWStep {
            lr,
            beta1: self.config.beta1,
            beta2: self.config.beta2,
            eps: self.config.eps,
            weight_decay: decay.then_some(self.config.weight_decay),
            step: previous.as_ref().map_or(1, |s| s.step as i32 + 1),
        };
        let moments = previous.map(|s| (s.exp_avg, s.exp_avg_sq));
        let (updated, exp_avg, exp_avg_sq) = kernels::adamw_update(param, grad, moments, &step);
        let state = AdamWParamState {
            step: step.step as u64,
            exp_avg,
            exp_avg_sq,
        };
        self.states.insert(key, state);
        updated
    }
}

struct StepMapper<'a, B: Backend> {
    optim: &'a mut AdamW<B>,
    grads: &'a mut Gradients<B>,
    lr: f64,
    path: Vec<String>,
    owners: Vec<String>,
}

impl<AB: AutodiffBackend> ModuleMapper<AB> for StepMapper<'_, AB::InnerBackend> {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        self.path.push(name.to_string());
        let owner = container_type
            .split_once(':')
            .map_or(container_type, |(_, ty)| ty);
        self.owners.push(owner.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
        self.owners.pop();
    }

    fn map_float<const D: usize>(&mut self, param: Param<Tensor<AB, D>>) -> Param<Tensor<AB, D>> {
        let (id, tensor, mapper) = param.consume();
        let Some(grad) = self.grads.take(id) else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        let owner = self.owners.last().map_or("", String::as_str);
        let decay = self.optim.config.decay.decays(&self.path, owner);
        let require_grad = tensor.is_require_grad();
        let inner = tensor.inner();
        let shape = inner.shape();
        let flat = inner.reshape([shape.num_elements()]);
        let updated = self
            .optim
            .update(self.path.join("."), decay, self.lr, flat, grad);
        let mut tensor = Tensor::from_inner(updated.reshape(shape));
        if require_grad {
            tensor = tensor.require_grad();
        }
        Param::from_mapped_value(id, tensor, mapper)
    }
}
