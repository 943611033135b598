//! Failures of the `exec` stage.

use std::process::ExitStatus;

use miette::Diagnostic;
use thiserror::Error;

/// Failures of the `exec` stage.
#[derive(Debug, Error, Diagnostic)]
pub enum ExecError {
    /// The program could not be started.
    #[error("could not start `{program}`")]
    #[diagnostic(
        code(clarity::exec::spawn),
        help("check that the program is installed and on PATH")
    )]
    Spawn {
        /// Program name.
        program: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The command exited unsuccessfully.
    #[error("`{program}` failed ({status})")]
    #[diagnostic(
        code(clarity::exec::failed),
        help("its stderr ended with:\n{stderr_tail}")
    )]
    Failed {
        /// Program name.
        program: String,
        /// Exit status.
        status: ExitStatus,
        /// The last lines of its stderr.
        stderr_tail: String,
    },
    /// The run was cancelled (Ctrl-C); the command was killed.
    #[error("cancelled; `{program}` was stopped")]
    #[diagnostic(code(clarity::exec::cancelled))]
    Cancelled {
        /// Program name.
        program: String,
    },
    /// The command ran longer than its `timeout`; it was killed.
    #[error("`{program}` ran longer than its timeout of {seconds}s and was stopped")]
    #[diagnostic(
        code(clarity::exec::timeout),
        help("raise `timeout` if the command needs longer, or make it faster")
    )]
    Timeout {
        /// Program name.
        program: String,
        /// The timeout, in seconds.
        seconds: f64,
    },
    /// A declared output is missing or does not hold what its kind requires.
    #[error("output `{output}` ({kind}) {problem}")]
    #[diagnostic(
        code(clarity::exec::output),
        help("the command must write it under $CLARITY_OUT_{env}: {expected}")
    )]
    Output {
        /// Output name.
        output: String,
        /// Its declared kind.
        kind: String,
        /// What is wrong.
        problem: String,
        /// The variable naming its directory (after `CLARITY_OUT_`).
        env: String,
        /// What the kind requires.
        expected: &'static str,
    },
    /// An `env` item is not `NAME=VALUE` or `NAME` (only possible when `check` was skipped).
    #[error("env item `{item}` is not NAME=VALUE or NAME")]
    #[diagnostic(code(clarity::exec::env))]
    Env {
        /// The item.
        item: String,
    },
    /// The declared outputs could not be copied to `out`.
    #[error("cannot publish the outputs of `{stage}` to {target}")]
    #[diagnostic(
        code(clarity::exec::publish),
        help("`out` names a path relative to the directory clarity runs in")
    )]
    Publish {
        /// Stage name.
        stage: String,
        /// Where.
        target: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}
