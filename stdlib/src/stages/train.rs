//! `train`: fine-tune a pre-trained model with the CLARITY heads on tokenized data; writes the
//! best and last checkpoints and the run's reports. An interrupted run resumes from its last
//! checkpoint (kept under `.clarity/resume/`) when run again.

use std::path::PathBuf;
use std::time::Instant;

use clarity_data::tokenize::TokenizedDataset;
use clarity_device::{Attention, Precision};
use clarity_engine::{
    ArtifactKind, OutputSpec, ParamProblem, ParamSpec, ParamType, Params, Stage, StageContext,
    StageSchema, Value,
};
use clarity_train::heads::HeadKind;
use clarity_train::jobs::TrainJob;
use clarity_train::train::{EarlyStopping, Monitor, TrainConfig, TrainPaths, TrainSummary};

use super::placement::RunOn;
use super::train_progress::StageObserver;

/// The `train` stage kind.
#[derive(Debug, Default)]
pub struct Train;

const HEADS: &[&str] = &["hierarchical", "direct", "multitask"];

/// The params, their defaults taken from [`TrainConfig::default`].
fn params() -> Vec<ParamSpec> {
    let d = TrainConfig::default();
    [
        data_params(),
        optimiser_params(&d),
        loss_params(&d),
        stopping_params(&d),
        runtime_params(&d),
    ]
    .concat()
}

/// What is trained, on what.
fn data_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::required(
            "model",
            ParamType::input(ArtifactKind::MODEL),
            "the pre-trained model, e.g. \"weights\"",
        ),
        ParamSpec::with_default(
            "head",
            ParamType::Choice(HEADS),
            Value::from("hierarchical"),
            "hierarchical (9 evasion classes, clarity through the mapping), direct (3 clarity classes) or multitask (both)",
        ),
        ParamSpec::required(
            "data.train",
            ParamType::input(ArtifactKind::TOKENS),
            "training records, e.g. \"tokens.train\"",
        ),
        ParamSpec::optional(
            "data.validation",
            ParamType::input(ArtifactKind::TOKENS),
            "validation records: scored after every epoch, pick the best checkpoint",
        ),
    ]
}

/// Batches, AdamW and its schedule.
fn optimiser_params(d: &TrainConfig) -> Vec<ParamSpec> {
    vec![
        ParamSpec::with_default(
            "epochs",
            ParamType::int_at_least(1),
            Value::Int(d.epochs as i64),
            "passes over the training data",
        ),
        ParamSpec::with_default(
            "batch-size",
            ParamType::int_at_least(1),
            Value::Int(d.batch_size as i64),
            "records per micro-batch",
        ),
        ParamSpec::with_default(
            "grad-accum",
            ParamType::int_at_least(1),
            Value::Int(d.grad_accum as i64),
            "micro-batches per optimiser step (gradients averaged)",
        ),
        ParamSpec::with_default(
            "eval-batch-size",
            ParamType::int_at_least(1),
            Value::Int(d.eval_batch_size as i64),
            "records per forward pass in validation",
        ),
        ParamSpec::with_default(
            "lr",
            ParamType::POSITIVE,
            Value::Float(d.lr),
            "peak learning rate of AdamW",
        ),
        ParamSpec::with_default(
            "weight-decay",
            ParamType::float_at_least(0.0),
            Value::Float(d.weight_decay),
            "decoupled weight decay (not on biases and layer norms)",
        ),
        ParamSpec::with_default(
            "warmup-ratio",
            ParamType::float_in(0.0, 1.0),
            Value::Float(d.warmup_ratio),
            "fraction of the steps warming up linearly from 0 (then linear decay to 0)",
        ),
        ParamSpec::with_default(
            "max-grad-norm",
            ParamType::float_at_least(0.0),
            Value::Float(d.max_grad_norm.unwrap_or(0.0)),
            "global gradient-norm clipping threshold; 0 turns clipping off",
        ),
        ParamSpec::with_default(
            "seed",
            ParamType::int_at_least(0),
            Value::Int(d.seed as i64),
            "seed of head initialisation, data order and dropout",
        ),
    ]
}

/// The objective and regularisation.
fn loss_params(d: &TrainConfig) -> Vec<ParamSpec> {
    vec![
        ParamSpec::with_default(
            "label-smoothing",
            ParamType::float_in(0.0, 0.99),
            Value::Float(d.label_smoothing),
            "label smoothing of the cross-entropy",
        ),
        ParamSpec::with_default(
            "class-weights",
            ParamType::Bool,
            Value::Bool(d.class_weights),
            "weight classes by inverse frequency, total / (classes * count)",
        ),
        ParamSpec::with_default(
            "focal-loss",
            ParamType::Bool,
            Value::Bool(d.focal_gamma.is_some()),
            "use the focal loss instead of the cross-entropy",
        ),
        ParamSpec::with_default(
            "focal-gamma",
            ParamType::float_at_least(0.0),
            Value::Float(TrainConfig::FOCAL_GAMMA),
            "the focal loss's gamma",
        ),
        ParamSpec::with_default(
            "alpha",
            ParamType::float_in(0.0, 1.0),
            Value::Float(d.alpha),
            "multitask: weight of the evasion loss (clarity gets 1 - alpha)",
        ),
        ParamSpec::with_default(
            "consistency-beta",
            ParamType::float_at_least(0.0),
            Value::Float(d.beta),
            "multitask: weight of the KL consistency term",
        ),
        ParamSpec::with_default(
            "dropout",
            ParamType::float_in(0.0, 0.99),
            Value::Float(TrainJob::DROPOUT),
            "dropout of the encoder (hidden and attention) and before the heads",
        ),
    ]
}

