//! The five AdamW steps against HF's: training, step-0 gradients and their differences.

use std::collections::BTreeMap;

use burn::module::{AutodiffModule, Module, ModuleVisitor, Param};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamWConfig, GradientsParams, Optimizer};
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::{DType, Int, Tensor, TensorData};
use serde::Serialize;

use super::{EvalCase, TrainReference, int_tensor, relative_max_diff, values};
use crate::{Precision, SequenceClassifier, ToDType};

/// The gradients of a model's float parameters, keyed by Burn module path.
#[derive(Debug, Clone, Default)]
pub struct ParamGrads {
    /// `(path, values)` of every parameter with a gradient.
    pub grads: Vec<(String, Vec<f32>)>,
    /// Paths of the parameters without one.
    pub without_grad: Vec<String>,
}

impl ParamGrads {
    /// Collects the gradients of `model`'s parameters from a backward pass.
    pub fn collect<B: AutodiffBackend>(
        model: &SequenceClassifier<B>,
        grads: &B::Gradients,
    ) -> Self {
        collect_grads(model, grads, true).0
    }

    /// The global L2 norm of all gradients.
    pub fn global_norm(&self) -> f64 {
        self.grads
            .iter()
            .flat_map(|(_, g)| g.iter().map(|v| f64::from(*v).powi(2)))
            .sum::<f64>()
            .sqrt()
    }

    /// The gradient of the parameter at a Burn module path.
    pub fn get(&self, path: &str) -> Option<&[f32]> {
        self.grads
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, g)| g.as_slice())
    }
}

/// The gradients of `model`'s parameters cast to f32, for the optimizer (keyed by parameter
/// id) and, when `record`, as values by path.
pub fn collect_grads<B: AutodiffBackend>(
    model: &SequenceClassifier<B>,
    grads: &B::Gradients,
    record: bool,
) -> (ParamGrads, GradientsParams) {
    let mut collector = GradCollector::<B> {
        grads,
        record,
        path: Vec::new(),
        out: ParamGrads::default(),
        params: GradientsParams::new(),
    };
    model.visit(&mut collector);
    (collector.out, collector.params)
}

struct GradCollector<'a, B: AutodiffBackend> {
    grads: &'a B::Gradients,
    record: bool,
    path: Vec<String>,
    out: ParamGrads,
    params: GradientsParams,
}

impl<B: AutodiffBackend> ModuleVisitor<B> for GradCollector<'_, B> {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        if !container_type.starts_with("Enum:") {
            self.path.push(name.to_string());
        }
    }

    fn exit_module(&mut self, _name: &str, container_type: &str) {
        if !container_type.starts_with("Enum:") {
            self.path.pop();
        }
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        let path = self.path.join(".");
        match param.val().grad(self.grads) {
            Some(grad) => {
                let grad = if grad.dtype() == DType::F32 {
                    grad
                } else {
                    grad.cast(DType::F32)
                };
                if self.record {
                    self.out.grads.push((path, values(grad.clone())));
                }
                self.params.register(param.id, grad);
            }
            None => self.out.without_grad.push(path),
        }
    }
}

/// Step-0 gradients against HF's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradDiff {
    /// Relative difference of the global gradient norm.
    pub global_norm_rel: f64,
    /// Relative max difference of each classifier gradient, by HF name (infinite when the
    /// model has no such parameter).
    pub classifier_rel: BTreeMap<String, f64>,
    /// Parameters without a gradient.
    pub without_grad: Vec<String>,
}

impl GradDiff {
    /// Compares collected gradients with the reference's.
    pub fn of(grads: &ParamGrads, train: &TrainReference) -> Self {
        let hf_norm = train.grad_global_norm_step0;
        let classifier_rel = train
            .classifier_grads_step0
            .iter()
            .map(|(hf_key, hf_grad)| {
                let path = crate::weights::hf_to_burn(hf_key);
                let rel = match (grads.get(&path), hf_grad_in_burn_layout(hf_grad)) {
                    (Some(grad), Some(hf)) => relative_max_diff(grad, &hf),
                    _ => f64::INFINITY,
                };
                (hf_key.clone(), rel)
            })
            .collect();
        Self {
            global_norm_rel: ((grads.global_norm() - hf_norm) / hf_norm).abs(),
            classifier_rel,
            without_grad: grads.without_grad.clone(),
        }
    }

