//! The demo pipeline end to end on `--device vulkan` (the wgpu backend; in CI Mesa's software
//! Vulkan device lavapipe, installed by `.ci/lavapipe`), shrunk to a few training steps.
//! Run with `cargo test --features wgpu --test demo_wgpu`.
#![cfg(feature = "wgpu")]

mod common;

use std::path::Path;

use common::{clarity_with_env, stderr};

/// The built-in demo, shrunk: 2 epochs of 13 optimiser steps, 40 test rows.
const SHRINK: &[&str] = &[
    "--set",
    "data.train-rows=240",
    "--set",
    "data.test-rows=40",
    "--set",
    "tokens.max-length=32",
    "--set",
    "train.epochs=2",
];

/// The run's manifest (`.clarity/runs/*/manifest.json`; the test runs once).
fn manifest(dir: &Path) -> serde_json::Value {
    let runs: Vec<_> = std::fs::read_dir(dir.join(".clarity/runs"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("manifest.json"))
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    serde_json::from_str(&std::fs::read_to_string(&runs[0]).unwrap()).unwrap()
}

#[test]
fn the_demo_trains_and_predicts_on_vulkan() {
    let dir = tempfile::tempdir().unwrap();
    let kernels = tempfile::tempdir().unwrap();
    let mut args = vec!["run", "--device", "vulkan"];
    args.extend_from_slice(SHRINK);
    let out = clarity_with_env(
        dir.path(),
        &args,
        &[("CLARITY_KERNEL_CACHE", kernels.path())],
    );
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert!(log.contains("done: 7 ran, 0 cached"), "{log}");
    assert!(log.contains("head on vulkan"), "{log}");

    let manifest = manifest(dir.path());
    assert_eq!(manifest["device"], "vulkan");
    let stages = manifest["stages"].as_array().unwrap();
    let stage = |name: &str| {
        stages
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no stage {name} in {manifest}"))
    };
    for name in ["train", "predict"] {
        assert_eq!(stage(name)["status"], "ran", "{name}");
        assert_eq!(stage(name)["placement"]["device"], "vulkan", "{name}");
    }
    let steps = stage("train")["metrics"]["train.steps"].as_f64().unwrap();
    assert!(steps >= 2.0, "{steps} optimiser steps");

    // CubeCL's compiled kernels and autotune results went to the kernel cache, not the project.
    assert!(
        !dir.path().join("target").exists(),
        "a ./target in the project"
    );
    let cached = walk(kernels.path());
    assert!(
        cached
            .iter()
            .any(|p| p.to_string_lossy().contains("autotune")),
        "no autotune results in the kernel cache: {cached:?}"
    );
    assert!(cached.len() >= 2, "{cached:?}");

    let predictions = std::fs::read_to_string(dir.path().join("submissions/demo.csv")).unwrap();
    let lines: Vec<&str> = predictions.lines().collect();
    assert_eq!(lines[0], "id,clarity_pred,evasion_pred");
    assert_eq!(lines.len(), 41, "40 test rows and the header");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.split(',').count() == 3 && l.split(',').all(|f| !f.is_empty())),
        "{predictions}"
    );
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
