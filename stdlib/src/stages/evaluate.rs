//! `evaluate`: score a predictions artifact against a reference table: Task 1 macro-F1, Task 2
//! macro-F1 (strict, multi-annotator, majority vote), accuracy, per-class scores, confusion
//! matrices as text and SVG, the majority-class baseline beside the scores, and a warning
//! (in the log, the report and the run summary) when the predictions look collapsed.

use clarity_data::table::read_table_artifact;
use clarity_engine::{
    ArtifactKind, OutputSpec, ParamSpec, ParamType, Stage, StageContext, StageSchema,
};
use clarity_train::evaluate::{evaluate_predictions, read_predictions, write_evaluation};

use super::predict::PREDICTIONS_FILE;

/// The `evaluate` stage kind.
#[derive(Debug, Default)]
pub struct Evaluate;

impl Stage for Evaluate {
    fn schema(&self) -> StageSchema {
        StageSchema {
            kind: "evaluate",
            version: 2,
            summary: "Score predictions against a labelled table (CLARITY Task 1 and Task 2 metrics)",
            params: vec![
                ParamSpec::required(
                    "predictions",
                    ParamType::input(ArtifactKind::PREDICTIONS),
                    "the predictions, e.g. \"predict\"",
                ),
                ParamSpec::required(
                    "references",
                    ParamType::input(ArtifactKind::TABLE),
                    "the labelled table the predictions were made on, e.g. \"split.validation\"",
                ),
            ],
            outputs: vec![OutputSpec::new(
                "metrics",
                ArtifactKind::METRICS,
                "metrics.json, report.txt, confusion_*.svg",
            )],
            rules: Vec::new(),
            uses_device: false,
        }
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        let predictions = read_predictions(&ctx.input("predictions")?.join(PREDICTIONS_FILE))?;
        let table = read_table_artifact(ctx.input("references")?)?;
        let evaluation = evaluate_predictions(&predictions, &table)?;
        write_evaluation(&evaluation, ctx.output_dir("metrics")?)?;
        let summary = evaluation.summary();
        if summary.is_empty() {
            ctx.warn("the references hold no labels: nothing was scored");
        }
        for (name, value) in &summary {
            ctx.record_metric(name.clone(), *value);
        }
        for warning in evaluation.collapse_warnings() {
            ctx.record_warning(warning);
        }
        let headline: Vec<String> = summary
            .iter()
            .filter(|(k, _)| k.ends_with("macro-f1"))
            .map(|(k, v)| format!("{k} {v:.4}"))
            .collect();
        ctx.info(&if headline.is_empty() {
            format!("{} examples, none scored", evaluation.examples)
        } else {
            format!("{} examples: {}", evaluation.examples, headline.join(", "))
        });
        Ok(())
    }
}
