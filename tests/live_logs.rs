//! Live training logs: while (and after) a run trains, `.clarity/logs/<run-id>/<stage>/`
//! holds `metrics.jsonl` (a line per optimiser step and per epoch) and a TensorBoard event
//! file; the run manifest names the directory.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{clarity, small_pipeline, stderr};

const TRAIN: &str = r#"    stage "train" train model="model" head="hierarchical" {
        data train="tokens.train" validation="tokens.validation"
        epochs 2
        batch-size 16
        lr 1e-3
    }"#;

/// Runs the small training pipeline; returns the run's id and its manifest.
fn train_once(dir: &Path) -> (String, serde_json::Value) {
    std::fs::write(dir.join("p.kdl"), small_pipeline(TRAIN)).unwrap();
    let out = clarity(dir, &["run", "p.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("[train] live logs (metrics.jsonl, TensorBoard) in .clarity/logs/"),
        "{}",
        stderr(&out)
    );
    let runs: Vec<PathBuf> = std::fs::read_dir(dir.join(".clarity/runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let id = runs[0].file_name().unwrap().to_string_lossy().into_owned();
    let manifest = std::fs::read_to_string(runs[0].join("manifest.json")).unwrap();
    (id, serde_json::from_str(&manifest).unwrap())
}

fn event_file(logs: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(logs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("events.out.tfevents."))
        })
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

#[test]
fn training_writes_a_line_per_step_and_tensorboard_scalars_under_clarity_logs() {
    let dir = tempfile::tempdir().unwrap();
    let (id, manifest) = train_once(dir.path());
    let logs = dir.path().join(".clarity/logs").join(&id).join("train");
    let stages = manifest["stages"].as_array().unwrap();
    let train = stages.iter().find(|s| s["name"] == "train").unwrap();
    assert_eq!(
        Path::new(train["records"]["live_logs"].as_str().unwrap()),
        logs.canonicalize().unwrap()
    );
    let steps = train["metrics"]["train.steps"].as_f64().unwrap() as u64;
    assert!(steps >= 4, "{steps} steps");
    // Only the stage that asked for live logs has a directory.
    let stage_dirs = std::fs::read_dir(logs.parent().unwrap()).unwrap().count();
    assert_eq!(stage_dirs, 1);

    let text = std::fs::read_to_string(logs.join("metrics.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of = |event: &str| -> Vec<&serde_json::Value> {
        lines.iter().filter(|l| l["event"] == event).collect()
    };
    let step_lines = of("step");
    let numbered: Vec<u64> = step_lines
        .iter()
        .map(|l| l["step"].as_u64().unwrap())
        .collect();
    assert_eq!(numbered, (1..=steps).collect::<Vec<_>>());
    for line in &step_lines {
        for key in ["loss", "lr", "grad_norm", "samples_per_second"] {
            let value = line[key].as_f64().unwrap();
            assert!(value.is_finite() && value >= 0.0, "{key} {value}");
        }
    }
    let epochs = of("epoch");
    assert_eq!(epochs.len(), 2);
    assert!(
        epochs[1]["validation"]["evasion-macro-f1"]
            .as_f64()
            .is_some()
    );
    assert_eq!(of("ended")[0]["completed"], true);

    let scalars = clarity_train::tensorboard::read_scalars(&event_file(&logs)).unwrap();
    let at = |tag: &str| -> Vec<(i64, f32)> {
        scalars
            .iter()
            .filter(|s| s.tag == tag)
            .map(|s| (s.step, s.value))
            .collect()
    };
    let losses = at("train/loss");
    assert_eq!(losses.len() as u64, steps);
    for (line, (step, loss)) in step_lines.iter().zip(&losses) {
        assert_eq!(line["step"].as_i64(), Some(*step));
        assert_eq!(line["loss"].as_f64().unwrap() as f32, *loss);
    }
    for tag in ["train/lr", "train/grad_norm", "train/samples_per_second"] {
        assert_eq!(at(tag).len() as u64, steps, "{tag}");
    }
    assert_eq!(at("validation/evasion-macro-f1").len(), 2);
    assert_eq!(
        at("validation/loss").last().map(|s| s.0),
        Some(steps as i64)
    );
}

#[test]
fn training_goes_on_with_a_warning_when_the_live_logs_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".clarity")).unwrap();
    // A file where the logs directory would go.
    std::fs::write(dir.path().join(".clarity/logs"), "").unwrap();
    std::fs::write(dir.path().join("p.kdl"), small_pipeline(TRAIN)).unwrap();
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("warning: no live logs"))
        .collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].contains("training goes on without them"),
        "{err}"
    );
    assert!(err.contains("[train] epoch 2: train loss "), "{err}");
}

/// The Python that may have TensorBoard: `$CLARITY_TEST_PYTHON`, else the project's venv.
fn python() -> PathBuf {
    std::env::var_os("CLARITY_TEST_PYTHON").map_or_else(
        || {
            let home = std::env::var_os("HOME").unwrap_or_default();
            PathBuf::from(home).join(".cache/clarity-venv/bin/python")
        },
        PathBuf::from,
    )
}

#[test]
fn tensorboard_reads_the_event_file_when_it_is_installed() {
    let python = python();
    let has_tensorboard = Command::new(&python)
        .args(["-c", "import tensorboard"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_tensorboard {
        eprintln!("skipped: {} cannot import tensorboard", python.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (id, manifest) = train_once(dir.path());
    let logs = dir.path().join(".clarity/logs").join(id).join("train");
    let script = r#"
import sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
acc = EventAccumulator(sys.argv[1])
acc.Reload()
loss = acc.Scalars("train/loss")
print(len(loss), loss[-1].step, len(acc.Scalars("validation/evasion-macro-f1")))
"#;
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(&logs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stages = manifest["stages"].as_array().unwrap();
    let train = stages.iter().find(|s| s["name"] == "train").unwrap();
    let steps = train["metrics"]["train.steps"].as_f64().unwrap() as u64;
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("{steps} {steps} 2")
    );
}
