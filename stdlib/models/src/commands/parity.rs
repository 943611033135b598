//! `clarity parity`: a model against the HF transformers reference of a fixture directory
//! (`config.json`, weights, `expected.json`): eval-mode logits and `last_hidden_state`, then
//! five AdamW steps (losses, step-0 gradients, logits after). The building blocks (reading a
//! fixture, eval differences, the training steps, step-0 gradients) are public for tests.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use burn::module::{AutodiffModule, Module, ModuleVisitor, Param};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamWConfig, GradientsParams, Optimizer};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{DType, Int, Tensor, TensorData};
use clarity_device::Backend as DeviceBackend;
use clarity_engine::fs::read_capped_string;
use serde::{Deserialize, Serialize};

use super::CommandError;
use crate::config::ModelConfig;
use crate::device::{BackendTask, Device};
use crate::{ModelOptions, Precision, SequenceClassifier, ToDType};

/// The most bytes an `expected.json` may have.
pub const MAX_EXPECTED_BYTES: u64 = 256 * 1024 * 1024;

/// A fixture's `expected.json`: HF transformers outputs for its model.
#[derive(Debug, Clone, Deserialize)]
pub struct Expected {
    /// Eval-mode inputs and outputs.
    pub eval_cases: Vec<EvalCase>,
    /// The five-step training reference, when the fixture has one.
    #[serde(default)]
    pub train: Option<TrainReference>,
}

/// One eval-mode batch and HF's outputs for it.
#[derive(Debug, Clone, Deserialize)]
pub struct EvalCase {
    /// `[batch][seq]` token ids.
    pub input_ids: Vec<Vec<i64>>,
    /// `[batch][seq]` 0/1 mask.
    pub attention_mask: Vec<Vec<i64>>,
    /// `[batch][num_labels]`.
    pub logits: Vec<Vec<f64>>,
    /// `[batch][seq][hidden]`.
    pub last_hidden_state: Vec<Vec<Vec<f64>>>,
}

impl EvalCase {
    /// HF's logits, flattened row by row.
    pub fn flat_logits(&self) -> Vec<f64> {
        self.logits.iter().flatten().copied().collect()
    }

    /// HF's `last_hidden_state`, flattened.
    pub fn flat_hidden(&self) -> Vec<f64> {
        self.last_hidden_state
            .iter()
            .flatten()
            .flatten()
            .copied()
            .collect()
    }
}

/// HF's five training steps on the first eval case (train mode, cross entropy, AdamW).
#[derive(Debug, Clone, Deserialize)]
pub struct TrainReference {
    /// One label per row of the first eval case.
    pub labels: Vec<i64>,
    /// The optimizer HF used.
    pub optimizer: OptimizerReference,
    /// The loss before each step.
    pub losses_before_each_step: Vec<f64>,
    /// The global L2 norm of all gradients at step 0.
    pub grad_global_norm_step0: f64,
    /// The classifier's gradients at step 0, by HF parameter name, in HF's layout.
    pub classifier_grads_step0: BTreeMap<String, serde_json::Value>,
    /// Eval-mode logits after the steps.
    pub logits_after_5_steps: Vec<Vec<f64>>,
}

/// `torch.optim.AdamW` settings (weight decay on every parameter).
#[derive(Debug, Clone, Deserialize)]
pub struct OptimizerReference {
    /// Learning rate.
    pub lr: f64,
    /// Beta 1 and beta 2.
    pub betas: [f64; 2],
    /// Epsilon.
    pub eps: f64,
    /// Decoupled weight decay.
    pub weight_decay: f64,
}

