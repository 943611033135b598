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
    keep_freed_memory();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return cli::exit_for_clap_error(error),
    };
    match cli.command {
        Command::Engine(command) => cli::execute(command, &clarity_stdlib::registry(), &DEMO),
        Command::Tool(command) => command.execute(),
    }
}

/// Has glibc keep freed memory for reuse instead of returning it to the kernel (unless
/// `GLIBC_TUNABLES` sets its own policy). A training or inference step frees and allocates
/// the same tensor buffers (a few MiB to tens of MiB) over and over; by default glibc maps
/// each one afresh and unmaps it on free, so every step paid page faults and page clearing
/// for all of them (~14 % of a CPU inference step; peak RSS unchanged).
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("GLIBC_TUNABLES").is_none() {
        // SAFETY: `mallopt` only sets allocator parameters; it runs before any other thread.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
            libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
            libc::mallopt(libc::M_TOP_PAD, 256 << 20);
        }
    }
}
