//! The training run's one progress stream: [`TrainEvent`]s, in order, to every sink — the
//! run's `train.log`, the terminal bar, the stage's output lines, the live logs
//! (`metrics.jsonl` and TensorBoard).

use super::EpochRecord;

/// One optimiser step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepReport {
    /// 1-based epoch.
    pub epoch: usize,
    /// Number of epochs.
    pub epochs: usize,
    /// Optimiser steps done.
    pub step: u64,
    /// Optimiser steps of the whole run.
    pub total_steps: u64,
    /// Mean loss of the step's micro-batches.
    pub loss: f64,
    /// Learning rate the step used.
    pub lr: f64,
    /// Global gradient norm before clipping.
    pub grad_norm: f64,
    /// Training throughput since the run (or resume) started.
    pub samples_per_second: f64,
    /// Seconds since the run (or resume) started.
    pub seconds: f64,
    /// At log points (every `log_every` steps): the mean loss since the previous one.
    pub logged_loss: Option<f64>,
}

/// Where a resumed run picks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResumePoint {
    /// Optimiser steps already done.
    pub step: u64,
    /// 0-based epoch in progress.
    pub epoch: usize,
    /// Index of the next micro-batch within that epoch.
    pub batch: usize,
}

/// What happens in a training run, in the order it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainEvent<'a> {
    /// The run starts (or resumes) at `step` of `total_steps`.
    Started {
        /// Optimiser steps done.
        step: u64,
        /// Optimiser steps of the whole run.
        total_steps: u64,
        /// Where a resumed run picks up (`None` for a fresh one).
        resumed: Option<ResumePoint>,
    },
    /// An optimiser step finished.
    Step(&'a StepReport),
    /// An f16 step was skipped because its gradients overflowed (dynamic loss scaling).
    StepSkipped {
        /// Optimiser steps done, the skipped one included.
        step: u64,
        /// The loss scale from now on.
        loss_scale: f64,
    },
    /// Validation runs over `records` records.
    Validating {
        /// Validation records.
        records: usize,
    },
    /// An epoch finished.
    Epoch {
        /// Its numbers.
        record: &'a EpochRecord,
        /// The monitored validation metric's name.
        monitor: &'a str,
    },
    /// Early stopping ends the run after `epoch`.
    StoppedEarly {
        /// The last 1-based epoch.
        epoch: usize,
        /// The monitored metric.
        monitor: &'a str,
        /// Epochs without improvement that stopped it.
        patience: usize,
    },
    /// The run ended after `steps` optimiser steps; `completed` is false when it failed or
    /// was cancelled.
    Ended {
        /// Optimiser steps done.
        steps: u64,
        /// Whether training ran to its end (its checkpoints and reports written).
        completed: bool,
    },
}

impl TrainEvent<'_> {
    /// The line a console shows for this event, if any: resuming, each epoch's summary
    /// (`epoch N: train loss …, evasion-macro-f1 … (best)`), early stopping.
    pub fn message(&self) -> Option<String> {
        match self {
            Self::Started {
                step,
                total_steps,
                resumed: Some(_),
            } => Some(format!(
                "resuming from optimiser step {step} of {total_steps}"
            )),
            Self::Epoch { record, .. } => Some(epoch_summary(record)),
            Self::StoppedEarly {
                epoch,
                monitor,
                patience,
            } => Some(format!(
                "early stopping after epoch {epoch}: no improvement of {monitor} for {patience} epochs"
            )),
            _ => None,
        }
    }
}

fn epoch_summary(r: &EpochRecord) -> String {
    let scores: Vec<String> = r
        .validation
        .iter()
        .filter(|(k, _)| k.ends_with("macro-f1"))
        .map(|(k, v)| format!(", {k} {v:.4}"))
        .collect();
    format!(
        "epoch {}: train loss {:.4}{}{}{}",
        r.epoch,
        r.train_loss,
        r.validation_loss
            .map_or(String::new(), |l| format!(", validation loss {l:.4}")),
        scores.concat(),
        if r.best { " (best)" } else { "" }
    )
}

/// A sink of a run's [`TrainEvent`]s, and its cancellation switch.
pub trait TrainObserver {
    /// Something happened.
    fn event(&mut self, _event: &TrainEvent<'_>) {}
    /// Polled between micro-batches: `true` stops the run.
    fn cancelled(&self) -> bool {
        false
    }
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NullObserver;

impl TrainObserver for NullObserver {}
