//! Declared outputs: their kinds, and checking what the command wrote against them.

use std::path::Path;

use clarity_engine::{ArtifactKind, Params, Value};

use super::super::predict::PREDICTIONS_FILE;

use super::ExecError;
use super::env::env_name;

/// The output kinds `exec` can declare with `kind=`, and what each must hold.
pub(super) const OUTPUT_KINDS: [(&str, ArtifactKind, &str); 4] = [
    (
        "files",
        ArtifactKind::FILES,
        "any files (nothing is checked)",
    ),
    (
        "predictions",
        ArtifactKind::PREDICTIONS,
        "predictions.csv with columns id,clarity_pred[,evasion_pred]",
    ),
    (
        "table",
        ArtifactKind::TABLE,
        "data.jsonl or data.parquet (with table.json), as stages that write tables do",
    ),
    (
        "metrics",
        ArtifactKind::METRICS,
        "metrics.json, a JSON object",
    ),
];

/// The declared outputs with their `kind=` names (`files` when none).
pub(super) fn declared_outputs(params: &Params) -> Vec<(String, String)> {
    let names = list_strs(params, "outputs").unwrap_or_else(|| vec!["out".to_owned()]);
    let kinds = list_strs(params, "outputs.kind").unwrap_or_default();
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let kind = kinds
                .get(i)
                .filter(|k| !k.is_empty())
                .cloned()
                .unwrap_or_else(|| "files".to_owned());
            (name, kind)
        })
        .collect()
}

/// A list param's strings (a single value counts as a one-item list).
pub(super) fn list_strs(params: &Params, name: &str) -> Option<Vec<String>> {
    match params.get(name)? {
        Value::List(items) => Some(
            items
                .iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect(),
        ),
        Value::String(s) => Some(vec![s.clone()]),
        _ => None,
    }
}

pub(super) fn output_kind(kind: &str) -> Option<(ArtifactKind, &'static str)> {
    OUTPUT_KINDS
        .iter()
        .find(|(name, _, _)| *name == kind)
        .map(|(_, kind, expected)| (*kind, *expected))
}

/// Copies the files under `from` into `to` (created; a file there that differs is
/// overwritten, others are left alone). Returns how many files it wrote.
pub(super) fn copy_dir(from: &Path, to: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(to)?;
    let mut written = 0;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            written += copy_dir(&entry.path(), &target)?;
        } else {
            let content = std::fs::read(entry.path())?;
            if std::fs::read(&target).is_ok_and(|copy| copy == content) {
                continue;
            }
            std::fs::write(&target, content)?;
            written += 1;
        }
    }
    Ok(written)
}

/// Checks that output `name` holds what its `kind` requires.
pub(super) fn check_output(name: &str, kind: &str, dir: &Path) -> Result<(), ExecError> {
    let Some((_, expected)) = output_kind(kind) else {
        return Ok(());
    };
    let problem = match kind {
        "predictions" => {
            let csv = dir.join(PREDICTIONS_FILE);
            if csv.is_file() {
                clarity_train::evaluate::read_predictions(&csv)
                    .err()
                    .map(|e| format!("is malformed: {e}"))
            } else {
                Some(format!("is missing: no {PREDICTIONS_FILE} was written"))
            }
        }
        "table" => match clarity_data::table::read_table_artifact(dir) {
            Ok(_) => None,
            Err(e) if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none()) => {
                Some(format!("is missing: nothing was written ({e})"))
            }
            Err(e) => Some(format!("is malformed: {e}")),
        },
        "metrics" => {
            let path = dir.join("metrics.json");
            match std::fs::read(&path) {
                Err(_) => Some("is missing: no metrics.json was written".to_owned()),
                Ok(bytes) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
                    Ok(v) if v.is_object() => None,
                    Ok(_) => Some("is malformed: metrics.json is not a JSON object".to_owned()),
                    Err(e) => Some(format!("is malformed: metrics.json: {e}")),
                },
            }
        }
        _ => None,
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(ExecError::Output {
            output: name.to_owned(),
            kind: kind.to_owned(),
            problem,
            env: env_name(name),
            expected,
        }),
    }
}
