//! End-to-end tests of the training pipelines through the `clarity` binary: the offline demo
//! (train, predict, evaluate, then fully cached), the multitask and ensemble variants, and a
//! training run killed mid-way that resumes and ends exactly where an uninterrupted run ends.

mod common;

use common::{clarity, root, small_pipeline, stderr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn demo() -> PathBuf {
    root().join("pipelines/demo.kdl")
}

/// The one cache entry holding `file` under output `output` (`.clarity/cache/*/OUTPUT/FILE`).
fn cached(dir: &Path, output: &str, file: &str) -> PathBuf {
    let cache = dir.join(".clarity/cache");
    let found: Vec<PathBuf> = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.path().join(output).join(file))
        .filter(|p| p.is_file())
        .collect();
    assert_eq!(found.len(), 1, "{output}/{file} in {found:?}");
    found.into_iter().next().unwrap()
}

fn summary(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(
        cached(dir, "metrics", "report.txt").with_file_name("metrics.json"),
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["summary"].clone()
}

#[test]
fn the_demo_trains_predicts_and_scores_then_is_cached() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo();
    let demo = demo.to_str().unwrap();
    // Without a file, `run` runs the demo built into the binary: pipelines/demo.kdl.
    let first = clarity(dir.path(), &["run"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("done: 7 ran, 0 cached"),
        "{}",
        stderr(&first)
    );
    // Not a terminal: epoch lines, no `[train] 0/264`-style progress counters.
    let log = stderr(&first);
    assert!(log.contains("  [train] epoch 1: train loss "), "{log}");
    assert!(
        !log.lines()
            .any(|l| l.trim_end().ends_with(|c: char| c.is_ascii_digit())
                && l.contains("] ")
                && l.split("] ")
                    .nth(1)
                    .is_some_and(|t| t.split('/').count() == 2
                        && t.split('/').all(|n| n.parse::<u64>().is_ok()))),
        "{log}"
    );

    let predictions =
        std::fs::read_to_string(cached(dir.path(), "predictions", "predictions.csv")).unwrap();
    let lines: Vec<&str> = predictions.lines().collect();
    assert_eq!(lines[0], "id,clarity_pred,evasion_pred");
    assert_eq!(lines.len(), 101, "100 test rows and the header");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.split(',').count() == 3 && !l.ends_with(','))
    );
    let copy = std::fs::read_to_string(dir.path().join("submissions/demo.csv")).unwrap();
    assert_eq!(copy, predictions);
    let probabilities =
        std::fs::read_to_string(cached(dir.path(), "predictions", "probabilities.csv")).unwrap();
    assert_eq!(probabilities.lines().count(), 101);

    // A model that always says the majority class scores a macro-F1 of about 0.05 on the 9
    // evasion classes and 0.2 on the 3 clarity classes; the demo must be clearly better.
    let s = summary(dir.path());
    let evasion = s["evasion-macro-f1"].as_f64().unwrap();
    let clarity_f1 = s["clarity-macro-f1"].as_f64().unwrap();
    assert!(
        evasion > 0.4 && evasion <= 1.0,
        "evasion macro-F1 {evasion}"
    );
    assert!(
        clarity_f1 > 0.6 && clarity_f1 <= 1.0,
        "clarity macro-F1 {clarity_f1}"
    );
    for key in ["evasion-multi-macro-f1", "evasion-majority-macro-f1"] {
        let v = s[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&v), "{key} {v}");
    }
    let reports = cached(dir.path(), "metrics", "train.log");
    for file in ["metrics.json", "learning_curves.svg"] {
        assert!(reports.with_file_name(file).is_file(), "{file}");
    }
    for file in [
        "config.json",
        "model.safetensors",
        "head.json",
        "clarity_template.json",
        "tokenizer.json",
    ] {
        assert!(cached(dir.path(), "best", file).is_file(), "best/{file}");
    }

    let second = clarity(dir.path(), &["run", demo]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("done: 0 ran, 7 cached"),
        "{}",
        stderr(&second)
    );
}

#[test]
fn multitask_and_ensemble_variants_predict_every_test_row() {
    let dir = tempfile::tempdir().unwrap();
    let text = small_pipeline(
        r#"    stage "multi" train model="model" head="multitask" {
        data train="tokens.train" validation="tokens.validation"
        epochs 2
        lr 1e-3
        alpha 0.7
        consistency-beta 0.1
    }
    stage "members" train model="model" head="hierarchical" {
        foreach "seed" 1 2
        data train="tokens.train" validation="tokens.validation"
        epochs 2
        lr 1e-3
        seed $seed
    }
    stage "predict-multi" predict model="multi.best" data="tokens.test"
    stage "predict-ensemble" predict models="members.best" data="tokens.test"
    stage "score" evaluate predictions="predict-ensemble" references="data.test""#,
    );
    std::fs::write(dir.path().join("p.kdl"), text).unwrap();
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("done: 10 ran"), "{}", stderr(&out));
    let cache = dir.path().join(".clarity/cache");
    let mut files: Vec<String> = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.path().join("predictions/predictions.csv"))
        .filter(|p| p.is_file())
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2);
    for text in &files {
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "id,clarity_pred,evasion_pred");
        assert_eq!(lines.len(), 41);
        assert!(
            lines[1..].iter().all(|l| !l.ends_with(',')),
            "both heads predict evasion"
        );
    }
    assert!(summary(dir.path())["evasion-macro-f1"].as_f64().is_some());
}

