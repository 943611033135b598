//! `train.log`: the run's events as lines, appended across attempts.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{LOG_FILE, TrainError, TrainEvent};

/// Appends a line to `train.log` for each event that has one.
pub(crate) struct RunLog {
    path: PathBuf,
    file: std::fs::File,
}

impl RunLog {
    /// Opens `dir/train.log` for appending; a last line cut short by a kill is ended first.
    pub(crate) fn open(dir: &Path) -> Result<Self, TrainError> {
        let path = dir.join(LOG_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|source| TrainError::Io {
                action: "open",
                path: path.clone(),
                source,
            })?;
        let mut log = Self { path, file };
        if ends_mid_line(&log.path) {
            log.line("")?;
        }
        Ok(log)
    }

    /// Writes the event's line, if it has one.
    pub(crate) fn record(&mut self, event: &TrainEvent<'_>) -> Result<(), TrainError> {
        match log_line(event) {
            Some(line) => self.line(&line),
            None => Ok(()),
        }
    }

    fn line(&mut self, text: &str) -> Result<(), TrainError> {
        writeln!(self.file, "{text}").map_err(|source| TrainError::Io {
            action: "write",
            path: self.path.clone(),
            source,
        })
    }
}

/// The log's line for an event: more digits than the console, and every log point.
fn log_line(event: &TrainEvent<'_>) -> Option<String> {
    match event {
        TrainEvent::Started {
            resumed: Some(at), ..
        } => Some(format!(
            "resumed at optimiser step {} (epoch {}, batch {})",
            at.step,
            at.epoch + 1,
            at.batch
        )),
        TrainEvent::StepSkipped { step, loss_scale } => Some(format!(
            "step {step} skipped: the f16 gradients overflowed; loss scale now {loss_scale}"
        )),
        TrainEvent::Step(r) => r.logged_loss.map(|loss| {
            format!(
                "[{:>9.1}s] epoch {} step {}/{} loss {loss:.6} lr {:.3e} grad-norm {:.4}",
                r.seconds, r.epoch, r.step, r.total_steps, r.lr, r.grad_norm
            )
        }),
        TrainEvent::Epoch { record, monitor } => {
            let monitored = record.validation.get(*monitor);
            Some(format!(
                "epoch {} done: train loss {:.6}{}{}",
                record.epoch,
                record.train_loss,
                record
                    .validation_loss
                    .map_or(String::new(), |l| format!(", validation loss {l:.6}")),
                monitored.map_or(String::new(), |v| format!(
                    ", {monitor} {v:.6}{}",
                    if record.best { " (best)" } else { "" }
                ))
            ))
        }
        TrainEvent::StoppedEarly { .. } => event.message(),
        TrainEvent::Ended {
            steps,
            completed: true,
        } => Some(format!("finished after {steps} optimiser steps")),
        _ => None,
    }
}

fn ends_mid_line(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let mut last = [0u8];
    std::fs::File::open(path).is_ok_and(|mut f| {
        f.seek(SeekFrom::End(-1)).is_ok() && f.read_exact(&mut last).is_ok() && last[0] != b'\n'
    })
}
