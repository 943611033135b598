//! The training loop as a library: epochs over tokenized data with dynamic padding, AdamW
//! with the warmup/decay schedule, averaged accumulation, clipping, seeded dropout and data
//! order, validation, best and last checkpoints, early stopping, `metrics.json`, a log,
//! learning curves, progress, live logs (JSON Lines and TensorBoard), and resuming an
//! interrupted run exactly.

mod checkpoints;
mod config;
mod epoch;
mod error;
mod events;
mod files;
mod live;
mod log;
mod objective;
mod progress;
mod resume;
mod setup;
mod state;
mod stopping;
mod trainer;
mod validation;

pub use config::{EarlyStopping, Goal, Monitor, TrainConfig};
pub use error::TrainError;
pub use events::{NullObserver, ResumePoint, StepReport, TrainEvent, TrainObserver};
pub use files::{CURVES_FILE, LOG_FILE, METRICS_FILE};
pub use live::{LIVE_METRICS_FILE, LiveLogs};
pub use objective::Objective;
pub use progress::ProgressObserver;
pub use resume::{BEST_DIR, BEST_EPOCH_FILE, LAST_DIR, OPTIMIZER_FILE};
pub use state::{EpochRecord, STATE_FILE, TrainerState};
pub use trainer::{
    ModelSource, TrainData, TrainPaths, TrainSummary, seed_backend, steps_per_epoch, train,
};
pub use validation::{ValidationResult, references, validate};
