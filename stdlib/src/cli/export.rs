//! `clarity export CHECKPOINT --out DIR` or `clarity export --pipeline FILE STAGE.OUTPUT --out
//! DIR`: a trained checkpoint as a Hugging Face model directory.

use std::path::PathBuf;

use clap::Args;
use clarity_train::heads::{Exported, HeadKind, export_checkpoint};

use super::ToolError;

/// Write a trained checkpoint as a Hugging Face model directory.
#[derive(Debug, Args)]
pub struct ExportCommand {
    /// A checkpoint directory; with --pipeline, an output of that pipeline's newest run
    /// (e.g. `train.best`).
    #[arg(value_name = "CHECKPOINT")]
    pub checkpoint: String,
    /// Resolve CHECKPOINT as STAGE.OUTPUT in the newest recorded run of this pipeline file.
    #[arg(long, value_name = "FILE")]
    pub pipeline: Option<PathBuf>,
    /// The directory to write (created when missing; an earlier export's files are replaced).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

impl ExportCommand {
    /// Runs the command.
    pub fn run(self) -> Result<(), ToolError> {
        let dir = match &self.pipeline {
            Some(pipeline) => {
                clarity_engine::cli::recorded_output(&pipeline.to_string_lossy(), &self.checkpoint)
                    .map_err(ToolError::usage)?
            }
            None => PathBuf::from(&self.checkpoint),
        };
        let exported = export_checkpoint(&dir, &self.out)?;
        println!("{}", summary(&exported));
        Ok(())
    }
}

/// What was written and what loads it.
fn summary(exported: &Exported) -> String {
    let loads = match exported.head.head {
        HeadKind::Direct | HeadKind::Hierarchical => {
            "transformers.AutoModelForSequenceClassification.from_pretrained loads it"
        }
        HeadKind::Multitask => {
            "transformers.AutoModel.from_pretrained loads its encoder; its two heads \
             (evasion_classifier.*, clarity_classifier.* in model.safetensors) need clarity"
        }
    };
    format!(
        "exported a {} model to {} ({}): {loads}",
        exported.head.head,
        exported.dir.display(),
        exported.files.join(", ")
    )
}
