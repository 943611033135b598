use miette::Diagnostic;
use thiserror::Error;

use crate::heads::CheckpointError;
use crate::predict::PredictError;
use crate::train::TrainError;

/// A training or prediction job failed.
#[derive(Debug, Error, Diagnostic)]
pub enum JobError {
    /// The model directory is unusable.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Model(#[from] clarity_models::ModelError),
    /// The model's weights are unusable.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Weights(#[from] clarity_models::weights::WeightsError),
    /// Training failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Train(#[from] TrainError),
    /// A checkpoint is unusable.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// Inference failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Predict(#[from] PredictError),
    /// The records are longer than the model's position table.
    #[error(
        "the {what} were tokenized with max-length {max_length}, but the model accepts at most {limit} tokens"
    )]
    #[diagnostic(
        code(clarity::jobs::input_too_long),
        help(
            "lower the tokenize stage's `max-length` to {limit} or less; to keep the rest of long texts, also set its `stride` (sliding windows, each at most `max-length` tokens)"
        )
    )]
    InputTooLong {
        /// Which records, e.g. "training records".
        what: String,
        /// The records' `max_length` (special tokens included).
        max_length: usize,
        /// The longest input the model accepts.
        limit: usize,
    },
    /// The checkpoints do not fit the data or each other.
    #[error("{0}")]
    #[diagnostic(code(clarity::jobs::mismatch))]
    Mismatch(String),
}
