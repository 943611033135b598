use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

/// Saving or loading optimiser state failed.
#[derive(Debug, Error, Diagnostic)]
pub enum OptimError {
    /// The state file could not be read or written.
    #[error("cannot {action} optimiser state {path}")]
    #[diagnostic(code(clarity::optim::io))]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The state file is not a valid safetensors file or lacks an entry.
    #[error("optimiser state {path} is damaged: {reason}")]
    #[diagnostic(
        code(clarity::optim::bad_state),
        help(
            "delete the checkpoint directory's optimizer file to restart the optimiser, or resume from an earlier checkpoint"
        )
    )]
    BadState {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}
