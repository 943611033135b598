use miette::Diagnostic;
use thiserror::Error;

/// Inference or prediction failed.
#[derive(Debug, Error, Diagnostic)]
pub enum PredictError {
    /// The user stopped the run.
    #[error("stopped by the user")]
    #[diagnostic(code(clarity::predict::cancelled))]
    Cancelled,
    /// A tokens artifact holds an example with no record.
    #[error("example `{example}` has no tokenized record")]
    #[diagnostic(
        code(clarity::predict::example_without_record),
        help("re-run the tokenize stage; every example must yield at least one record")
    )]
    ExampleWithoutRecord {
        /// The example id.
        example: String,
    },
    /// Ensemble members disagree.
    #[error("cannot ensemble: {reason}")]
    #[diagnostic(
        code(clarity::predict::ensemble_mismatch),
        help("ensemble checkpoints trained with the same head on the same tokenized data")
    )]
    EnsembleMismatch {
        /// What differs.
        reason: String,
    },
    /// Writing a predictions file failed.
    #[error("cannot write {path}")]
    #[diagnostic(code(clarity::predict::write))]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}
