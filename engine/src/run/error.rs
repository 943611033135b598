use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use crate::cache::CacheError;

/// Failures of a run as a whole (stage failures are recorded per stage instead).
#[derive(Debug, Error, Diagnostic)]
pub enum RunError {
    /// The cache failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Cache(#[from] CacheError),
    /// A local path param could not be hashed.
    #[error("cannot read `{path}` (param `{param}` of stage `{stage}`)")]
    #[diagnostic(
        code(clarity::run::path),
        help("the file changed or vanished since the pipeline was checked")
    )]
    Hash {
        /// Stage.
        stage: String,
        /// Param.
        param: String,
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The manifest could not be written.
    #[error("cannot write the run manifest `{path}`")]
    #[diagnostic(code(clarity::run::manifest))]
    Manifest {
        /// Path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}
