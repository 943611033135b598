//! `train`: fine-tune a pre-trained model with the CLARITY heads on tokenized data; writes the
//! best and (unless `keep-checkpoints "best"`) last checkpoints and the run's reports, and
//! warns when the best epoch's validation predictions look collapsed. An interrupted run
//! resumes from its last checkpoint (kept under `.clarity/resume/`) when run again.

use std::time::Instant;

use clarity_data::tokenize::TokenizedDataset;
use clarity_engine::{
    ArtifactKind, OutputSpec, ParamProblem, Params, Stage, StageContext, StageSchema,
};
use clarity_train::heads::HeadKind;
use clarity_train::jobs::TrainJob;
use clarity_train::train::{TrainPaths, TrainSummary};

use super::placement::RunOn;
use super::train_params::{keeps_last, params, train_config};
use super::train_progress::StageObserver;

/// The `train` stage kind.
#[derive(Debug, Default)]
pub struct Train;

impl Stage for Train {
    fn schema(&self) -> StageSchema {
        StageSchema {
            kind: "train",
            // 3: single heads are HF's classification heads; every weight in model.safetensors.
            version: 3,
            summary: "Fine-tune a model with CLARITY heads (AdamW, warmup/decay, early stopping, resumable)",
            params: params(),
            outputs: vec![
                OutputSpec::new(
                    "best",
                    ArtifactKind::CHECKPOINT,
                    "the best checkpoint by the validation metric: config.json (with the head's labels), model.safetensors (every weight, HF names), head.json, clarity_template.json, tokenizer files",
                ),
                OutputSpec::new(
                    "last",
                    ArtifactKind::CHECKPOINT,
                    "the checkpoint at the end of training (none with keep-checkpoints \"best\")",
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

    fn outputs(&self, params: &Params) -> Vec<OutputSpec> {
        let mut outputs = self.schema().outputs;
        if !keeps_last(params) {
            outputs.retain(|o| o.name != "last");
        }
        outputs
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
        let resume = params.get_bool("resume")?.then(|| ctx.resume_dir());
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
            last: if keeps_last(params) {
                Some(ctx.output_dir("last")?.to_path_buf())
            } else {
                None
            },
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
    warn_if_collapsed(ctx, summary);
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

/// The collapse warnings of the epoch whose model is the `best` output (the last epoch when
/// none was best), as warnings about the stage's result.
fn warn_if_collapsed(ctx: &mut StageContext<'_>, summary: &TrainSummary) {
    let best = summary.best.map(|(_, epoch)| epoch);
    let Some(record) = summary
        .history
        .iter()
        .rev()
        .find(|r| best.is_none_or(|b| r.epoch == b))
    else {
        return;
    };
    for warning in &record.warnings {
        ctx.record_warning(format!("validation, epoch {}: {warning}", record.epoch));
    }
}
