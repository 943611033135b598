//! How a tool command failed, and the exit status that follows from it (the CLI's
//! convention: 0 success, 1 configuration or usage error, 2 runtime failure).

use std::process::ExitCode;

use clarity_engine::Style;
use clarity_engine::cli::{EXIT_CONFIG, EXIT_RUNTIME};
use clarity_models::ModelError;
use clarity_models::commands::CommandError;
use clarity_models::weights::WeightsError;
use clarity_train::heads::CheckpointError;

/// A tool command's failure.
#[derive(Debug)]
pub enum ToolError {
    /// A bad argument: an unknown model config, a file that is missing or malformed, a device
    /// or precision that cannot be used. Exits with status 1.
    Usage(miette::Report),
    /// A failure while the command ran (weights that do not load, an output that cannot be
    /// written). Exits with status 2.
    Runtime(miette::Report),
}

impl ToolError {
    /// The diagnostic.
    pub fn report(&self) -> &miette::Report {
        match self {
            Self::Usage(report) | Self::Runtime(report) => report,
        }
    }

    /// The exit status: 1 for usage errors, 2 for runtime failures.
    pub fn exit_status(&self) -> u8 {
        match self {
            Self::Usage(_) => EXIT_CONFIG,
            Self::Runtime(_) => EXIT_RUNTIME,
        }
    }

    /// A failure while running: wraps any diagnostic as [`ToolError::Runtime`].
    pub fn runtime(error: impl Into<miette::Report>) -> Self {
        Self::Runtime(error.into())
    }

    /// A bad argument: wraps any diagnostic as [`ToolError::Usage`].
    pub fn usage(error: impl Into<miette::Report>) -> Self {
        Self::Usage(error.into())
    }
}

impl From<CommandError> for ToolError {
    /// What the user named is a usage error: the args, the files and devices they point at,
    /// a model directory without a usable config or without weights. Weights that do not fit
    /// the config or cannot be read or saved are runtime failures.
    fn from(error: CommandError) -> Self {
        let usage = match &error {
            CommandError::Model(model) => matches!(
                **model,
                ModelError::Config(_) | ModelError::Weights(WeightsError::NotFound { .. })
            ),
            CommandError::Device(_)
            | CommandError::Io { .. }
            | CommandError::Inputs { .. }
            | CommandError::Argument { .. } => true,
        };
        if usage {
            Self::usage(error)
        } else {
            Self::runtime(error)
        }
    }
}

impl From<CheckpointError> for ToolError {
    /// A directory that is not a (current) checkpoint, or a config that does not parse, is a
    /// usage error; failing to read or write its files is a runtime failure.
    fn from(error: CheckpointError) -> Self {
        let usage = match &error {
            CheckpointError::NotACheckpoint { .. }
            | CheckpointError::OldLayout { .. }
            | CheckpointError::BadHeadFile { .. }
            | CheckpointError::ExportOntoItself { .. } => true,
            CheckpointError::Model(model) => matches!(
                model,
                ModelError::Config(_) | ModelError::Weights(WeightsError::NotFound { .. })
            ),
            CheckpointError::Io { .. } => false,
        };
        if usage {
            Self::usage(error)
        } else {
            Self::runtime(error)
        }
    }
}

/// Prints a tool command's error (if any) and returns the exit status: 0, 1 or 2.
pub fn exit_for(result: Result<(), ToolError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprint!(
                "{}",
                clarity_engine::diag::render(error.report().as_ref(), Style::from_env())
            );
            ExitCode::from(error.exit_status())
        }
    }
}
