//! The `clarity` command line: the engine's subcommands and their execution.
//!
//! A binary composes [`EngineCommand`] with its own tool commands (see `src/main.rs`), or
//! calls [`main`] to get the engine's commands alone (custom binaries, `examples/`).

mod args;
mod columns;
mod diff;
mod error;
mod executor;
mod gc;
mod load;
mod log;
mod plan;
mod pull;
mod push;
mod recorded;
mod remote;
mod run;
mod runs;
mod show;
mod stages;
mod sweep_table;
mod verify;
mod worker;

use std::process::ExitCode;

use clap::Parser;

pub use args::{
    DiffArgs, EngineCommand, ExecutorKind, GcArgs, GraphArgs, GraphFormat, LogArgs, PipelineArgs,
    PlanArgs, PushArgs, RemoteArg, RunArgs, RunsArgs, RunsFormat, ShowArgs, WorkerArgs,
};
pub use error::CliError;
pub use plan::{render_assigned, render_plan};
pub use recorded::recorded_output;
pub use stages::{list as list_stages, show as show_stage};

use crate::Registry;
use crate::cache::Cache;
use crate::diag::Style;
use crate::graph::{to_dot, to_mermaid};
use load::{load, print_diagnostics, print_error};

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

/// Executes one engine command; returns the exit status.
pub fn execute(
    command: EngineCommand,
    registry: &Registry,
    default: &EmbeddedPipeline,
) -> ExitCode {
    let style = Style::from_env();
    let code = match command {
        EngineCommand::Run(args) => run::run(&args, registry, default, style),
        EngineCommand::Check(args) => check(&args, registry, default, style),
        EngineCommand::Plan(args) => plan(&args, registry, default, style),
        EngineCommand::Graph(args) => graph(&args, registry, default, style),
        EngineCommand::Verify(args) => verify::verify(&args, registry, default, style),
        EngineCommand::Log(args) => log::log(&args, registry, default, style),
        EngineCommand::Runs(args) => runs::runs(&args, style),
        EngineCommand::Show(args) => show::show(&args, style),
        EngineCommand::Diff(args) => diff::diff(&args, style),
        EngineCommand::Gc(args) => gc::gc(&args, style),
        EngineCommand::Push(args) => push::push(&args, registry, default, style),
        EngineCommand::Pull(args) => pull::pull(&args, registry, default, style),
        EngineCommand::Worker(args) => worker::worker(&args, registry, default, style),
        EngineCommand::Stages { kind: None } => {
            print!("{}", list_stages(registry));
            EXIT_OK
        }
        EngineCommand::Stages { kind: Some(kind) } => match show_stage(registry, &kind) {
            Ok(text) => {
                print!("{text}");
                EXIT_OK
            }
            Err(e) => print_error(e, style).unwrap_or(EXIT_CONFIG),
        },
    };
    ExitCode::from(code)
}

fn check(args: &PipelineArgs, registry: &Registry, default: &EmbeddedPipeline, style: Style) -> u8 {
    let Some(loaded) = load(args, registry, default, style) else {
        return EXIT_CONFIG;
    };
    let p = &loaded.pipeline;
    println!(
        "ok: {} (pipeline \"{}\", {} stages, {} references)",
        loaded.file,
        p.name,
        p.stages.len(),
        p.bindings.len()
    );
    EXIT_OK
}

fn plan(args: &PlanArgs, registry: &Registry, default: &EmbeddedPipeline, style: Style) -> u8 {
    let (loaded, cache, mut plan) = match load_plan(args, registry, default, style) {
        Ok(planned) => planned,
        Err(code) => return code,
    };
    if let Err(code) = remote::mark_plan(&args.pipeline, &loaded, &cache, &mut plan, style) {
        return code;
    }
    let pipeline = &loaded.pipeline;
    let mut args_devices = args.pipeline.clone();
    if args_devices.devices.is_empty()
        && let Some(assumed) = &args.pipeline.assume_devices
    {
        // Several assumed devices of one kind: show how a run would share them out.
        args_devices.devices = assumed.clone();
    }
    let devices = if args_devices.devices.is_empty() {
        Vec::new()
    } else {
        let selected = plan.order.iter().copied().collect();
        match run::devices(&args_devices, registry, pipeline, &selected) {
            Ok(devices) => devices,
            Err(e) => return print_error(e, style).unwrap_or(EXIT_CONFIG),
        }
    };
    let assigned = if devices.is_empty() {
        Vec::new()
    } else {
        crate::run::DevicePool::new(&devices).assign(pipeline, &plan.order)
    };
    print!("{}", render_assigned(pipeline, &plan, &assigned));
    EXIT_OK
}

/// Opens the pipeline's cache and plans `selected` (no `--force`).
fn open_plan(
    loaded: &load::Loaded,
    selected: &std::collections::BTreeSet<usize>,
) -> Result<(Cache, crate::run::Plan), crate::run::RunError> {
    let cache = Cache::open(loaded.project_dir.join(".clarity"))?;
    let plan = crate::run::make_plan(
        &loaded.pipeline,
        &cache,
        selected,
        &Default::default(),
        &loaded.project_dir,
    )?;
    Ok((cache, plan))
}

/// Loads the pipeline, selects `--only`, opens its cache and plans (no `--force`): what
/// `plan` and `verify` share. `Err` holds the exit status after the error was printed.
fn load_plan(
    args: &PlanArgs,
    registry: &Registry,
    default: &EmbeddedPipeline,
    style: Style,
) -> Result<(load::Loaded, Cache, crate::run::Plan), u8> {
    let loaded = load(&args.pipeline, registry, default, style).ok_or(EXIT_CONFIG)?;
    let selected = match loaded.pipeline.select(&args.only) {
        Ok(s) => s,
        Err(diags) => {
            print_diagnostics(&diags, &loaded.file, style);
            return Err(EXIT_CONFIG);
        }
    };
    match open_plan(&loaded, &selected) {
        Ok((cache, plan)) => Ok((loaded, cache, plan)),
        Err(e) => Err(print_error(e, style).unwrap_or(EXIT_RUNTIME)),
    }
}

fn graph(args: &GraphArgs, registry: &Registry, default: &EmbeddedPipeline, style: Style) -> u8 {
    let Some(loaded) = load(&args.pipeline, registry, default, style) else {
        return EXIT_CONFIG;
    };
    match args.format {
        GraphFormat::Dot => print!("{}", to_dot(&loaded.pipeline)),
        GraphFormat::Mermaid => print!("{}", to_mermaid(&loaded.pipeline)),
    }
    EXIT_OK
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

#[derive(Debug, Parser)]
#[command(
    name = "clarity",
    version,
    about = "Run declarative ML pipelines written in KDL"
)]
struct EngineCli {
    #[command(subcommand)]
    command: EngineCommand,
}

/// The whole CLI of a binary with only the engine's commands: parses the arguments and
/// executes. For a custom binary: `fn main() -> ExitCode { cli::main(my_registry(), &DEMO) }`.
pub fn main(registry: Registry, default: &EmbeddedPipeline) -> ExitCode {
    match EngineCli::try_parse() {
        Ok(cli) => execute(cli.command, &registry, default),
        Err(error) => exit_for_clap_error(error),
    }
}
