//! The work of the `train` and `predict` stages as backend-generic tasks (run them with
//! `clarity_models::device::Device::run`), independent of the pipeline engine.

mod error;
mod predict_job;
mod train_job;

pub use error::JobError;
pub use predict_job::{PredictJob, PredictOutcome};
pub use train_job::{TrainJob, TrainOutcome, initializer_range};
