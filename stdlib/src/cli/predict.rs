//! `clarity predict --checkpoint DIR --data FILE --out preds.csv`: one-shot predictions of a
//! trained checkpoint (or an exported directory) on a table, no pipeline needed.

use std::path::PathBuf;

use clap::Args;
use clarity_data::table::Table;
use clarity_models::device::Device;
use clarity_train::heads::{InputTemplate, TEMPLATE_FILE, read_head_config};
use clarity_train::jobs::PredictJob;
use clarity_train::predict::Predictions;
use miette::IntoDiagnostic;

use super::{DeviceArgs, ToolError};

/// Predict with a trained checkpoint: writes `id,clarity_pred,evasion_pred` as the predict
/// stage does.
#[derive(Debug, Args)]
pub struct PredictCommand {
    /// A checkpoint (`train.best`, `train.last`) or a directory `clarity export` wrote.
    #[arg(long, value_name = "DIR")]
    pub checkpoint: PathBuf,
    /// The rows: .csv, .jsonl or .parquet with the columns the model's template names.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// The predictions CSV to write (its directory is created).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Records per forward pass.
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub batch_size: usize,
    /// Where and how the model runs.
    #[command(flatten)]
    pub target: DeviceArgs,
}

impl PredictCommand {
    /// Runs the command.
    pub fn run(self) -> Result<(), ToolError> {
        read_head_config(&self.checkpoint)?;
        let template = InputTemplate::read(&self.checkpoint)?.ok_or_else(|| {
            ToolError::usage(miette::miette!(
                code = "clarity::predict::no_template",
                help = "checkpoints of clarity's train stage keep how their texts were made; \
                        re-export the checkpoint, or tokenize with a pipeline and use a predict stage",
                "{} has no {TEMPLATE_FILE}: the input template is unknown",
                self.checkpoint.display()
            ))
        })?;
        let table = Table::read(&self.data).map_err(ToolError::usage)?;
        let data = template
            .tokenize(&table, &self.checkpoint)
            .map_err(ToolError::usage)?;
        let device = Device::resolve(self.target.device.parse().map_err(ToolError::usage)?)
            .map_err(ToolError::usage)?;
        device
            .check_precision(self.target.precision)
            .map_err(ToolError::usage)?;
        let checkpoints = [self.checkpoint.clone()];
        let job = PredictJob {
            checkpoints: &checkpoints,
            data: &data,
            batch_size: self.batch_size.max(1),
            attention: self.target.attention,
            precision: self.target.precision,
            cancelled: &|| false,
            progress: &mut |_, _| {},
        };
        let outcome = device
            .run(job)
            .map_err(ToolError::runtime)?
            .map_err(ToolError::runtime)?;
        let predictions = Predictions::from_logits(&outcome.logits, &outcome.head);
        if let Some(parent) = self.out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .into_diagnostic()
                .map_err(|e| {
                    ToolError::Runtime(e.wrap_err(format!("cannot create {}", parent.display())))
                })?;
        }
        predictions
            .write_csv(&outcome.head, &self.out)
            .map_err(ToolError::runtime)?;
        eprintln!(
            "wrote {}: {} examples, {} head on {device}",
            self.out.display(),
            predictions.example_ids.len(),
            outcome.head.head
        );
        Ok(())
    }
}
