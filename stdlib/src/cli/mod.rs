//! The tool subcommands of the `clarity` binary (`forward`, `tokenize`, `bench`, `devices`),
//! one file a command. The binary flattens [`ToolCommand`] next to the engine's commands.

use clap::Subcommand;

/// A tool subcommand. Add a variant (and a file in this folder) per command.
#[derive(Debug, Subcommand)]
pub enum ToolCommand {}

impl ToolCommand {
    /// Runs the command; an error exits with status 2.
    pub fn run(self) -> miette::Result<()> {
        match self {}
    }
}
