use super::EpochRecord;

/// One optimiser step, as reported to a [`TrainObserver`].
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
}

/// Receives a run's progress; the stage bridges it to the engine, tests use [`NullObserver`].
pub trait TrainObserver {
    /// The run is starting (or resuming) at `step` of `total_steps`.
    fn start(&mut self, _step: u64, _total_steps: u64) {}
    /// An optimiser step finished.
    fn step(&mut self, _report: &StepReport) {}
    /// Validation is running over `records` records.
    fn validating(&mut self, _records: usize) {}
    /// An epoch finished.
    fn epoch(&mut self, _record: &EpochRecord) {}
    /// An informational line.
    fn info(&mut self, _message: &str) {}
    /// A warning.
    fn warn(&mut self, _message: &str) {}
    /// Polled between micro-batches: `true` stops the run.
    fn cancelled(&self) -> bool {
        false
    }
    /// The run ended (normally or not).
    fn finish(&mut self) {}
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NullObserver;

impl TrainObserver for NullObserver {}