/// The best checkpoint and early stopping.
fn stopping_params(d: &TrainConfig) -> Vec<ParamSpec> {
    let stopping = d.early_stopping.unwrap_or(EarlyStopping {
        patience: 0,
        min_delta: 0.0,
    });
    vec![
        ParamSpec::optional(
            "early-stopping.metric",
            ParamType::Choice(&Monitor::NAMES),
            "validation metric of the best checkpoint and early stopping (default: evasion-macro-f1, clarity-macro-f1 for the direct head)",
        ),
        ParamSpec::with_default(
            "early-stopping.patience",
            ParamType::int_at_least(0),
            Value::Int(stopping.patience as i64),
            "epochs without improvement before stopping; 0 never stops early",
        ),
        ParamSpec::with_default(
            "early-stopping.min-delta",
            ParamType::float_at_least(0.0),
            Value::Float(stopping.min_delta),
            "the smallest change that counts as an improvement",
        ),
    ]
}

/// Batching, checkpoints, logging and the device.
fn runtime_params(d: &TrainConfig) -> Vec<ParamSpec> {
    vec![
        ParamSpec::with_default(
            "length-bucketing",
            ParamType::Bool,
            Value::Bool(d.length_bucketing),
            "batch records of similar length together (less padding)",
        ),
        ParamSpec::optional(
            "pad-to-multiple-of",
            ParamType::int_at_least(1),
            "pad each batch to a multiple of this length",
        ),
        ParamSpec::optional(
            "checkpoint-every",
            ParamType::int_at_least(1),
            "also keep a resumable checkpoint every this many optimiser steps",
        ),
        ParamSpec::with_default(
            "log-every",
            ParamType::int_at_least(1),
            Value::Int(d.log_every as i64),
            "optimiser steps between log lines",
        ),
        ParamSpec::with_default(
            "precision",
            ParamType::Choice(&Precision::REQUEST_NAMES),
            Value::from("auto"),
            "compute precision (master weights stay f32); the device policies decide what `auto` means",
        ),
        ParamSpec::with_default(
            "attention",
            ParamType::Choice(&Attention::NAMES),
            Value::from("auto"),
            "attention implementation",
        ),
        ParamSpec::with_default(
            "resume",
            ParamType::Bool,
            Value::Bool(true),
            "continue an interrupted run from its last checkpoint",
        ),
    ]
}

/// The training settings of the stage's params.
pub fn train_config(
    params: &Params,
    head: HeadKind,
    precision: Precision,
) -> miette::Result<TrainConfig> {
    let metric = params
        .opt_str("early-stopping.metric")
        .unwrap_or(match head {
            HeadKind::Direct => "clarity-macro-f1",
            _ => "evasion-macro-f1",
        });
    let monitor =
        Monitor::named(metric).ok_or_else(|| miette::miette!("unknown metric `{metric}`"))?;
    let patience = params.get_usize("early-stopping.patience")?;
    let min_delta = params.get_f64("early-stopping.min-delta")?;
    let max_grad_norm = params.get_f64("max-grad-norm")?;
    Ok(TrainConfig {
        epochs: params.get_usize("epochs")?,
        batch_size: params.get_usize("batch-size")?,
        grad_accum: params.get_usize("grad-accum")?,
        eval_batch_size: params.get_usize("eval-batch-size")?,
        lr: params.get_f64("lr")?,
        weight_decay: params.get_f64("weight-decay")?,
        warmup_ratio: params.get_f64("warmup-ratio")?,
        max_grad_norm: (max_grad_norm > 0.0).then_some(max_grad_norm),
        label_smoothing: params.get_f64("label-smoothing")?,
        class_weights: params.get_bool("class-weights")?,
        focal_gamma: params
            .get_bool("focal-loss")?
            .then(|| params.get_f64("focal-gamma"))
            .transpose()?,
        alpha: params.get_f64("alpha")?,
        beta: params.get_f64("consistency-beta")?,
        seed: params.get_i64("seed")?.unsigned_abs(),
        monitor,
        early_stopping: (patience > 0).then_some(EarlyStopping {
            patience,
            min_delta,
        }),
        length_bucketing: params.get_bool("length-bucketing")?,
        pad_to_multiple_of: params.opt_usize("pad-to-multiple-of")?,
        checkpoint_every: params.opt_usize("checkpoint-every")?.map(|v| v as u64),
        log_every: params.get_usize("log-every")? as u64,
        precision,
        ..TrainConfig::default()
    })
}