#[test]
fn a_killed_training_run_resumes_and_ends_like_an_uninterrupted_one() {
    let text = small_pipeline(
        r#"    stage "train" train model="model" head="hierarchical" {
        data train="tokens.train" validation="tokens.validation"
        epochs 4
        lr 1e-3
        checkpoint-every 3
    }"#,
    );
    let whole = tempfile::tempdir().unwrap();
    std::fs::write(whole.path().join("p.kdl"), &text).unwrap();
    let reference = clarity(whole.path(), &["run", "p.kdl"]);
    assert_eq!(reference.status.code(), Some(0), "{}", stderr(&reference));

    let broken = tempfile::tempdir().unwrap();
    std::fs::write(broken.path().join("p.kdl"), &text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_clarity"))
        .args(["run", "p.kdl"])
        .current_dir(broken.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let resume = broken.path().join(".clarity/resume");
    let started = Instant::now();
    let state = loop {
        let found = std::fs::read_dir(&resume).ok().and_then(|entries| {
            entries
                .flatten()
                .map(|e| e.path().join("last/trainer_state.json"))
                .find(|p| p.is_file())
        });
        if let Some(path) = found {
            break path;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its first checkpoint"
        );
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "no checkpoint appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        state.is_file(),
        "the resumable checkpoint survives the kill"
    );
    assert!(
        !broken
            .path()
            .join(".clarity/cache")
            .read_dir()
            .unwrap()
            .flatten()
            .any(|e| e.path().join("last").is_dir())
    );

    let resumed = clarity(broken.path(), &["run", "p.kdl"]);
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    assert!(
        stderr(&resumed).contains("resuming from optimiser step"),
        "{}",
        stderr(&resumed)
    );
    for file in ["model.safetensors", "head.json"] {
        let a = std::fs::read(cached(whole.path(), "last", file)).unwrap();
        let b = std::fs::read(cached(broken.path(), "last", file)).unwrap();
        assert!(a == b, "last/{file} differs from the uninterrupted run's");
    }
    let history = |dir: &Path| {
        let log = cached(dir, "metrics", "train.log");
        let text = std::fs::read_to_string(log.with_file_name("metrics.json")).unwrap();
        let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
        for epoch in json["epochs"].as_array_mut().unwrap() {
            epoch["seconds"] = 0.into();
        }
        json
    };
    assert_eq!(history(whole.path()), history(broken.path()));
    assert!(
        !resume.join("x").exists() && std::fs::read_dir(&resume).unwrap().next().is_none(),
        "the resume directory is cleared at the end"
    );
}

#[test]
fn predict_out_is_relative_to_the_directory_clarity_runs_in_and_restored_when_cached() {
    let dir = tempfile::tempdir().unwrap();
    let text = small_pipeline(
        r#"    stage "train" train model="model" head="hierarchical" {
        data train="tokens.train" validation="tokens.validation"
        epochs 1
        lr 1e-3
    }
    stage "predict" predict model="train.best" data="tokens.test" out="subs/run.csv""#,
    );
    std::fs::create_dir(dir.path().join("pipes")).unwrap();
    std::fs::write(dir.path().join("pipes/p.kdl"), text).unwrap();
    let out = clarity(dir.path(), &["run", "pipes/p.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let copy = dir.path().join("subs/run.csv");
    let predictions =
        std::fs::read_to_string(cached(dir.path(), "predictions", "predictions.csv")).unwrap();
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), predictions);
    assert!(!dir.path().join("pipes/subs").exists());

    // Every stage is cached, yet the deleted copy comes back (and the run says so).
    std::fs::remove_file(&copy).unwrap();
    let again = clarity(dir.path(), &["run", "pipes/p.kdl"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stderr(&again).contains(" 0 ran"), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("[predict] restored subs/run.csv from the cached predictions"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), predictions);

    // An up-to-date copy is left alone, without a word.
    let third = clarity(dir.path(), &["run", "pipes/p.kdl"]);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    assert!(!stderr(&third).contains("restored"), "{}", stderr(&third));
}
