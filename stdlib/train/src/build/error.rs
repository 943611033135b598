use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

/// Building a model directory failed.
#[derive(Debug, Error, Diagnostic)]
pub enum BuildError {
    /// The tokenizer could not be built or written.
    #[error("cannot build the tokenizer: {0}")]
    #[diagnostic(code(clarity::build_model::tokenizer))]
    Tokenizer(String),
    /// The config is unusable.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] clarity_models::config::ConfigError),
    /// Writing the weights failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Weights(#[from] clarity_models::weights::WeightsError),
    /// A file could not be written or copied.
    #[error("cannot write {path}")]
    #[diagnostic(code(clarity::build_model::io))]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}
