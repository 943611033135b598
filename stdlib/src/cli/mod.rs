//! The tool subcommands of the `clarity` binary (`forward`, `tokenize`, `bench`, `devices`),
//! one file a command. The binary flattens [`ToolCommand`] next to the engine's commands.

mod bench;
mod devices;
mod forward;
mod tokenize;

pub use bench::BenchCommand;
pub use devices::DevicesCommand;
pub use forward::ForwardCommand;
pub use tokenize::TokenizeCommand;

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
}

impl ToolCommand {
    /// Runs the command; an error exits with status 2.
    pub fn run(self) -> miette::Result<()> {
        match self {
            Self::Tokenize(command) => command.run(),
            Self::Forward(command) => command.run(),
            Self::Bench(command) => command.run(),
            Self::Devices(command) => command.run(),
        }
    }
}
