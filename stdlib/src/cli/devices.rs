//! `clarity devices [--json]`: the backends built into this binary and the devices they see.

use clap::Args;
use clarity_models::commands::devices;
use miette::IntoDiagnostic;

use super::ToolError;

/// List the backends of this binary, the devices they see, and what `cpu`/`auto` select.
#[derive(Debug, Args)]
pub struct DevicesCommand {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

impl DevicesCommand {
    /// Runs the command.
    pub fn run(self) -> Result<(), ToolError> {
        let report = devices();
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&report)
                    .into_diagnostic()
                    .map_err(ToolError::Runtime)?
            );
        } else {
            println!("{report}");
        }
        Ok(())
    }
}