impl Expected {
    /// Reads `dir/expected.json` and checks it against the model's config: rectangular
    /// batches of ids in the vocabulary, 0/1 masks, outputs of the model's shapes, labels in
    /// range.
    pub fn load(dir: &Path, config: &ModelConfig) -> Result<Self, CommandError> {
        let path = dir.join("expected.json");
        let not_a_fixture = |message: String| CommandError::Argument {
            arg: "--fixture".into(),
            message: format!("{}: {message}", path.display()),
        };
        if !path.is_file() {
            return Err(not_a_fixture(
                "no such file (a fixture directory holds config.json, the weights and expected.json)"
                    .into(),
            ));
        }
        let text =
            read_capped_string(&path, MAX_EXPECTED_BYTES).map_err(|source| CommandError::Io {
                path: path.clone(),
                source,
            })?;
        let expected: Expected = serde_json::from_str(&text)
            .map_err(|e| not_a_fixture(format!("not an HF reference ({e})")))?;
        expected.check(config).map_err(not_a_fixture)?;
        Ok(expected)
    }

    fn check(&self, config: &ModelConfig) -> Result<(), String> {
        if self.eval_cases.is_empty() {
            return Err("eval_cases is empty".into());
        }
        let (vocab, labels, hidden) = (
            config.vocab_size() as i64,
            config.num_labels(),
            config.hidden_size(),
        );
        for (i, case) in self.eval_cases.iter().enumerate() {
            let batch = case.input_ids.len();
            let seq = case.input_ids.first().map_or(0, Vec::len);
            let rectangular =
                |rows: &[Vec<i64>]| rows.len() == batch && rows.iter().all(|r| r.len() == seq);
            if batch == 0 || seq == 0 || !rectangular(&case.input_ids) {
                return Err(format!(
                    "eval case {i}: input_ids is not a non-empty matrix"
                ));
            }
            if config.max_input_length().is_some_and(|max| seq > max) {
                return Err(format!(
                    "eval case {i}: {seq} tokens exceed the model's positions"
                ));
            }
            if case
                .input_ids
                .iter()
                .flatten()
                .any(|&id| id < 0 || id >= vocab)
            {
                return Err(format!(
                    "eval case {i}: a token id is outside the vocabulary (0..{vocab})"
                ));
            }
            if !rectangular(&case.attention_mask)
                || case
                    .attention_mask
                    .iter()
                    .flatten()
                    .any(|&m| m != 0 && m != 1)
            {
                return Err(format!(
                    "eval case {i}: attention_mask is not a 0/1 matrix of input_ids' shape"
                ));
            }
            if case.logits.len() != batch || case.logits.iter().any(|r| r.len() != labels) {
                return Err(format!("eval case {i}: logits are not [{batch}][{labels}]"));
            }
            let hidden_ok = case.last_hidden_state.len() == batch
                && case
                    .last_hidden_state
                    .iter()
                    .all(|b| b.len() == seq && b.iter().all(|t| t.len() == hidden));
            if !hidden_ok {
                return Err(format!(
                    "eval case {i}: last_hidden_state is not [{batch}][{seq}][{hidden}]"
                ));
            }
        }
        if let Some(train) = &self.train {
            let batch = self.eval_cases[0].input_ids.len();
            if train.labels.len() != batch
                || train.labels.iter().any(|&l| l < 0 || l as usize >= labels)
            {
                return Err(format!(
                    "train.labels must be {batch} labels in 0..{labels} (one per row of eval case 0)"
                ));
            }
            if train.losses_before_each_step.is_empty() {
                return Err("train.losses_before_each_step is empty".into());
            }
            if train.logits_after_5_steps.len() != batch
                || train.logits_after_5_steps.iter().any(|r| r.len() != labels)
            {
                return Err(format!(
                    "train.logits_after_5_steps is not [{batch}][{labels}]"
                ));
            }
        }
        Ok(())
    }
}

/// A `[rows, cols]` int tensor.
pub fn int_tensor<B: Backend>(rows: &[Vec<i64>], device: &B::Device) -> Tensor<B, 2, Int> {
    let cols = rows.first().map_or(0, Vec::len);
    let flat: Vec<i64> = rows.iter().flatten().copied().collect();
    Tensor::from_data(TensorData::new(flat, [rows.len(), cols]), device)
}