    /// The largest relative difference (infinite when a parameter has no gradient).
    pub fn max_rel(&self) -> f64 {
        if !self.without_grad.is_empty() {
            return f64::INFINITY;
        }
        self.classifier_rel
            .values()
            .copied()
            .fold(self.global_norm_rel, f64::max)
    }
}

/// An HF gradient (a vector, or a matrix in `[out, in]` layout) in Burn's layout (Linear
/// weights transposed), flattened; `None` when it is neither.
pub fn hf_grad_in_burn_layout(value: &serde_json::Value) -> Option<Vec<f64>> {
    if let Ok(rows) = serde_json::from_value::<Vec<Vec<f64>>>(value.clone()) {
        let (r, c) = (rows.len(), rows.first().map_or(0, Vec::len));
        if rows.iter().any(|row| row.len() != c) {
            return None;
        }
        Some(
            (0..c)
                .flat_map(|j| rows.iter().map(move |row| row[j]))
                .collect::<Vec<_>>(),
        )
        .filter(|v| v.len() == r * c)
    } else {
        serde_json::from_value(value.clone()).ok()
    }
}

/// What the training steps produced.
#[derive(Debug, Clone)]
pub struct TrainTrace {
    /// The loss before each step.
    pub losses: Vec<f64>,
    /// The step-0 gradients.
    pub step0: ParamGrads,
    /// Eval-mode logits after the steps, flattened.
    pub logits_after: Vec<f32>,
}

/// Trains `model` (f32 master weights) as the reference did: on the first eval case with its
/// labels, one AdamW step (the reference's settings) per reference loss. With a half
/// `compute` precision, each step runs forward and backward on a copy cast to it and steps
/// the master with the gradients cast back, as clarity-train's trainer does; the loss is
/// computed in f32.
pub fn train_steps<B: AutodiffBackend>(
    mut model: SequenceClassifier<B>,
    case: &EvalCase,
    train: &TrainReference,
    compute: Precision,
    device: &B::Device,
) -> TrainTrace {
    let ids = int_tensor::<B>(&case.input_ids, device);
    let mask = int_tensor::<B>(&case.attention_mask, device);
    let n = train.labels.len();
    let targets =
        Tensor::<B, 1, Int>::from_data(TensorData::new(train.labels.clone(), [n]), device);
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let opt = &train.optimizer;
    let mut optim = AdamWConfig::new()
        .with_beta_1(opt.betas[0] as f32)
        .with_beta_2(opt.betas[1] as f32)
        .with_epsilon(opt.eps as f32)
        .with_weight_decay(opt.weight_decay as f32)
        .init::<B, SequenceClassifier<B>>();
    let mut losses = Vec::new();
    let mut step0 = ParamGrads::default();
    for step in 0..train.losses_before_each_step.len() {
        let half = (compute != Precision::F32)
            .then(|| crate::nn::cast_float_params(model.clone(), compute.dtype()));
        let computing = half.as_ref().unwrap_or(&model);
        let logits = computing
            .forward(ids.clone(), mask.clone())
            .logits
            .cast(DType::F32);
        let loss = loss_fn.forward(logits, targets.clone());
        losses.push(f64::from(values(loss.clone())[0]));
        let grads = loss.backward();
        let (recorded, params) = collect_grads(computing, &grads, step == 0);
        if step == 0 {
            step0 = recorded;
        }
        model = optim.step(opt.lr, model, params);
    }
    let logits = model.valid().forward(ids.inner(), mask.inner()).logits;
    TrainTrace {
        losses,
        step0,
        logits_after: values(logits),
    }
}
