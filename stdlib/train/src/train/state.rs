use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::TrainError;

/// The file of a resumable checkpoint that holds the [`TrainerState`].
pub const STATE_FILE: &str = "trainer_state.json";

/// One epoch's numbers, as written to `metrics.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch.
    pub epoch: usize,
    /// Optimiser steps done at the end of the epoch.
    pub step: u64,
    /// Mean training loss over the epoch's micro-batches.
    pub train_loss: f64,
    /// Learning rate of the epoch's last step.
    pub lr: f64,
    /// Validation loss, when there is validation data.
    pub validation_loss: Option<f64>,
    /// Validation scores (keys of `ClarityEvaluation::summary`).
    pub validation: BTreeMap<String, f64>,
    /// Warnings about the validation predictions (a model collapsed to one class).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Whether this epoch gave the best checkpoint so far.
    pub best: bool,
    /// Wall time of the epoch (training and validation), seconds.
    pub seconds: f64,
}

/// Where a run is, saved with every resumable checkpoint: a resumed run continues from here and
/// ends exactly where an uninterrupted run ends (the data order and dropout masks are
/// functions of the seed, the epoch and the batch index).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainerState {
    /// A digest of the config and data the run was started with; resuming checks it.
    pub fingerprint: String,
    /// 0-based epoch in progress.
    pub epoch: usize,
    /// Index of the next micro-batch within the epoch.
    pub batch: usize,
    /// Optimiser steps done.
    pub step: u64,
    /// Training records seen.
    pub samples: u64,
    /// Sum of micro-batch losses in the current epoch.
    pub epoch_loss_sum: f64,
    /// Number of micro-batches in that sum.
    pub epoch_loss_count: u64,
    /// Sum and count of micro-batch losses since the last log point (this epoch).
    #[serde(default)]
    pub log_loss: (f64, u64),
    /// Training loss at log points: (fractional epoch, mean loss since the previous point).
    pub loss_curve: Vec<(f64, f64)>,
    /// Best monitored value and its 1-based epoch.
    pub best: Option<(f64, usize)>,
    /// Epochs since the last improvement.
    pub epochs_without_improvement: usize,
    /// Finished epochs.
    pub history: Vec<EpochRecord>,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
    /// The f16 loss scale (`None` in other precisions).
    #[serde(default)]
    pub loss_scaler: Option<crate::optim::LossScaler>,
    /// Optimiser steps skipped because the f16 gradients overflowed.
    #[serde(default)]
    pub skipped_steps: u64,
}

impl TrainerState {
    /// The state of a run that has not started.
    pub fn fresh(fingerprint: String) -> Self {
        Self {
            fingerprint,
            epoch: 0,
            batch: 0,
            step: 0,
            samples: 0,
            epoch_loss_sum: 0.0,
            epoch_loss_count: 0,
            log_loss: (0.0, 0),
            loss_curve: Vec::new(),
            best: None,
            epochs_without_improvement: 0,
            history: Vec::new(),
            stopped_early: false,
            loss_scaler: None,
            skipped_steps: 0,
        }
    }

    /// Writes `trainer_state.json` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), TrainError> {
        let text = serde_json::to_string_pretty(self).expect("plain data serialises");
        let path = dir.join(STATE_FILE);
        std::fs::write(&path, text).map_err(|source| TrainError::Io {
            action: "write",
            path,
            source,
        })
    }

    /// Reads `trainer_state.json` from `dir`.
    pub fn load(dir: &Path) -> Result<Self, TrainError> {
        let path = dir.join(STATE_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| TrainError::Io {
            action: "read",
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| TrainError::BadResumeState {
            path,
            reason: e.to_string(),
        })
    }
}
