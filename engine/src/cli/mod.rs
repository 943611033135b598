//! The `clarity` command line: the engine's subcommands and their execution.

mod args;

use std::process::ExitCode;

pub use args::{EngineCommand, GraphArgs, GraphFormat, PipelineArgs, PlanArgs, RunArgs};

use crate::Registry;

/// A pipeline compiled into the binary, run by `clarity run` without a file.
#[derive(Clone, Copy, Debug)]
pub struct EmbeddedPipeline {
    /// Name shown in diagnostics, e.g. `pipelines/demo.kdl`.
    pub name: &'static str,
    /// The KDL text.
    pub text: &'static str,
}

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: a configuration error (bad pipeline, bad arguments).
pub const EXIT_CONFIG: u8 = 1;
/// Exit status: a runtime failure (a stage failed, the run was interrupted).
pub const EXIT_RUNTIME: u8 = 2;

/// Executes one engine command.
pub fn execute(
    command: EngineCommand,
    registry: &Registry,
    default: &EmbeddedPipeline,
) -> ExitCode {
    let _ = (command, registry, default);
    ExitCode::from(EXIT_RUNTIME)
}

/// Prints a clap error and returns its exit status: 0 for `--help`/`--version`, else 1.
pub fn exit_for_clap_error(error: clap::Error) -> ExitCode {
    let _ = error.print();
    if error.use_stderr() {
        ExitCode::from(EXIT_CONFIG)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints a tool command's error (if any) and returns the exit status: 0 or 2.
pub fn exit_for_tool(result: miette::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(EXIT_RUNTIME)
        }
    }
}
