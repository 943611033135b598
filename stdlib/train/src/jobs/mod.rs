//! The work of the `train` and `predict` stages as backend-generic tasks (run them with
//! `clarity_models::device::Device::run`), independent of the pipeline engine.

mod error;
mod input_length;
mod predict_job;
mod tokens_fit;
mod train_job;

pub use error::JobError;
pub use input_length::check_input_length;
pub use predict_job::{PredictJob, PredictOutcome};
pub use tokens_fit::check_tokens;
pub use train_job::{TrainJob, TrainOutcome, initializer_range};
