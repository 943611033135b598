//! Checkpointing during a run: the best checkpoint when an epoch improves, the resumable
//! checkpoint at epoch ends (and every `checkpoint-every` steps), and at the end `last`,
//! `best` and the log moved out of the resume directory.

use std::path::Path;

use burn::tensor::backend::AutodiffBackend;

use super::files::write_reports;
use super::resume::{publish_best, remove_dir, save_best, save_resumable};
use super::{LOG_FILE, ModelSource, Monitor, TrainError, TrainPaths, TrainerState};
use crate::fault;
use crate::heads::{ClarityClassifier, save_checkpoint};
use crate::optim::AdamW;

/// Where and what a run checkpoints.
pub(crate) struct Checkpoints<'a> {
    pub paths: &'a TrainPaths,
    pub source: &'a ModelSource<'a>,
}

impl Checkpoints<'_> {
    /// Keeps `model` as the best checkpoint (of 1-based `epoch`): in the resume directory
    /// while training, else straight at `best`.
    pub fn best<B: AutodiffBackend>(
        &self,
        model: &ClarityClassifier<B>,
        epoch: usize,
    ) -> Result<(), TrainError> {
        match &self.paths.resume {
            Some(resume) => save_best(resume, model, epoch, self.source),
            None => self.save_model(model, &self.paths.best),
        }
    }

    /// Writes the resumable checkpoint, when the run has a resume directory.
    pub fn resumable<B: AutodiffBackend>(
        &self,
        model: &ClarityClassifier<B>,
        optim: &AdamW<B::InnerBackend>,
        state: &TrainerState,
    ) -> Result<(), TrainError> {
        match &self.paths.resume {
            Some(resume) => save_resumable(resume, model, optim, state, self.source),
            None => Ok(()),
        }
    }

    /// The reports of the run so far (`metrics.json`, `learning_curves.svg`).
    pub fn reports(&self, state: &TrainerState, monitor: &Monitor) -> Result<(), TrainError> {
        write_reports(&self.paths.reports, state, monitor)
    }

    /// Writes `last` (when kept) and `best` (kept in the resume directory while training;
    /// the final model without a best epoch).
    pub fn finish<B: AutodiffBackend>(
        &self,
        model: &ClarityClassifier<B>,
        state: &TrainerState,
        validated: bool,
    ) -> Result<(), TrainError> {
        if let Some(last) = &self.paths.last {
            self.save_model(model, last)?;
        }
        match (&self.paths.resume, validated, state.best) {
            (Some(resume), true, Some((_, epoch))) => publish_best(resume, epoch, &self.paths.best),
            (None, true, Some(_)) => Ok(()),
            _ => self.save_model(model, &self.paths.best),
        }
    }

    /// Moves the log out of the resume directory and clears it: the run is over.
    pub fn close(&self) -> Result<(), TrainError> {
        let Some(resume) = &self.paths.resume else {
            return Ok(());
        };
        let (from, to) = (resume.join(LOG_FILE), self.paths.reports.join(LOG_FILE));
        std::fs::copy(&from, &to).map_err(|source| TrainError::Io {
            action: "copy",
            path: from,
            source,
        })?;
        fault::point("train.finish");
        remove_dir(resume)
    }

    fn save_model<B: AutodiffBackend>(
        &self,
        model: &ClarityClassifier<B>,
        dir: &Path,
    ) -> Result<(), TrainError> {
        remove_dir(dir)?;
        save_checkpoint(model, &self.source.files(), dir)?;
        Ok(())
    }
}
