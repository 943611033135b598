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
    /// The checkpoints do not fit the data or each other.
    #[error("{0}")]
    #[diagnostic(code(clarity::jobs::mismatch))]
    Mismatch(String),
}
