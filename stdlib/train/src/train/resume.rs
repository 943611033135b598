use std::path::Path;

use burn::tensor::backend::AutodiffBackend;

use super::{ModelSource, TrainError, TrainerState};
use crate::heads::{ClarityClassifier, load_checkpoint, save_checkpoint};
use crate::optim::{AdamW, AdamWConfig, load_adamw, save_adamw};

/// The optimiser state file of a resumable checkpoint.
pub const OPTIMIZER_FILE: &str = "optimizer.safetensors";
/// The resumable checkpoint inside the resume directory.
pub const LAST_DIR: &str = "last";

/// What a resumable checkpoint restores.
pub(crate) struct Restored<B: AutodiffBackend> {
    pub model: ClarityClassifier<B>,
    pub optim: AdamW<B::InnerBackend>,
    pub state: TrainerState,
}

/// Writes model, optimiser and trainer state to `<resume>/last`, replacing the previous one
/// only once the new one is complete.
pub(crate) fn save_resumable<B: AutodiffBackend>(
    resume: &Path,
    model: &ClarityClassifier<B>,
    optim: &AdamW<B::InnerBackend>,
    state: &TrainerState,
    source: &ModelSource<'_>,
) -> Result<(), TrainError> {
    let last = resume.join(LAST_DIR);
    let partial = resume.join("last.partial");
    remove_dir(&partial)?;
    save_checkpoint(model, source.config, source.head, None, &partial)?;
    save_adamw(optim, &partial.join(OPTIMIZER_FILE))?;
    state.save(&partial)?;
    remove_dir(&last)?;
    std::fs::rename(&partial, &last).map_err(|source| TrainError::Io {
        action: "rename",
        path: partial,
        source,
    })
}

/// Loads `<resume>/last` when it exists and was written by a run with the same fingerprint.
/// A checkpoint of another run is reported through `stale` and ignored.
pub(crate) fn load_resumable<B: AutodiffBackend>(
    resume: &Path,
    fingerprint: &str,
    adamw: AdamWConfig,
    source: &ModelSource<'_>,
    device: &B::Device,
) -> Result<Option<Restored<B>>, TrainError> {
    let last = resume.join(LAST_DIR);
    if !last.join(super::state::STATE_FILE).is_file() {
        return Ok(None);
    }
    let state = TrainerState::load(&last)?;
    if state.fingerprint != fingerprint {
        return Ok(None);
    }
    let checkpoint = load_checkpoint::<B>(&last, &source.options, device)?;
    let optim = load_adamw(adamw, &last.join(OPTIMIZER_FILE), device)?;
    Ok(Some(Restored {
        model: checkpoint.model,
        optim,
        state,
    }))
}

pub(crate) fn remove_dir(dir: &Path) -> Result<(), TrainError> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|source| TrainError::Io {
            action: "remove",
            path: dir.to_path_buf(),
            source,
        })?;
    }
    Ok(())
}
