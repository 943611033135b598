//! Crash safety, tested the way SQLite and DVC test it: the demo pipeline (shrunk with
//! `--set`) is killed at deterministic crash points (`CLARITY_FAULT=NAME:N` aborts the
//! process at the Nth call of a point, as SIGKILL would) and at wall-clock moments, then run
//! again; every re-run must end with outputs identical to an uninterrupted run's: both
//! checkpoints' files, the predictions and probabilities, the published submission, the
//! learning curves and both `metrics.json` (train's without its wall-clock `seconds`).
//!
//! The normal suite runs a subset; the full set of kill points runs with
//! `cargo test --test fault_injection -- --ignored`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::stderr;

/// The demo, shrunk to a few seconds in a debug build: 6 epochs of 13 optimiser steps (204
/// training records in batches of 16; a resumable checkpoint every 5 steps and at each
/// epoch end: 20 in all), the best epoch the 4th, 3 prediction batches.
const SHRINK: &[&str] = &[
    "--set",
    "data.train-rows=240",
    "--set",
    "data.test-rows=40",
    "--set",
    "tokens.max-length=32",
    "--set",
    "train.epochs=6",
    "--set",
    "train.lr=8e-3",
    "--set",
    "train.checkpoint-every=5",
    "--set",
    "predict.batch-size=16",
];

/// Runs the demo in `dir` with `fault` armed (when given).
fn run(dir: &Path, fault: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clarity"));
    command
        .arg("run")
        .args(SHRINK)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLARITY_FAULT");
    if let Some(fault) = fault {
        command.env("CLARITY_FAULT", fault);
    }
    command.output().expect("the clarity binary runs")
}

/// The compared outputs of a finished run, by `stage/output/file`.
fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let cache = dir.join(".clarity/cache");
    for entry in std::fs::read_dir(&cache).unwrap().flatten() {
        let meta = std::fs::read_to_string(entry.path().join("stage.json")).unwrap();
        let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
        let stage = meta["stage"].as_str().unwrap().to_owned();
        for output in ["best", "last", "predictions", "metrics"] {
            let Ok(files) = std::fs::read_dir(entry.path().join(output)) else {
                continue;
            };
            for file in files.flatten() {
                let name = file.file_name().to_string_lossy().into_owned();
                let compared = matches!(
                    name.as_str(),
                    "model.safetensors"
                        | "clarity_template.json"
                        | "config.json"
                        | "head.json"
                        | "tokenizer.json"
                        | "predictions.csv"
                        | "probabilities.csv"
                        | "metrics.json"
                        | "learning_curves.svg"
                );
                if compared {
                    let key = format!("{stage}/{output}/{name}");
                    found.insert(key, comparable(&name, std::fs::read(file.path()).unwrap()));
                }
            }
        }
    }
    let submission = dir.join("submissions/demo.csv");
    found.insert(
        "submissions/demo.csv".into(),
        std::fs::read(&submission).unwrap_or_default(),
    );
    found
}

/// `metrics.json` without the wall-clock `seconds` of train's epochs.
fn comparable(name: &str, bytes: Vec<u8>) -> Vec<u8> {
    if name != "metrics.json" {
        return bytes;
    }
    let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    if let Some(epochs) = json["epochs"].as_array_mut() {
        for epoch in epochs {
            epoch["seconds"] = 0.into();
        }
    }
    serde_json::to_vec(&json).unwrap()
}

/// The uninterrupted run: its outputs, its train.log and how long it took.
struct Reference {
    outputs: BTreeMap<String, Vec<u8>>,
    log: String,
    seconds: f64,
}

fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let out = run(dir.path(), None);
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let outputs = outputs(dir.path());
        let expected = [
            "train/best/model.safetensors",
            "train/best/head.json",
            "train/last/model.safetensors",
            "train/metrics/metrics.json",
            "predict/predictions/predictions.csv",
            "predict/predictions/probabilities.csv",
            "evaluate/metrics/metrics.json",
        ];
        for key in expected {
            assert!(outputs.contains_key(key), "{key} in {:?}", outputs.keys());
        }
        let metrics: serde_json::Value =
            serde_json::from_slice(&outputs["train/metrics/metrics.json"]).unwrap();
        let (best, epochs) = (
            metrics["best_epoch"].as_u64().unwrap(),
            metrics["epochs"].as_array().unwrap().len() as u64,
        );
        assert!(
            best < epochs,
            "the kills after the best epoch need a best epoch ({best}) before the last ({epochs})"
        );
        Reference {
            outputs,
            log: train_log(dir.path()),
            seconds,
        }
    })
}

fn train_log(dir: &Path) -> String {
    let cache = dir.join(".clarity/cache");
    let log: Vec<PathBuf> = std::fs::read_dir(cache)
        .unwrap()
        .flatten()
        .map(|e| e.path().join("metrics/train.log"))
        .filter(|p| p.is_file())
        .collect();
    assert_eq!(log.len(), 1, "{log:?}");
    std::fs::read_to_string(&log[0]).unwrap()
}

