//! The tool subcommands of the `clarity` binary (`forward`, `tokenize`, `bench`, `devices`,
//! `parity`, `export`, `predict`), one file a command. The binary flattens [`ToolCommand`] next to the engine's
//! commands.

mod bench;
mod device_args;
mod devices;
mod export;
mod forward;
mod parity;
mod predict;
mod tokenize;
mod tool_error;

pub use bench::BenchCommand;
pub use device_args::DeviceArgs;
pub use devices::DevicesCommand;
pub use export::ExportCommand;
pub use forward::ForwardCommand;
pub use parity::ParityCommand;
pub use predict::PredictCommand;
pub use tokenize::TokenizeCommand;
pub use tool_error::{ToolError, exit_for};

use std::process::ExitCode;

use clap::Subcommand;

/// A tool subcommand. Add a variant (and a file in this folder) per command.
#[derive(Debug, Subcommand)]
pub enum ToolCommand {
    /// Tokenize a text (or pair) with a model's tokenizer; prints {"input_ids", "tokens"} as JSON.
    Tokenize(TokenizeCommand),
    /// Run a model in eval mode on token ids; prints {"logits", "last_hidden_state"} as JSON.
    Forward(ForwardCommand),
    /// Time train or infer steps of a randomly initialised model; prints one JSON line.
    Bench(BenchCommand),
    /// List the backends built into this binary and the devices they see.
    Devices(DevicesCommand),
    /// Check a fixture's model against HF transformers' outputs (eval and five training steps).
    Parity(ParityCommand),
    /// Write a trained checkpoint as a Hugging Face model directory.
    Export(ExportCommand),
    /// Predict with a trained checkpoint on a CSV, JSONL or parquet table.
    Predict(PredictCommand),
}

impl ToolCommand {
    /// Runs the command; a [`ToolError`] says whether it failed on a bad argument or while
    /// running.
    pub fn run(self) -> Result<(), ToolError> {
        match self {
            Self::Tokenize(command) => command.run(),
            Self::Forward(command) => command.run(),
            Self::Bench(command) => command.run(),
            Self::Devices(command) => command.run(),
            Self::Parity(command) => command.run(),
            Self::Export(command) => command.run(),
            Self::Predict(command) => command.run(),
        }
    }

    /// Runs the command, prints its error if any, and returns the exit status: 0 success,
    /// 1 a bad argument, 2 a failure while running.
    pub fn execute(self) -> ExitCode {
        exit_for(self.run())
    }
}
