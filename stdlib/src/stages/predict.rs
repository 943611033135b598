//! `predict`: run one checkpoint, or an ensemble of several (logits averaged), over tokenized
//! data; sliding windows of an example are averaged. Writes `predictions.csv`
//! (`id,clarity_pred,evasion_pred`) and `probabilities.csv`.

use std::path::PathBuf;

use clarity_data::tokenize::TokenizedDataset;
use clarity_engine::stage::PublishContext;
use clarity_engine::{
    ArtifactKind, OutputSpec, ParamRule, ParamSpec, ParamType, Stage, StageContext, StageSchema,
    Value,
};
use clarity_train::jobs::PredictJob;
use clarity_train::predict::Predictions;

use super::placement::RunOn;

/// The `predict` stage kind.
#[derive(Debug, Default)]
pub struct Predict;

/// The predictions file of a `predictions` artifact.
pub const PREDICTIONS_FILE: &str = "predictions.csv";
/// The class probabilities of a `predictions` artifact.
pub const PROBABILITIES_FILE: &str = "probabilities.csv";

impl Stage for Predict {
    fn schema(&self) -> StageSchema {
        StageSchema {
            kind: "predict",
            version: 1,
            summary: "Predict clarity and evasion labels with a checkpoint or an ensemble of checkpoints",
            params: vec![
                ParamSpec::optional(
                    "model",
                    ParamType::input(ArtifactKind::CHECKPOINT),
                    "the checkpoint, e.g. \"train.best\", or a fetch-model of an exported directory",
                ),
                ParamSpec::optional(
                    "models",
                    ParamType::list(ParamType::input(ArtifactKind::CHECKPOINT)),
                    "several checkpoints whose logits are averaged (an ensemble)",
                ),
                ParamSpec::required(
                    "data",
                    ParamType::input(ArtifactKind::TOKENS),
                    "the records to predict, e.g. \"tokens.test\"",
                ),
                ParamSpec::with_default(
                    "batch-size",
                    ParamType::int_at_least(1),
                    Value::Int(32),
                    "records per forward pass",
                ),
                ParamSpec::optional(
                    "out",
                    ParamType::String,
                    "also copy predictions.csv to this path (relative to the directory clarity runs in, as `path` params are), e.g. \"submissions/run.csv\"",
                ),
                ParamSpec::with_default(
                    "precision",
                    ParamType::Choice(&["auto", "f32", "bf16", "f16"]),
                    Value::from("auto"),
                    "compute precision",
                ),
                ParamSpec::with_default(
                    "attention",
                    ParamType::Choice(&["auto", "eager", "fused"]),
                    Value::from("auto"),
                    "attention implementation",
                ),
            ],
            outputs: vec![OutputSpec::new(
                "predictions",
                ArtifactKind::PREDICTIONS,
                "predictions.csv (id,clarity_pred,evasion_pred) and probabilities.csv",
            )],
            rules: vec![ParamRule::ExactlyOne(&["model", "models"])],
            uses_device: true,
        }
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        clarity_train::fault::install(clarity_engine::fault::point);
        let mut checkpoints: Vec<PathBuf> = ctx
            .opt_input("model")
            .map(|p| p.to_path_buf())
            .into_iter()
            .collect();
        checkpoints.extend(ctx.inputs("models").iter().map(|a| a.dir.clone()));
        if checkpoints.is_empty() {
            return Err(miette::miette!(
                code = "clarity::predict::no_model",
                help =
                    "write model=\"train.best\", or models=\"a.best\" \"b.best\" for an ensemble",
                "predict needs a checkpoint"
            ));
        }
        let RunOn {
            device,
            precision,
            attention,
        } = RunOn::from_placement(ctx.placement())?;
        let data = TokenizedDataset::open(ctx.input("data")?)?;
        let batch_size = ctx.params().get_usize("batch-size")?.max(1);
        let out_dir = ctx.output_dir("predictions")?.to_path_buf();
        let records = data.len() as u64;
        let members = checkpoints.len() as u64;
        let outcome = {
            let cancelled = || ctx.cancelled();
            let mut progress = |member: usize, done: usize| {
                if done as u64 == records {
                    ctx.progress((member as u64 + 1) * records, members * records);
                }
            };
            let job = PredictJob {
                checkpoints: &checkpoints,
                data: &data,
                batch_size,
                attention,
                precision,
                cancelled: &cancelled,
                progress: &mut progress,
            };
            device.run(job)??
        };
        let predictions = Predictions::from_logits(&outcome.logits, &outcome.head);
        let csv = out_dir.join(PREDICTIONS_FILE);
        predictions.write_csv(&outcome.head, &csv)?;
        predictions.write_probabilities(&outcome.head, &out_dir.join(PROBABILITIES_FILE))?;
        ctx.record_metric("predict.examples", predictions.example_ids.len() as f64);
        ctx.info(&format!(
            "{} examples ({} records) with {} {} head checkpoint(s) on {device}",
            predictions.example_ids.len(),
            records,
            checkpoints.len(),
            outcome.head.head
        ));
        Ok(())
    }

    /// Copies `predictions.csv` to `out`, after a run and when cached alike, so a deleted or
    /// edited copy is restored; an up-to-date copy of a cached stage is left alone.
    fn publish(&self, ctx: &PublishContext<'_>) -> miette::Result<()> {
        let Some(out) = ctx.params.opt_str("out") else {
            return Ok(());
        };
        let target = ctx.project_dir.join(out);
        let csv = ctx.output_dir("predictions")?.join(PREDICTIONS_FILE);
        let predictions = std::fs::read(&csv).map_err(|e| {
            miette::miette!(
                code = "clarity::predict::publish",
                "cannot read {}: {e}",
                csv.display()
            )
        })?;
        if ctx.cached && std::fs::read(&target).is_ok_and(|copy| copy == predictions) {
            return Ok(());
        }
        let failed = |e: std::io::Error| {
            miette::miette!(
                code = "clarity::predict::publish",
                help = "`out` names a file relative to the directory clarity runs in",
                "cannot write the predictions to {}: {e}",
                target.display()
            )
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(failed)?;
        }
        std::fs::write(&target, &predictions).map_err(failed)?;
        ctx.info(&if ctx.cached {
            format!("restored {out} from the cached predictions")
        } else {
            format!("wrote {out}")
        });
        Ok(())
    }
}
