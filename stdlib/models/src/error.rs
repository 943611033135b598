use miette::Diagnostic;
use thiserror::Error;

use crate::config::ConfigError;
use crate::weights::WeightsError;

/// Why a model could not be built, loaded or saved.
#[derive(Debug, Error, Diagnostic)]
pub enum ModelError {
    /// The config is unusable.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
    /// The weights are unusable.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Weights(#[from] WeightsError),
    /// Writing a checkpoint directory failed.
    #[error("cannot write {path}")]
    #[diagnostic(code(clarity::models::save))]
    Save {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}
