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
        // A multitask checkpoint's CLARITY heads are not an HF classifier's head; a single-head
        // checkpoint (or its export) is exactly an HF classifier.
        let checkpoint = self.model.join(clarity_train::heads::HEAD_FILE).is_file()
            && clarity_train::heads::read_head_config(&self.model)
                .map_or(true, |head| head.single_head_labels().is_none());
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
                "warning: {} is a clarity multitask (or old-layout) checkpoint: `logits` come \
                 from a fresh HF classifier, not its trained heads; `last_hidden_state` is the \
                 fine-tuned encoder's. For its predictions, run `clarity predict --checkpoint` \
                 or a `predict` stage with model= this checkpoint",
                self.model.display(),
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
