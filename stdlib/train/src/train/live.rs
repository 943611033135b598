//! Live logs: the run's events as `metrics.jsonl` lines and TensorBoard scalars, written to a
//! directory outside the cache entry while training runs (`tensorboard --logdir` on it plots
//! the run live).
//!
//! A write that fails does not stop training: the sink that failed is dropped and
//! [`LiveLogs::take_warning`] says so, once per sink.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{TrainError, TrainEvent, TrainObserver};
use crate::tensorboard::EventWriter;

/// The JSON Lines file of a run's live logs: one object per event (`"event"`: `started`,
/// `step` — one per optimiser step —, `step-skipped`, `epoch`, `stopped-early`, `ended`).
pub const LIVE_METRICS_FILE: &str = "metrics.jsonl";

/// Writes each event to `metrics.jsonl` and to a TensorBoard event file.
#[derive(Debug)]
pub struct LiveLogs {
    jsonl: Option<(PathBuf, std::fs::File)>,
    tensorboard: Option<EventWriter>,
    warning: Option<String>,
}

impl LiveLogs {
    /// Creates `dir/metrics.jsonl` and `dir/events.out.tfevents.*` (`dir` must exist).
    pub fn open(dir: &Path) -> Result<Self, TrainError> {
        let io = |path: PathBuf| {
            move |source: std::io::Error| TrainError::Io {
                action: "create",
                path,
                source,
            }
        };
        let path = dir.join(LIVE_METRICS_FILE);
        let file = std::fs::File::create(&path).map_err(io(path.clone()))?;
        let tensorboard =
            EventWriter::create(dir).map_err(io(dir.join("events.out.tfevents.*")))?;
        Ok(Self {
            jsonl: Some((path, file)),
            tensorboard: Some(tensorboard),
            warning: None,
        })
    }

    /// Why a sink stopped writing, once, after the event that made it fail.
    pub fn take_warning(&mut self) -> Option<String> {
        self.warning.take()
    }

    fn write_line(&mut self, line: &Value) {
        let Some((path, file)) = &mut self.jsonl else {
            return;
        };
        if let Err(e) = writeln!(file, "{line}") {
            self.warning = Some(failed(path, &e));
            self.jsonl = None;
        }
    }

    fn write_scalars(&mut self, step: u64, scalars: &[(String, f64)]) {
        let Some(writer) = &mut self.tensorboard else {
            return;
        };
        let named: Vec<(&str, f64)> = scalars.iter().map(|(t, v)| (t.as_str(), *v)).collect();
        if let Err(e) = writer.scalars(step, &named) {
            self.warning = Some(failed(writer.path(), &e));
            self.tensorboard = None;
        }
    }
}

impl TrainObserver for LiveLogs {
    fn event(&mut self, event: &TrainEvent<'_>) {
        if let Some(line) = json_line(event) {
            self.write_line(&line);
        }
        if let Some((step, scalars)) = scalars(event) {
            self.write_scalars(step, &scalars);
        }
    }
}

fn failed(path: &Path, error: &std::io::Error) -> String {
    format!(
        "cannot write the live log `{}` ({error}); training goes on without it",
        path.display()
    )
}

/// The event's `metrics.jsonl` line, if it has one.
fn json_line(event: &TrainEvent<'_>) -> Option<Value> {
    let line = match event {
        TrainEvent::Started {
            step,
            total_steps,
            resumed,
        } => json!({
            "event": "started", "step": step, "total_steps": total_steps,
            "resumed": resumed.is_some()
        }),
        TrainEvent::Step(r) => json!({
            "event": "step", "epoch": r.epoch, "step": r.step, "total_steps": r.total_steps,
            "loss": r.loss, "lr": r.lr, "grad_norm": r.grad_norm,
            "samples_per_second": r.samples_per_second, "seconds": r.seconds
        }),
        TrainEvent::StepSkipped { step, loss_scale } => json!({
            "event": "step-skipped", "step": step, "loss_scale": loss_scale
        }),
        TrainEvent::Epoch { record, monitor } => json!({
            "event": "epoch", "epoch": record.epoch, "step": record.step,
            "train_loss": record.train_loss, "lr": record.lr,
            "validation_loss": record.validation_loss, "validation": record.validation,
            "monitor": monitor, "best": record.best, "seconds": record.seconds
        }),
        TrainEvent::StoppedEarly { epoch, .. } => json!({
            "event": "stopped-early", "epoch": epoch
        }),
        TrainEvent::Ended { steps, completed } => json!({
            "event": "ended", "steps": steps, "completed": completed
        }),
        TrainEvent::Validating { .. } => return None,
    };
    Some(line)
}