/// A float tensor's values as f32 (whatever its precision).
pub fn values<B: Backend, const D: usize>(t: Tensor<B, D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .expect("converted to f32 just above")
}

/// Largest `|actual - expected|`; infinite when the lengths differ or a value is not finite.
pub fn max_abs_diff(actual: &[f32], expected: &[f64]) -> f64 {
    if actual.len() != expected.len() {
        return f64::INFINITY;
    }
    actual
        .iter()
        .zip(expected)
        .map(|(a, e)| {
            let d = (f64::from(*a) - e).abs();
            if d.is_nan() { f64::INFINITY } else { d }
        })
        .fold(0.0, f64::max)
}

/// [`max_abs_diff`] over the largest `|expected|`.
pub fn relative_max_diff(actual: &[f32], expected: &[f64]) -> f64 {
    let scale = expected.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    max_abs_diff(actual, expected) / scale
}

/// How far a model's eval outputs are from HF's on one case.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EvalDiff {
    /// Largest absolute logits difference.
    pub logits: f64,
    /// Largest absolute `last_hidden_state` difference.
    pub hidden: f64,
}

/// Runs `model` on `case` and compares its outputs with HF's.
pub fn eval_diff<B: Backend>(
    model: &SequenceClassifier<B>,
    case: &EvalCase,
    device: &B::Device,
) -> EvalDiff {
    let ids = int_tensor::<B>(&case.input_ids, device);
    let mask = int_tensor::<B>(&case.attention_mask, device);
    let out = model.forward(ids, mask);
    EvalDiff {
        logits: max_abs_diff(&values(out.logits), &case.flat_logits()),
        hidden: max_abs_diff(&values(out.last_hidden_state), &case.flat_hidden()),
    }
}

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

/// The tolerances of a parity check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tolerances {
    /// Eval logits, absolute.
    pub logits: f64,
    /// Eval `last_hidden_state`, absolute.
    pub hidden: f64,
    /// Each training loss, absolute, against HF's (f32) losses.
    pub loss: f64,
    /// Step-0 gradients (global norm, classifier), relative. In f16/bf16 only a sanity bound
    /// (1): half-precision gradients of a tiny model are off by 5-40% of their largest value.
    pub grad: f64,
    /// Logits after the training steps, absolute.
    pub logits_after: f64,
}

impl Tolerances {
    /// The tolerances of `clarity parity` on a backend: [`Self::for_precision`], except f32 on
    /// CUDA, whose f32 matmuls Burn's autotune may run on TF32 tensor cores (10-bit mantissa,
    /// like PyTorch with `torch.backends.cuda.matmul.allow_tf32 = True`). Measured on an H200:
    /// DeBERTa hidden states 1.6e-3 off HF's, RoBERTa step-0 gradients 1.0e-2 relative, where
    /// Vulkan on the same card (plain f32) reached 6e-7.
    pub fn for_run(backend: DeviceBackend, precision: Precision) -> Self {
        match (backend, precision) {
            (DeviceBackend::Cuda, Precision::F32) => Self {
                hidden: 5e-3,
                grad: 3e-2,
                ..Self::for_precision(precision)
            },
            _ => Self::for_precision(precision),
        }
    }

    /// Whether f32 matmuls may run as TF32 on this backend.
    pub fn tf32_matmuls(backend: DeviceBackend, precision: Precision) -> bool {
        backend == DeviceBackend::Cuda && precision == Precision::F32
    }

    /// The defaults of `clarity parity`: looser than the CPU tests' (1e-5 logits, 1e-4 loss)
    /// for GPU reductions, and for half precisions by the loss of mantissa bits.
    pub fn for_precision(precision: Precision) -> Self {
        match precision {
            Precision::F32 => Self {
                logits: 1e-4,
                hidden: 1e-3,
                loss: 1e-3,
                grad: 1e-3,
                logits_after: 1e-3,
            },
            Precision::F16 => Self {
                logits: 1e-2,
                hidden: 5e-2,
                loss: 1e-2,
                grad: 1.0,
                logits_after: 2e-2,
            },
            Precision::Bf16 => Self {
                logits: 5e-2,
                hidden: 2e-1,
                loss: 1e-2,
                grad: 1.0,
                logits_after: 5e-2,
            },
        }
    }
}

