//! `clarity forward --model DIR --inputs FILE.json [--device D] [--out FILE.json]`: eval-mode
//! `{"logits": [[..]], "last_hidden_state": [[[..]]]}` of an HF model directory.

use std::path::PathBuf;

use clap::Args;
use clarity_models::commands::{ForwardArgs, forward};
use miette::IntoDiagnostic;

use super::{DeviceArgs, ToolError};

/// Run a model in eval mode on token ids and print its logits and last hidden state as JSON.
#[derive(Debug, Args)]
pub struct ForwardCommand {
    /// An HF model directory: config.json and model.safetensors or pytorch_model.bin.
    #[arg(long, value_name = "DIR")]
    pub model: PathBuf,
    /// JSON `{"input_ids": [[..]], "attention_mask": [[..]]}` (the mask defaults to all ones).
    #[arg(long, value_name = "FILE")]
    pub inputs: PathBuf,
    /// Where and how the model runs.
    #[command(flatten)]
    pub target: DeviceArgs,
    /// Write the JSON here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

impl ForwardCommand {
    /// Runs the command.
    pub fn run(self) -> Result<(), ToolError> {
        // A training checkpoint's CLARITY heads live in files an HF classifier does not read.
        let checkpoint = self.model.join(clarity_train::heads::HEAD_FILE).is_file();
        let run = forward(&ForwardArgs {
            model: self.model.clone(),
            inputs: self.inputs,
            options: self.target.options(),
            device: self.target.device,
        })?;
        for warning in &run.warnings {
            eprintln!("warning: {warning}");
        }
        if checkpoint {
            eprintln!(
                "warning: {} is a clarity training checkpoint: `logits` come from a fresh HF \
                 classifier, not its trained heads ({}); `last_hidden_state` is the fine-tuned \
                 encoder's. For its predictions, run a `predict` stage with model= this checkpoint",
                self.model.display(),
                clarity_train::heads::HEADS_WEIGHTS,
            );
        }
        let json = serde_json::to_string(&run.output)
            .into_diagnostic()
            .map_err(ToolError::Runtime)?;
        match self.out {
            Some(path) => std::fs::write(&path, json + "\n")
                .into_diagnostic()
                .map_err(|e| {
                    ToolError::Runtime(e.wrap_err(format!("cannot write {}", path.display())))
                })?,
            None => println!("{json}"),
        }
        Ok(())
    }
}
