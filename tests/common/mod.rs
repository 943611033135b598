//! Helpers of the end-to-end tests: running the `clarity` binary and finding repo files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `clarity` binary in `dir` with plain (uncoloured) diagnostics.
pub fn clarity(dir: &Path, args: &[&str]) -> Output {
    clarity_with_env::<&str>(dir, args, &[])
}

/// [`clarity`] with these environment variables set.
pub fn clarity_with_env<V: AsRef<std::ffi::OsStr>>(
    dir: &Path,
    args: &[&str],
    vars: &[(&str, V)],
) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clarity"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        // Hermetic: the developer's own config file (a cluster's executor) is not read.
        .env("CLARITY_CONFIG", "/nonexistent/clarity/config.kdl")
        .envs(vars.iter().map(|(k, v)| (k, v.as_ref())))
        .output()
        .expect("the clarity binary runs")
}

/// What a run printed on stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The repository root (read at run time: a test binary may be reused from another checkout
/// that shares the target directory).
pub fn root() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
}

/// The demo's data, model and tokens with a smaller dataset, then `rest`.
pub fn small_pipeline(rest: &str) -> String {
    format!(
        r#"pipeline "small" {{
    stage "data" synthetic-dataset train-rows=160 test-rows=40 seed=7
    stage "split" split from="data.train" by="evasion_label" validation=0.15 seed=7
    stage "model" build-model seed=7 {{
        vocab-from "split.train"
    }}
    stage "tokens" tokenize tokenizer="model" max-length=48 {{
        inputs "split.train" "split.validation" "data.test"
        template "{{question}}"
        pair-template "{{interview_answer}}"
    }}
{rest}
}}
"#
    )
}

/// After [`small_pipeline`]'s stages: one epoch of training, prediction and evaluation.
pub const TRAIN_ONE_EPOCH: &str = r#"    stage "train" train model="model" {
        data train="tokens.train" validation="tokens.validation"
        epochs 1
        lr 1e-3
    }
    stage "predict" predict model="train.best" data="tokens.test"
    stage "evaluate" evaluate predictions="predict" references="data.test""#;

/// The stages a run's log says ended with `status` (`ran`, `cached`, `failed`, …), sorted.
pub fn stages_with(log: &str, status: &str) -> Vec<String> {
    let prefix = format!("  {status:8} ");
    let mut names: Vec<String> = log
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter_map(|l| l.split(" (").next())
        .map(str::to_owned)
        .collect();
    names.sort();
    names
}
