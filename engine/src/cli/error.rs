use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

/// Errors of the command line itself.
#[derive(Debug, Error, Diagnostic)]
pub enum CliError {
    /// The pipeline file cannot be read.
    #[error("cannot read pipeline `{path}`")]
    #[diagnostic(
        code(clarity::cli::read),
        help("check the path; `clarity run` without a file runs the demo")
    )]
    Read {
        /// The path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// `clarity stages KIND` with an unknown kind.
    #[error("unknown stage kind `{kind}`")]
    #[diagnostic(code(clarity::cli::unknown_kind))]
    UnknownKind {
        /// The kind.
        kind: String,
        /// Did you mean.
        #[help]
        help: String,
    },
    /// `clarity run --assume-devices`: a run needs the real machine.
    #[error("`clarity run` cannot run on assumed devices")]
    #[diagnostic(
        code(clarity::cli::assume_devices),
        help("--assume-devices is for `check` and `plan`, to see what another machine would do")
    )]
    AssumedRun,
    /// `clarity log STAGE` names no stage of the pipeline.
    #[error("the pipeline has no stage `{stage}`")]
    #[diagnostic(code(clarity::cli::unknown_stage))]
    UnknownStage {
        /// The name.
        stage: String,
        /// Did you mean.
        #[help]
        help: String,
    },
    /// `clarity log STAGE` with no log to show.
    #[error("no cached log for stage `{stage}`")]
    #[diagnostic(code(clarity::cli::no_log))]
    NoLog {
        /// The stage.
        stage: String,
        /// What to do.
        #[help]
        help: String,
    },
    /// `--devices` lists no device a selected stage is placed on.
    #[error("stage `{stage}` is placed on `{device}`, which --devices does not list ({devices})")]
    #[diagnostic(
        code(clarity::cli::devices),
        help(
            "list a device of that kind in --devices (e.g. cuda:0,cuda:1,cpu), or place the stage elsewhere with --device"
        )
    )]
    UnservedDevice {
        /// The stage.
        stage: String,
        /// Where it is placed.
        device: String,
        /// The devices listed.
        devices: String,
    },
    /// `--devices auto` on a machine where no device could be listed.
    #[error("--devices auto found no devices")]
    #[diagnostic(
        code(clarity::cli::devices_auto),
        help("name them: --devices cuda:0,cuda:1")
    )]
    NoDevices,
    /// `clarity show RUN` or `clarity diff` names no recorded run.
    #[error("no run `{id}` in .clarity/runs")]
    #[diagnostic(code(clarity::cli::unknown_run))]
    UnknownRun {
        /// The id given.
        id: String,
        /// Did you mean.
        #[help]
        help: String,
    },
    /// `clarity show` without a run id, and no run recorded.
    #[error("no runs recorded in .clarity/runs of this directory{}", pipeline.as_ref().map_or(String::new(), |p| format!(" for pipeline `{p}`")))]
    #[diagnostic(
        code(clarity::cli::no_runs),
        help("`clarity run FILE` records a run; `clarity runs` lists them")
    )]
    NoRuns {
        /// The `--pipeline` filter, if any.
        pipeline: Option<String>,
    },
    /// `clarity export --pipeline` names an output the newest run does not have.
    #[error("the newest run ({run}) of the pipeline has no output `{reference}`")]
    #[diagnostic(code(clarity::cli::unknown_output))]
    UnknownOutput {
        /// `stage.output` as given.
        reference: String,
        /// The run's id.
        run: String,
        /// What it has.
        #[help]
        help: String,
    },
    /// The running binary's path is unavailable (to start workers).
    #[error("cannot find the clarity binary to start worker processes")]
    #[diagnostic(code(clarity::cli::current_exe), help("use --executor local"))]
    CurrentExe(#[source] std::io::Error),
    /// The working directory is unavailable.
    #[error("cannot determine the current directory")]
    #[diagnostic(code(clarity::cli::cwd))]
    Cwd(#[source] std::io::Error),
}