/// Runs again in `dir` after a crash and checks the outputs against the reference.
fn rerun_matches_reference(dir: &Path, what: &str) -> String {
    let again = run(dir, None);
    assert_eq!(
        again.status.code(),
        Some(0),
        "the run after {what} failed:\n{}",
        stderr(&again)
    );
    let reference = reference();
    let got = outputs(dir);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        reference.outputs.keys().collect::<Vec<_>>(),
        "after {what}"
    );
    for (key, bytes) in &reference.outputs {
        assert!(
            &got[key] == bytes,
            "after {what}, {key} differs from the uninterrupted run's"
        );
    }
    let resume = dir.join(".clarity/resume");
    assert!(
        std::fs::read_dir(&resume).map_or(true, |mut d| d.next().is_none()),
        "after {what}, the resume directory is cleared"
    );
    stderr(&again)
}

/// Crashes a fresh run at `point` (`NAME:N`), runs it again, compares.
fn crash_and_recover(point: &str) {
    let dir = tempfile::tempdir().unwrap();
    let crashed = run(dir.path(), Some(point));
    let err = stderr(&crashed);
    assert!(
        !crashed.status.success() && err.contains(&format!("crashing at {point}")),
        "{point} was not reached (status {:?}):\n{err}",
        crashed.status
    );
    rerun_matches_reference(dir.path(), point);
}

fn crash_at_each(points: &[&str]) {
    for point in points {
        crash_and_recover(point);
    }
}

/// Kill points over the whole run: optimiser steps (the first, mid-epoch, an epoch's last,
/// the best epoch's last, the run's last), resumable checkpoints before and during their
/// swap (mid-epoch and at epoch ends, the last one included), the best checkpoint's writes,
/// epoch ends (the best one and those after it), the end of training, prediction, and the
/// cache commits of the last three stages (train, predict, evaluate; stage.json written, the
/// entry not yet renamed into place).
const ALL_POINTS: &[&str] = &[
    "train.step:1",
    "train.step:6",
    "train.step:13",
    "train.step:14",
    "train.step:30",
    "train.step:52",
    "train.step:53",
    "train.step:70",
    "train.step:78",
    "train.checkpoint:1",
    "train.checkpoint:7",
    "train.checkpoint:20",
    "train.checkpoint.swap:3",
    "train.checkpoint.swap:12",
    "train.best:1",
    "train.best:4",
    "train.best.swap:2",
    "train.best.swap:4",
    "train.epoch:1",
    "train.epoch:4",
    "train.epoch:5",
    "train.epoch:6",
    "train.finish:1",
    "predict.batch:1",
    "predict.batch:3",
    "cache.commit:5",
    "cache.commit:6",
    "cache.commit:7",
];

/// A spread of [`ALL_POINTS`] for the normal suite.
const QUICK_POINTS: &[&str] = &[
    "train.step:30",
    "train.checkpoint.swap:12",
    "train.best.swap:4",
    "train.finish:1",
    "predict.batch:2",
];

#[test]
fn crashes_at_a_spread_of_points_recover_to_the_uninterrupted_outputs() {
    crash_at_each(QUICK_POINTS);
}

#[test]
#[ignore = "the full set of kill points takes minutes: cargo test --test fault_injection -- --ignored"]
fn crashes_at_every_kill_point_recover_to_the_uninterrupted_outputs() {
    crash_at_each(ALL_POINTS);
}

#[test]
fn a_crash_after_the_best_epoch_keeps_the_best_checkpoint_and_the_whole_log() {
    let reference = reference();
    let metrics: serde_json::Value =
        serde_json::from_slice(&reference.outputs["train/metrics/metrics.json"]).unwrap();
    let best = metrics["best_epoch"].as_u64().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let point = format!("train.epoch:{}", best + 1);
    let crashed = run(dir.path(), Some(&point));
    assert!(!crashed.status.success(), "{}", stderr(&crashed));
    let err = rerun_matches_reference(dir.path(), &point);
    assert!(err.contains("resuming from optimiser step"), "{err}");
    // The log holds the first attempt's lines, the resume and the rest, in order.
    let log = train_log(dir.path());
    let first = log
        .find("epoch 1 done")
        .expect("the first attempt's epochs");
    let resumed = log.find("resumed at optimiser step").expect("the resume");
    let last = log.find("finished after").expect("the end");
    assert!(first < resumed && resumed < last, "{log}");
    let epochs_done = |log: &str| log.matches(" done: train loss").count();
    assert_eq!(epochs_done(&log), epochs_done(&reference.log), "{log}");
}

/// SIGKILL at moments spread over the run (fractions of the uninterrupted run's wall time).
#[test]
fn wall_clock_kills_recover_to_the_uninterrupted_outputs() {
    let seconds = reference().seconds;
    for fraction in [0.35, 0.7, 0.9] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_clarity"))
            .arg("run")
            .args(SHRINK)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env_remove("CLARITY_FAULT")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_secs_f64(seconds * fraction));
        child.kill().unwrap();
        child.wait().unwrap();
        rerun_matches_reference(dir.path(), &format!("SIGKILL at {fraction} of the run"));
    }
}
