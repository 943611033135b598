use std::path::Path;

use serde::Serialize;

use super::{EpochRecord, Monitor, TrainError, TrainerState};
use crate::plot::{BestMark, Figure, Panel, Series, learning_curves_svg};

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
    write(
        &dir.join(CURVES_FILE),
        learning_curves_svg(&curves(state, monitor))?,
    )
}

/// The loss panel (log points, epoch means, validation) and the validation scores panel
/// (every macro-F1, and the monitored metric), on 0–1, the best epoch marked.
fn curves(state: &TrainerState, monitor: &Monitor) -> Figure {
    let per_epoch = |f: &dyn Fn(&EpochRecord) -> Option<f64>| -> Vec<(f64, f64)> {
        state
            .history
            .iter()
            .filter_map(|r| f(r).map(|v| (r.epoch as f64, v)))
            .collect()
    };
    let series = |name: &str, points| Series {
        name: name.into(),
        points,
    };
    let mut loss = vec![
        series("train (log points)", state.loss_curve.clone()),
        series("train (epoch mean)", per_epoch(&|r| Some(r.train_loss))),
    ];
    let validation_loss = per_epoch(&|r| r.validation_loss);
    if !validation_loss.is_empty() {
        loss.push(series(VALIDATION_LOSS, validation_loss));
    }
    let mut names: Vec<&String> = state
        .history
        .iter()
        .flat_map(|r| r.validation.keys())
        .filter(|k| k.ends_with("macro-f1") || **k == monitor.metric)
        .collect();
    names.sort();
    names.dedup();
    let only_f1 = names.iter().all(|n| n.ends_with("macro-f1"));
    let scores = names
        .into_iter()
        .map(|name| series(name, per_epoch(&|r| r.validation.get(name).copied())))
        .collect();
    let best = state.best.map(|(_, epoch)| BestMark {
        x: epoch as f64,
        series: match monitor.metric.as_str() {
            "loss" => VALIDATION_LOSS.into(),
            metric => metric.into(),
        },
        label: format!("best epoch: {epoch}"),
    });
    Figure {
        panels: vec![
            Panel {
                title: "loss".into(),
                y_label: "loss".into(),
                y_range: None,
                series: loss,
            },
            Panel {
                title: if only_f1 {
                    "validation macro-F1"
                } else {
                    "validation scores"
                }
                .into(),
                y_label: if only_f1 { "macro-F1" } else { "score" }.into(),
                y_range: Some((0.0, 1.0)),
                series: scores,
            },
        ],
        x_label: "epoch".into(),
        best,
    }
}

/// The validation loss's series name.
const VALIDATION_LOSS: &str = "validation";

fn write(path: &Path, text: String) -> Result<(), TrainError> {
    std::fs::write(path, text).map_err(|source| TrainError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    })
}