/// A directory that outlives a killed run: `.clarity/resume/<the stage's fingerprint>` (the
/// fingerprint covers the params and, through upstream fingerprints, the inputs).
fn resume_dir(ctx: &StageContext<'_>) -> PathBuf {
    ctx.project_dir()
        .join(".clarity")
        .join("resume")
        .join(ctx.fingerprint())
}

impl Stage for Train {
    fn schema(&self) -> StageSchema {
        StageSchema {
            kind: "train",
            version: 2,
            summary: "Fine-tune a model with CLARITY heads (AdamW, warmup/decay, early stopping, resumable)",
            params: params(),
            outputs: vec![
                OutputSpec::new(
                    "best",
                    ArtifactKind::CHECKPOINT,
                    "the best checkpoint by the validation metric: config.json, model.safetensors, heads.safetensors, head.json, tokenizer files",
                ),
                OutputSpec::new(
                    "last",
                    ArtifactKind::CHECKPOINT,
                    "the checkpoint at the end of training",
                ),
                OutputSpec::new(
                    "metrics",
                    ArtifactKind::METRICS,
                    "metrics.json (per epoch), train.log, learning_curves.svg",
                ),
            ],
            rules: Vec::new(),
            uses_device: true,
        }
    }

    fn check(&self, params: &Params) -> Vec<ParamProblem> {
        let head = params.get_parsed::<HeadKind>("head");
        match (head, params.opt_str("early-stopping.metric")) {
            (Ok(head), Some(metric))
                if !head.has_evasion_head() && metric.starts_with("evasion") =>
            {
                vec![ParamProblem::new(
                    "early-stopping.metric",
                    None,
                    format!(
                        "the {head} head predicts no evasion labels, so validation has no `{metric}`"
                    ),
                    "monitor clarity-macro-f1, clarity-accuracy or loss, or use the hierarchical or multitask head",
                )]
            }
            _ => Vec::new(),
        }
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        clarity_train::fault::install(clarity_engine::fault::point);
        let params = ctx.params();
        let head: HeadKind = params.get_parsed("head")?;
        let RunOn {
            device,
            precision,
            attention,
        } = RunOn::from_placement(ctx.placement())?;
        let config = train_config(params, head, precision)?;
        let dropout = params.get_f64("dropout")?;
        let resume = params.get_bool("resume")?.then(|| resume_dir(ctx));
        let model_dir = ctx.input("model")?.to_path_buf();
        let model_name = match ctx.inputs("model") {
            [input] => format!("the model of `{}`", input.reference),
            _ => "the model".to_owned(),
        };
        let train = TokenizedDataset::open(ctx.input("data.train")?)?;
        let validation = ctx
            .opt_input("data.validation")
            .map(TokenizedDataset::open)
            .transpose()?;
        let paths = TrainPaths {
            best: ctx.output_dir("best")?.to_path_buf(),
            last: ctx.output_dir("last")?.to_path_buf(),
            reports: ctx.output_dir("metrics")?.to_path_buf(),
            resume,
        };
        let records = match &validation {
            Some(v) => format!(
                "{} training records, {} validation records",
                train.len(),
                v.len()
            ),
            None => format!("{} training records", train.len()),
        };
        ctx.info(&format!("{head} head on {device} ({precision}): {records}"));
        let logs_dir = ctx.live_logs_dir();
        let started = Instant::now();
        let outcome = {
            let mut observer = StageObserver::new(ctx, logs_dir);
            let job = TrainJob {
                model_dir: &model_dir,
                model_name: &model_name,
                train: &train,
                validation: validation.as_ref(),
                head,
                dropout,
                attention,
                config,
                paths,
                observer: &mut observer,
            };
            device.run(job)??
        };
        for warning in &outcome.load_warnings {
            ctx.warn(warning);
        }
        report(ctx, &outcome.summary, started.elapsed().as_secs_f64());
        Ok(())
    }
}

/// The run's metrics into the manifest, and its summary line.
fn report(ctx: &mut StageContext<'_>, summary: &TrainSummary, seconds: f64) {
    ctx.record_metric("train.steps", summary.steps as f64);
    ctx.record_metric("train.samples_per_s", summary.samples_per_second);
    ctx.record_metric("train.seconds", seconds);
    if let Some((value, epoch)) = summary.best {
        ctx.record_metric("train.best", value);
        ctx.record_metric("train.best_epoch", epoch as f64);
    }
    if let Some(last) = summary.history.last() {
        for (name, value) in &last.validation {
            ctx.record_metric(format!("validation.{name}"), *value);
        }
    }
    if let Some(step) = summary.resumed_at {
        ctx.record("train.resumed_at_step", step.into());
    }
    ctx.info(&format!(
        "{} steps in {seconds:.1}s ({:.1} samples/s){}",
        summary.steps,
        summary.samples_per_second,
        summary.best.map_or(String::new(), |(v, e)| format!(
            ", best {v:.4} at epoch {e}"
        ))
    ));
}
