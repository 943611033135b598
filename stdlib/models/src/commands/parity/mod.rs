//! `clarity parity`: a model against the HF transformers reference of a fixture directory
//! (`config.json`, weights, `expected.json`): eval-mode logits and `last_hidden_state`, then
//! five AdamW steps (losses, step-0 gradients, logits after). The building blocks (reading a
//! fixture, eval differences, the training steps, step-0 gradients) are public for tests.
//!
//! `fixture` reads the reference, `eval` and `training` compare the model with it,
//! `report` holds the tolerances and what is printed.

mod eval;
mod fixture;
mod report;
mod training;

use std::path::{Path, PathBuf};

use burn::module::AutodiffModule;
use burn::tensor::backend::AutodiffBackend;

pub use eval::{EvalDiff, eval_diff, int_tensor, max_abs_diff, relative_max_diff, values};
pub use fixture::{EvalCase, Expected, MAX_EXPECTED_BYTES, OptimizerReference, TrainReference};
pub use report::{EvalCheck, ParityReport, Tolerances, TrainCheck};
pub use training::{
    GradDiff, ParamGrads, TrainTrace, collect_grads, hf_grad_in_burn_layout, train_steps,
};

use super::CommandError;
use crate::config::ModelConfig;
use crate::device::{BackendTask, Device};
use crate::{ModelOptions, Precision, SequenceClassifier};

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
        .map(|(case, diff)| EvalCheck::of(case, diff, &tol))
        .collect();
    let train = trace
        .zip(expected.train.as_ref())
        .map(|(trace, hf)| TrainCheck::of(trace, hf, &tol));
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
