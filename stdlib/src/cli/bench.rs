//! `clarity bench --model-config NAME|DIR --batch B --seq-len L --steps N --mode train|infer
//! [--device D] [--precision P] [--memory-every N]`: one JSON line with `samples_per_s`,
//! `step_ms` (median), `device`, `precision`, the peak resident memory and, on a GPU, the
//! peak device memory.

use clap::Args;
use clarity_models::commands::{BenchArgs, BenchMode, bench};
use miette::IntoDiagnostic;

use super::{DeviceArgs, ToolError};

/// Time training or inference steps of a randomly initialised model (warm-up step excluded).
#[derive(Debug, Args)]
pub struct BenchCommand {
    /// roberta-base, deberta-v3-base, deberta-v3-large, or a directory with config.json.
    #[arg(long, value_name = "NAME|DIR")]
    pub model_config: String,
    /// Batch size.
    #[arg(long, default_value_t = 8, value_name = "B")]
    pub batch: usize,
    /// Tokens per sequence.
    #[arg(long, default_value_t = 128, value_name = "L")]
    pub seq_len: usize,
    /// Timed steps after one warm-up step.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub steps: usize,
    /// train (forward, backward, AdamW step) or infer (eval forward).
    #[arg(long, default_value = "train", value_name = "MODE")]
    pub mode: BenchMode,
    /// Where and how the model runs.
    #[command(flatten)]
    pub target: DeviceArgs,
    /// Every N steps, print a JSON line to stderr with the step's time, the device memory
    /// (GPU backends) and the resident memory.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub memory_every: usize,
}

impl BenchCommand {
    /// Runs the command.
    pub fn run(self) -> Result<(), ToolError> {
        let report = bench(&BenchArgs {
            model_config: self.model_config,
            batch: self.batch,
            seq_len: self.seq_len,
            steps: self.steps,
            mode: self.mode,
            options: self.target.options(),
            device: self.target.device,
            memory_every: self.memory_every,
        })?;
        let json = serde_json::to_string(&report)
            .into_diagnostic()
            .map_err(ToolError::Runtime)?;
        println!("{json}");
        Ok(())
    }
}
