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
    /// An encoder and a config of different architectures were put together.
    #[error("a {encoder} encoder cannot take the head of a `{config}` config")]
    #[diagnostic(code(clarity::models::arch_mismatch))]
    ArchMismatch {
        /// The encoder's `base_model_prefix`.
        encoder: &'static str,
        /// The config's `model_type`.
        config: &'static str,
    },
}