/// `clarity parity` arguments.
#[derive(Debug, Clone)]
pub struct ParityArgs {
    /// The fixture directory: `config.json`, weights, `expected.json`.
    pub fixture: PathBuf,
    /// Device name.
    pub device: String,
    /// Model options (attention path, precision).
    pub options: ModelOptions,
    /// Skip the training steps.
    pub forward_only: bool,
}

/// One eval case's result.
#[derive(Debug, Clone, Serialize)]
pub struct EvalCheck {
    /// Index in `eval_cases`.
    pub case: usize,
    /// The differences.
    #[serde(flatten)]
    pub diff: EvalDiff,
    /// Within tolerance.
    pub pass: bool,
}

/// The training steps' result.
#[derive(Debug, Clone, Serialize)]
pub struct TrainCheck {
    /// Our loss before each step.
    pub losses: Vec<f64>,
    /// HF's.
    pub hf_losses: Vec<f64>,
    /// Largest loss difference.
    pub max_loss_diff: f64,
    /// Step-0 gradients against HF's.
    pub grads: GradDiff,
    /// The largest relative step-0 gradient difference ([`GradDiff::max_rel`]).
    pub max_grad_rel: f64,
    /// Largest logits difference after the steps.
    pub logits_after_diff: f64,
    /// Within tolerance.
    pub pass: bool,
}

/// What `clarity parity` prints.
#[derive(Debug, Clone, Serialize)]
pub struct ParityReport {
    /// The fixture directory.
    pub fixture: String,
    /// Resolved device.
    pub device: String,
    /// Float precision.
    pub precision: String,
    /// Attention path asked for.
    pub attention: String,
    /// The tolerances applied.
    pub tolerances: Tolerances,
    /// f32 matmuls may run as TF32 (CUDA), so `tolerances` are TF32's.
    pub tf32_matmuls: bool,
    /// Eval-mode cases.
    pub eval: Vec<EvalCheck>,
    /// Training steps: `None` when skipped or the fixture has no `train` section.
    pub train: Option<TrainCheck>,
    /// Every check within tolerance.
    pub pass: bool,
}

/// Checks the fixture's model on a device against its `expected.json`.
pub fn parity(args: &ParityArgs) -> Result<ParityReport, CommandError> {
    if !args.fixture.is_dir() {
        return Err(CommandError::Argument {
            arg: "--fixture".into(),
            message: format!("{} is not a directory", args.fixture.display()),
        });
    }
    let device = Device::resolve(args.device.parse()?)?;
    device.check_precision(args.options.precision)?;
    let config = ModelConfig::from_dir(&args.fixture)?;
    let expected = Expected::load(&args.fixture, &config)?;
    let tol = Tolerances::for_run(device.backend, args.options.precision);
    let task = ParityTask {
        dir: &args.fixture,
        options: args.options,
        expected: &expected,
        train: !args.forward_only,
    };
    let (diffs, trace) = device.run(task)??;
    let eval: Vec<EvalCheck> = diffs
        .into_iter()
        .enumerate()
        .map(|(case, diff)| EvalCheck {
            case,
            diff,
            pass: diff.logits <= tol.logits && diff.hidden <= tol.hidden,
        })
        .collect();
    let train = trace.zip(expected.train.as_ref()).map(|(trace, hf)| {
        let max_loss_diff = trace
            .losses
            .iter()
            .zip(&hf.losses_before_each_step)
            .map(|(ours, theirs)| (ours - theirs).abs())
            .map(|d| if d.is_nan() { f64::INFINITY } else { d })
            .fold(0.0, f64::max);
        let grads = GradDiff::of(&trace.step0, hf);
        let hf_after: Vec<f64> = hf.logits_after_5_steps.iter().flatten().copied().collect();
        let logits_after_diff = max_abs_diff(&trace.logits_after, &hf_after);
        TrainCheck {
            pass: max_loss_diff <= tol.loss
                && grads.max_rel() <= tol.grad
                && logits_after_diff <= tol.logits_after,
            losses: trace.losses,
            hf_losses: hf.losses_before_each_step.clone(),
            max_loss_diff,
            max_grad_rel: grads.max_rel(),
            grads,
            logits_after_diff,
        }
    });
    let pass = eval.iter().all(|c| c.pass) && train.as_ref().is_none_or(|t| t.pass);
    Ok(ParityReport {
        fixture: args.fixture.display().to_string(),
        device: device.to_string(),
        precision: args.options.precision.to_string(),
        attention: args.options.attention.to_string(),
        tolerances: tol,
        tf32_matmuls: Tolerances::tf32_matmuls(device.backend, args.options.precision),
        eval,
        train,
        pass,
    })
}

