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
    /// The model gave NaN or infinite logits.
    #[error("{model} gave NaN or infinite logits for {count} of {total} examples: {examples}")]
    #[diagnostic(
        code(clarity::predict::non_finite_logits),
        help(
            "the checkpoint's weights hold NaN or infinite values (a diverged or damaged training run): retrain it, e.g. with a lower learning rate or in f32, or re-run its stage with `clarity run --force` if its files were damaged"
        )
    )]
    NonFiniteLogits {
        /// The checkpoint.
        model: String,
        /// Examples affected.
        count: usize,
        /// All examples.
        total: usize,
        /// The first few ids, with their 1-based rows.
        examples: String,
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
