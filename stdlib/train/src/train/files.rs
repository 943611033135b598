use std::path::Path;

use serde::Serialize;

use super::{EpochRecord, Monitor, TrainError, TrainerState};
use crate::plot::{Panel, Series, learning_curves_svg};

/// `metrics.json`: every epoch's numbers and the best one.
pub const METRICS_FILE: &str = "metrics.json";
/// The training log.
pub const LOG_FILE: &str = "train.log";
/// Training and validation curves.
pub const CURVES_FILE: &str = "learning_curves.svg";

#[derive(Serialize)]
struct MetricsFile<'a> {
    monitor: &'a Monitor,
    best_epoch: Option<usize>,
    best_value: Option<f64>,
    stopped_early: bool,
    steps: u64,
    epochs: &'a [EpochRecord],
}

/// Writes `metrics.json` and `learning_curves.svg` into `dir`.
pub(crate) fn write_reports(
    dir: &Path,
    state: &TrainerState,
    monitor: &Monitor,
) -> Result<(), TrainError> {
    let metrics = MetricsFile {
        monitor,
        best_epoch: state.best.map(|(_, e)| e),
        best_value: state.best.map(|(v, _)| v),
        stopped_early: state.stopped_early,
        steps: state.step,
        epochs: &state.history,
    };
    let text = serde_json::to_string_pretty(&metrics).expect("plain data serialises");
    write(&dir.join(METRICS_FILE), text)?;
    write(&dir.join(CURVES_FILE), curves(state))
}

fn curves(state: &TrainerState) -> String {
    let per_epoch = |f: &dyn Fn(&EpochRecord) -> Option<f64>| -> Vec<(f64, f64)> {
        state
            .history
            .iter()
            .filter_map(|r| f(r).map(|v| (r.epoch as f64, v)))
            .collect()
    };
    let mut loss = vec![
        Series {
            name: "train (log points)".into(),
            points: state.loss_curve.clone(),
        },
        Series {
            name: "train (epoch mean)".into(),
            points: per_epoch(&|r| Some(r.train_loss)),
        },
    ];
    let validation_loss = per_epoch(&|r| r.validation_loss);
    if !validation_loss.is_empty() {
        loss.push(Series {
            name: "validation".into(),
            points: validation_loss,
        });
    }
    let mut names: Vec<&String> = state
        .history
        .iter()
        .flat_map(|r| r.validation.keys())
        .filter(|k| k.ends_with("macro-f1"))
        .collect();
    names.sort();
    names.dedup();
    let scores = names
        .into_iter()
        .map(|name| Series {
            name: name.clone(),
            points: per_epoch(&|r| r.validation.get(name).copied()),
        })
        .collect();
    learning_curves_svg(
        &[
            Panel {
                title: "loss".into(),
                series: loss,
            },
            Panel {
                title: "validation macro-F1".into(),
                series: scores,
            },
        ],
        "epoch",
    )
}

fn write(path: &Path, text: String) -> Result<(), TrainError> {
    std::fs::write(path, text).map_err(|source| TrainError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    })
}
