//! The resume directory: what survives a killed run.
//!
//! ```text
//! <resume>/last/       the resumable checkpoint: model, optimiser, trainer_state.json
//! <resume>/best/       the best checkpoint so far, with BEST_EPOCH_FILE naming its epoch
//! <resume>/train.log   the log of every attempt, appended
//! ```
//!
//! `last` and `best` are replaced through `<dir>.partial` and `<dir>.old`: a kill at any
//! moment leaves a complete old or new directory ([`recover_dir`] finishes a swap cut short).

use std::path::{Path, PathBuf};

use burn::tensor::backend::AutodiffBackend;

use super::{ModelSource, TrainError, TrainerState};
use crate::fault;
use crate::heads::{CheckpointFiles, ClarityClassifier, load_checkpoint, save_checkpoint};
use crate::optim::{AdamW, AdamWConfig, load_adamw, save_adamw};

/// The optimiser state file of a resumable checkpoint.
pub const OPTIMIZER_FILE: &str = "optimizer.safetensors";
/// The resumable checkpoint inside the resume directory.
pub const LAST_DIR: &str = "last";
/// The best checkpoint so far inside the resume directory.
pub const BEST_DIR: &str = "best";
/// The file of `<resume>/best` holding the 1-based epoch it comes from (not published).
pub const BEST_EPOCH_FILE: &str = "best_epoch";

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
    replace_dir(&resume.join(LAST_DIR), "train.checkpoint", |partial| {
        save_checkpoint(
            model,
            &CheckpointFiles {
                tokenizer_dir: None,
                ..source.files()
            },
            partial,
        )?;
        save_adamw(optim, &partial.join(OPTIMIZER_FILE))?;
        state.save(partial)
    })
}

/// Writes the best checkpoint (of 1-based `epoch`) to `<resume>/best`, replacing the
/// previous one only once the new one is complete.
pub(crate) fn save_best<B: AutodiffBackend>(
    resume: &Path,
    model: &ClarityClassifier<B>,
    epoch: usize,
    source: &ModelSource<'_>,
) -> Result<(), TrainError> {
    replace_dir(&resume.join(BEST_DIR), "train.best", |partial| {
        save_checkpoint(model, &source.files(), partial)?;
        write_file(&partial.join(BEST_EPOCH_FILE), epoch.to_string().as_bytes())
    })
}

/// Copies `<resume>/best`, which must come from 1-based `epoch`, to `out` (hard links where
/// the file system allows).
pub(crate) fn publish_best(resume: &Path, epoch: usize, out: &Path) -> Result<(), TrainError> {
    let best = resume.join(BEST_DIR);
    let marker = best.join(BEST_EPOCH_FILE);
    let found = std::fs::read_to_string(&marker).ok();
    if found.as_deref().map(str::trim) != Some(epoch.to_string().as_str()) {
        return Err(TrainError::BestCheckpointLost {
            dir: best,
            epoch,
            found: found.map_or("no best checkpoint".into(), |e| {
                format!("epoch {}", e.trim())
            }),
        });
    }
    remove_dir(out)?;
    create_dir(out)?;
    let entries = std::fs::read_dir(&best).map_err(io("list", &best))?;
    for entry in entries {
        let entry = entry.map_err(io("list", &best))?;
        if entry.file_name() == BEST_EPOCH_FILE {
            continue;
        }
        let (from, to) = (entry.path(), out.join(entry.file_name()));
        if std::fs::hard_link(&from, &to).is_err() {
            std::fs::copy(&from, &to).map_err(io("copy", &from))?;
        }
    }
    Ok(())
}

/// Loads `<resume>/last` when it exists and was written by a run with the same fingerprint;
/// `None` otherwise (a checkpoint of another run is ignored).
pub(crate) fn load_resumable<B: AutodiffBackend>(
    resume: &Path,
    fingerprint: &str,
    adamw: AdamWConfig,
    source: &ModelSource<'_>,
    device: &B::Device,
) -> Result<Option<Restored<B>>, TrainError> {
    let last = resume.join(LAST_DIR);
    recover_dir(&last)?;
    recover_dir(&resume.join(BEST_DIR))?;
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

/// Replaces `dir` by what `write` puts into `<dir>.partial`. Crash points: `POINT` once the
/// new directory is complete, `POINT.swap` while the old one is moved aside.
fn replace_dir(
    dir: &Path,
    point: &str,
    write: impl FnOnce(&Path) -> Result<(), TrainError>,
) -> Result<(), TrainError> {
    let (partial, old) = (sibling(dir, "partial"), sibling(dir, "old"));
    remove_dir(&partial)?;
    write(&partial)?;
    fault::point(point);
    remove_dir(&old)?;
    if dir.exists() {
        rename(dir, &old)?;
    }
    fault::point(&format!("{point}.swap"));
    rename(&partial, dir)?;
    remove_dir(&old)
}

/// Finishes a [`replace_dir`] cut short between its two renames: puts the old directory back.
fn recover_dir(dir: &Path) -> Result<(), TrainError> {
    let old = sibling(dir, "old");
    if !dir.exists() && old.is_dir() {
        rename(&old, dir)?;
    }
    Ok(())
}

fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(suffix);
    dir.with_file_name(name)
}

fn rename(from: &Path, to: &Path) -> Result<(), TrainError> {
    std::fs::rename(from, to).map_err(io("rename", from))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), TrainError> {
    std::fs::write(path, bytes).map_err(io("write", path))
}

pub(crate) fn create_dir(dir: &Path) -> Result<(), TrainError> {
    std::fs::create_dir_all(dir).map_err(io("create", dir))
}

pub(crate) fn remove_dir(dir: &Path) -> Result<(), TrainError> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io("remove", dir))?;
    }
    Ok(())
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> TrainError {
    let path = path.to_path_buf();
    move |source| TrainError::Io {
        action,
        path,
        source,
    }
}
