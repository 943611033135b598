//! `clarity parity --fixture DIR [--device D] [--precision P] [--forward-only] [--json]`: a
//! fixture's model against its HF reference (`expected.json`) on a device: eval logits and
//! hidden states, then five AdamW steps (losses, step-0 gradients, logits after).

use std::path::PathBuf;

use clap::Args;
use clarity_models::commands::{ParityArgs, parity};
use miette::{IntoDiagnostic, miette};

use super::{DeviceArgs, ToolError};

/// Check a fixture's model against HF transformers' outputs on a device; exit 2 when a value
/// is out of tolerance.
#[derive(Debug, Args)]
pub struct ParityCommand {
    /// A fixture directory: config.json, the weights and expected.json (e.g.
    /// stdlib/models/tests/fixtures/tiny_roberta).
    #[arg(long, value_name = "DIR")]
    pub fixture: PathBuf,
    /// Where and how the model runs.
    #[command(flatten)]
    pub target: DeviceArgs,
    /// Check eval outputs only, not the training steps.
    #[arg(long)]
    pub forward_only: bool,
    /// Print the report as one JSON line.
    #[arg(long)]
    pub json: bool,
}

impl ParityCommand {
    /// Runs the command.
    pub fn run(self) -> Result<(), ToolError> {
        let report = parity(&ParityArgs {
            fixture: self.fixture,
            options: self.target.options(),
            device: self.target.device,
            forward_only: self.forward_only,
        })?;
        if self.json {
            let json = serde_json::to_string(&report)
                .into_diagnostic()
                .map_err(ToolError::Runtime)?;
            println!("{json}");
        } else {
            print!("{report}");
        }
        if report.pass {
            Ok(())
        } else {
            Err(ToolError::Runtime(miette!(
                code = "clarity::models::parity::mismatch",
                help = "the report above shows each difference and its tolerance",
                "{} on {} ({}) is out of tolerance of HF transformers' outputs",
                report.fixture,
                report.device,
                report.precision
            )))
        }
    }
}