/// The event's TensorBoard scalars and their step, if it has any.
fn scalars(event: &TrainEvent<'_>) -> Option<(u64, Vec<(String, f64)>)> {
    match event {
        TrainEvent::Step(r) => Some((
            r.step,
            vec![
                ("train/loss".into(), r.loss),
                ("train/lr".into(), r.lr),
                ("train/grad_norm".into(), r.grad_norm),
                ("train/samples_per_second".into(), r.samples_per_second),
            ],
        )),
        TrainEvent::StepSkipped { step, loss_scale } => {
            Some((*step, vec![("train/loss_scale".into(), *loss_scale)]))
        }
        TrainEvent::Epoch { record, .. } => {
            let mut values = vec![("epoch/train_loss".into(), record.train_loss)];
            values.extend(
                record
                    .validation_loss
                    .map(|l| ("validation/loss".into(), l)),
            );
            values.extend(
                record
                    .validation
                    .iter()
                    .map(|(name, v)| (format!("validation/{name}"), *v)),
            );
            Some((record.step, values))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::tensorboard::read_scalars;
    use crate::train::{EpochRecord, StepReport};

    fn step(step: u64) -> StepReport {
        StepReport {
            epoch: 1,
            epochs: 1,
            step,
            total_steps: 2,
            loss: 1.5 / step as f64,
            lr: 1e-3,
            grad_norm: 0.75,
            samples_per_second: 40.0,
            seconds: step as f64,
            logged_loss: None,
        }
    }

    fn epoch() -> EpochRecord {
        EpochRecord {
            epoch: 1,
            step: 2,
            train_loss: 1.0,
            lr: 5e-4,
            validation_loss: Some(0.9),
            validation: BTreeMap::from([("evasion-macro-f1".to_owned(), 0.25)]),
            best: true,
            seconds: 2.0,
            warnings: Vec::new(),
        }
    }

    fn run(logs: &mut LiveLogs) {
        let (one, two, record) = (step(1), step(2), epoch());
        logs.event(&TrainEvent::Step(&one));
        logs.event(&TrainEvent::Validating { records: 3 });
        logs.event(&TrainEvent::Step(&two));
        let monitor = "evasion-macro-f1";
        logs.event(&TrainEvent::Epoch {
            record: &record,
            monitor,
        });
    }

    #[test]
    fn writes_a_json_line_per_step_and_epoch_and_tensorboard_scalars() {
        let dir = tempfile::tempdir().unwrap();
        let mut logs = LiveLogs::open(dir.path()).unwrap();
        run(&mut logs);
        assert_eq!(logs.take_warning(), None);
        let text = std::fs::read_to_string(dir.path().join(LIVE_METRICS_FILE)).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let events: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
        assert_eq!(events, ["step", "step", "epoch"]);
        assert_eq!(lines[1]["step"], 2);
        assert_eq!(lines[1]["loss"], 0.75);
        assert_eq!(lines[1]["grad_norm"], 0.75);
        assert_eq!(lines[2]["validation"]["evasion-macro-f1"], 0.25);

        let tensorboard = logs.tensorboard.as_ref().unwrap().path();
        let scalars = read_scalars(tensorboard).unwrap();
        let at = |tag: &str| -> Vec<(i64, f32)> {
            scalars
                .iter()
                .filter(|s| s.tag == tag)
                .map(|s| (s.step, s.value))
                .collect()
        };
        assert_eq!(at("train/loss"), [(1, 1.5), (2, 0.75)]);
        assert_eq!(at("train/lr"), [(1, 1e-3), (2, 1e-3)]);
        assert_eq!(at("train/samples_per_second"), [(1, 40.0), (2, 40.0)]);
        assert_eq!(at("validation/loss"), [(2, 0.9)]);
        assert_eq!(at("validation/evasion-macro-f1"), [(2, 0.25)]);
    }

    #[test]
    fn a_failing_sink_warns_once_and_the_others_go_on() {
        let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
            return; // not Linux: no device that fails every write
        };
        let dir = tempfile::tempdir().unwrap();
        let mut logs = LiveLogs::open(dir.path()).unwrap();
        logs.jsonl = Some((PathBuf::from("/dev/full"), full));
        let one = step(1);
        logs.event(&TrainEvent::Step(&one));
        let warning = logs.take_warning().unwrap();
        assert!(warning.contains("`/dev/full`"), "{warning}");
        assert!(
            warning.ends_with("training goes on without it"),
            "{warning}"
        );
        run(&mut logs);
        assert_eq!(logs.take_warning(), None, "warned once");
        let scalars = read_scalars(logs.tensorboard.as_ref().unwrap().path()).unwrap();
        assert_eq!(scalars.iter().filter(|s| s.tag == "train/loss").count(), 3);
    }
}