struct ParityTask<'a> {
    dir: &'a Path,
    options: ModelOptions,
    expected: &'a Expected,
    train: bool,
}

impl BackendTask for ParityTask<'_> {
    type Output = Result<(Vec<EvalDiff>, Option<TrainTrace>), CommandError>;

    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let load = |options: &ModelOptions| {
            SequenceClassifier::<B>::from_pretrained(self.dir, options, &device)
                .map(|(model, _, _)| model)
                .map_err(CommandError::from)
        };
        let eval_model = load(&self.options)?.valid();
        let diffs = self
            .expected
            .eval_cases
            .iter()
            .map(|case| eval_diff(&eval_model, case, &device))
            .collect();
        let trace = match (&self.expected.train, self.train) {
            (Some(train), true) => {
                let master = load(&self.options.with_precision(Precision::F32))?;
                let case = &self.expected.eval_cases[0];
                let compute = self.options.precision;
                Some(train_steps(master, case, train, compute, &device))
            }
            _ => None,
        };
        Ok((diffs, trace))
    }
}

fn mark(pass: bool) -> &'static str {
    if pass { "ok" } else { "FAIL" }
}

impl fmt::Display for ParityReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tol = &self.tolerances;
        writeln!(
            f,
            "{} on {} ({}{}, {} attention): {}",
            self.fixture,
            self.device,
            self.precision,
            if self.tf32_matmuls {
                " with TF32 matmuls"
            } else {
                ""
            },
            self.attention,
            if self.pass { "PASS" } else { "FAIL" }
        )?;
        for c in &self.eval {
            writeln!(
                f,
                "  eval case {}: logits {:.2e} (tol {:.0e}), hidden {:.2e} (tol {:.0e}) {}",
                c.case,
                c.diff.logits,
                tol.logits,
                c.diff.hidden,
                tol.hidden,
                mark(c.pass)
            )?;
        }
        match &self.train {
            None => writeln!(f, "  training: not checked")?,
            Some(t) => {
                let losses: Vec<String> = t.losses.iter().map(|l| format!("{l:.5}")).collect();
                writeln!(
                    f,
                    "  training: losses [{}], max diff {:.2e} (tol {:.0e}); step-0 grads {:.2e} relative (tol {:.0e}); logits after {:.2e} (tol {:.0e}) {}",
                    losses.join(", "),
                    t.max_loss_diff,
                    tol.loss,
                    t.max_grad_rel,
                    tol.grad,
                    t.logits_after_diff,
                    tol.logits_after,
                    mark(t.pass)
                )?;
                if !t.grads.without_grad.is_empty() {
                    writeln!(f, "  without gradient: {}", t.grads.without_grad.join(", "))?;
                }
            }
        }
        Ok(())
    }
}
