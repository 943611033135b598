use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use crate::heads::CheckpointError;
use crate::predict::PredictError;
use crate::tensor_file::TensorFileError;

/// A training run failed.
#[derive(Debug, Error, Diagnostic)]
pub enum TrainError {
    /// The loss became NaN or infinite.
    #[error("the training loss became {value} at epoch {epoch}, optimiser step {step}")]
    #[diagnostic(
        code(clarity::train::non_finite_loss),
        help(
            "lower the learning rate, keep gradient clipping on (max-grad-norm 1.0), or train in f32; the last good checkpoint is kept for inspection"
        )
    )]
    NonFiniteLoss {
        /// The loss value (NaN or ±inf).
        value: f64,
        /// 1-based epoch.
        epoch: usize,
        /// Optimiser steps done before the bad batch.
        step: u64,
    },
    /// The data cannot train this head.
    #[error(
        "{records} of {total} training records have no {label} label, which the {head} head needs"
    )]
    #[diagnostic(
        code(clarity::train::missing_labels),
        help(
            "tokenize a labelled split, or pick a head whose labels the data has (direct needs clarity labels, hierarchical evasion labels, multitask both)"
        )
    )]
    MissingLabels {
        /// Records without the label.
        records: usize,
        /// All records.
        total: usize,
        /// "evasion" or "clarity".
        label: &'static str,
        /// The head kind.
        head: String,
    },
    /// A setting is out of range.
    #[error("invalid training setting: {0}")]
    #[diagnostic(code(clarity::train::invalid_config))]
    InvalidConfig(String),
    /// The monitored metric is not produced by this run.
    #[error("the monitored metric `{metric}` is not available: validation gives {available}")]
    #[diagnostic(
        code(clarity::train::unknown_monitor),
        help("pick one of the available metrics for early-stopping.metric")
    )]
    MonitorUnavailable {
        /// The metric asked for.
        metric: String,
        /// The metrics the validation gives.
        available: String,
    },
    /// The user stopped the run.
    #[error("training stopped by the user at optimiser step {step}")]
    #[diagnostic(
        code(clarity::train::cancelled),
        help("run the pipeline again to resume from the last checkpoint")
    )]
    Cancelled {
        /// Optimiser steps done.
        step: u64,
    },
    /// A resumable checkpoint's state file is unusable.
    #[error("cannot resume from {path}: {reason}")]
    #[diagnostic(
        code(clarity::train::bad_resume_state),
        help("delete the resume directory to start the run afresh")
    )]
    BadResumeState {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The resume directory lacks the best checkpoint its state records.
    #[error("the best checkpoint of epoch {epoch} is missing from {dir} (found {found})")]
    #[diagnostic(
        code(clarity::train::best_checkpoint_lost),
        help("delete the resume directory (its parent) to train the run afresh")
    )]
    BestCheckpointLost {
        /// `<resume>/best`.
        dir: PathBuf,
        /// The epoch the trainer state names.
        epoch: usize,
        /// What the directory holds instead, e.g. "epoch 2".
        found: String,
    },
    /// A file could not be read or written.
    #[error("cannot {action} {path}")]
    #[diagnostic(code(clarity::train::io))]
    Io {
        /// What was tried.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Saving or loading a checkpoint failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// Saving or loading optimiser state failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    OptimiserState(#[from] TensorFileError),
    /// Validation failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Validation(#[from] PredictError),
    /// Scoring validation predictions failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    /// Drawing the learning curves failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plot(#[from] crate::plot::PlotError),
}
