//! The tool subcommands of the `clarity` binary (`forward`, `tokenize`, `bench`, `devices`),
//! one file a command. The binary flattens [`ToolCommand`] next to the engine's commands.

mod tokenize;

pub use tokenize::TokenizeCommand;

use clap::Subcommand;

/// A tool subcommand. Add a variant (and a file in this folder) per command.
#[derive(Debug, Subcommand)]
pub enum ToolCommand {
    /// Tokenize a text (or pair) with a model's tokenizer; prints {"input_ids", "tokens"} as JSON.
    Tokenize(TokenizeCommand),
}

impl ToolCommand {
    /// Runs the command; an error exits with status 2.
    pub fn run(self) -> miette::Result<()> {
        match self {
            Self::Tokenize(command) => command.run(),
        }
    }
}
