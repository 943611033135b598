use std::path::PathBuf;
use std::sync::Arc;

use clarity_device::DeviceError;
use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

use crate::ModelError;
use crate::config::ConfigError;

/// Why a tool command (`forward`, `bench`, `devices`) failed.
#[derive(Debug, Error, Diagnostic)]
pub enum CommandError {
    /// The model or its config could not be loaded.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Model(Box<ModelError>),
    /// The device cannot be used.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Device(#[from] DeviceError),

    /// A file could not be read or written.
    #[error("cannot access {path}")]
    #[diagnostic(code(clarity::models::command::io))]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The inputs file is not valid or does not fit the model.
    #[error("invalid inputs: {message}")]
    #[diagnostic(
        code(clarity::models::forward::inputs),
        help(
            "inputs are {{\"input_ids\": [[...]], \"attention_mask\": [[...]]}}: equal-length rows of token ids, mask values 0 or 1"
        )
    )]
    Inputs {
        /// What is wrong.
        message: String,
        /// The inputs text.
        #[source_code]
        src: Arc<NamedSource<String>>,
        /// Where.
        #[label("{message}")]
        span: SourceSpan,
    },

    /// A command-line value is out of range.
    #[error("invalid argument {arg}: {message}")]
    #[diagnostic(code(clarity::models::command::argument))]
    Argument {
        /// The flag.
        arg: String,
        /// What is wrong.
        message: String,
    },
}

impl From<ModelError> for CommandError {
    fn from(error: ModelError) -> Self {
        CommandError::Model(Box::new(error))
    }
}

impl From<ConfigError> for CommandError {
    fn from(error: ConfigError) -> Self {
        CommandError::Model(Box::new(ModelError::Config(error)))
    }
}
