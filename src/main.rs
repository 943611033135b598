//! The `clarity` binary: the engine's commands plus the stdlib's tool commands.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use clarity_engine::cli::{self, EmbeddedPipeline, EngineCommand};
use clarity_stdlib::cli::ToolCommand;

/// The pipeline `clarity run` runs when given no file.
const DEMO: EmbeddedPipeline = EmbeddedPipeline {
    name: "pipelines/demo.kdl",
    text: include_str!("../pipelines/demo.kdl"),
};

/// Declarative ML pipelines for transformer text classifiers.
#[derive(Debug, Parser)]
#[command(name = "clarity", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(flatten)]
    Engine(EngineCommand),
    #[command(flatten)]
    Tool(ToolCommand),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return cli::exit_for_clap_error(error),
    };
    match cli.command {
        Command::Engine(command) => cli::execute(command, &clarity_stdlib::registry(), &DEMO),
        Command::Tool(command) => command.execute(),
    }
}
