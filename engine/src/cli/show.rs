//! `clarity show [RUN] [--pipeline P] [--format table|json]`: one run — its stages with
//! status and time, its metrics and warnings, and where its results are (the checkpoint,
//! predictions and metrics outputs, resolved to their directories in the cache).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::ArtifactKind;
use crate::diag::Style;

use super::load::print_error;
use super::recorded::{RecordedRun, pick, read_runs, relative, runs_dir};
use super::runs::utc;
use super::{CliError, EXIT_CONFIG, ShowArgs};

/// The artifact kinds `show` lists as results; `--all` lists every output.
const RESULT_KINDS: [ArtifactKind; 3] = [
    ArtifactKind::CHECKPOINT,
    ArtifactKind::PREDICTIONS,
    ArtifactKind::METRICS,
];

/// One run, as `show --format json` prints it.
#[derive(Debug, Serialize)]
struct Shown {
    id: String,
    pipeline: String,
    file: String,
    status: String,
    started_unix_ms: u64,
    duration_s: f64,
    overrides: BTreeMap<String, String>,
    stages: Vec<ShownStage>,
    metrics: BTreeMap<String, f64>,
    warnings: Vec<String>,
    artifacts: Vec<Artifact>,
}

#[derive(Debug, Serialize)]
struct ShownStage {
    name: String,
    kind: String,
    status: String,
    duration_s: f64,
}

/// One output of the run and the files in it.
#[derive(Debug, Serialize)]
struct Artifact {
    /// `"stage.output"`.
    output: String,
    /// Its artifact kind (empty in manifests of older releases).
    kind: String,
    /// Its directory (relative to the current directory when under it).
    dir: PathBuf,
    /// The names in the directory, sorted (a subdirectory with a trailing `/`); empty when
    /// the entry is gone from the cache.
    files: Vec<String>,
    /// Whether the directory is still in the cache.
    present: bool,
}

/// `clarity show`.
pub fn show(args: &ShowArgs, style: Style) -> u8 {
    let shown = runs_dir().and_then(|dir| {
        let runs = read_runs(&dir);
        let run = pick(&runs, args.run.as_deref(), args.pipeline.as_deref())?;
        let cwd = std::env::current_dir().map_err(CliError::Cwd)?;
        Ok(shown(run, args.all, &cwd))
    });
    let shown = match shown {
        Ok(shown) => shown,
        Err(e) => return print_error(e, style).unwrap_or(EXIT_CONFIG),
    };
    super::recorded::print_as(args.format, &shown, text)
}

fn shown(run: &RecordedRun, all: bool, cwd: &Path) -> Shown {
    let mut artifacts = Vec::new();
    // A stage that did not complete has no outputs to point at.
    for stage in run
        .stages
        .iter()
        .filter(|s| matches!(s.status.as_str(), "ran" | "cached" | "pulled"))
    {
        for (output, dir) in &stage.outputs {
            let kind = stage.output_kinds.get(output).cloned().unwrap_or_default();
            let result = kind.is_empty() || RESULT_KINDS.iter().any(|k| k.name() == kind);
            if all || result {
                artifacts.push(Artifact {
                    output: format!("{}.{output}", stage.name),
                    kind,
                    dir: relative(dir, cwd),
                    files: listing(dir),
                    present: dir.is_dir(),
                });
            }
        }
    }
    Shown {
        id: run.id.clone(),
        pipeline: run.pipeline.clone(),
        file: run.file.clone(),
        status: run.status.clone(),
        started_unix_ms: run.started_unix_ms,
        duration_s: run.duration_s,
        overrides: run.overrides(),
        stages: run
            .stages
            .iter()
            .map(|s| ShownStage {
                name: s.name.clone(),
                kind: s.kind.clone(),
                status: s.status.clone(),
                duration_s: s.duration_s,
            })
            .collect(),
        metrics: run.metrics(),
        warnings: run.warnings(),
        artifacts,
    }
}

/// The sorted names in `dir` (a subdirectory with a trailing `/`).
fn listing(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() {
                format!("{name}/")
            } else {
                name
            }
        })
        .collect();
    names.sort();
    names
}

/// The run for people: a heading, then stages, metrics, warnings and results.
fn text(run: &Shown) -> String {
    let mut out = format!(
        "run {}: pipeline \"{}\" ({}), {}, started {} UTC, {:.1}s\n",
        run.id,
        run.pipeline,
        run.file,
        run.status,
        utc(run.started_unix_ms),
        run.duration_s
    );
    if !run.overrides.is_empty() {
        let sets: Vec<String> = run
            .overrides
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out.push_str(&format!("overrides: {}\n", sets.join(" ")));
    }
    let stages: Vec<[String; 4]> = run
        .stages
        .iter()
        .map(|s| {
            let took = match s.status.as_str() {
                "ran" | "failed" => format!("{:.2}s", s.duration_s),
                _ => String::new(),
            };
            [s.name.clone(), s.kind.clone(), s.status.clone(), took]
        })
        .collect();
    section(&mut out, "stages", &stages);
    let metrics: Vec<[String; 2]> = run
        .metrics
        .iter()
        .map(|(k, v)| [k.clone(), format!("{v:.4}")])
        .collect();
    section(&mut out, "metrics", &metrics);
    let warnings: Vec<[String; 1]> = run.warnings.iter().map(|w| [w.clone()]).collect();
    section(&mut out, "warnings", &warnings);
    let results: Vec<[String; 3]> = run.artifacts.iter().map(result_row).collect();
    section(&mut out, "results", &results);
    out
}

fn result_row(a: &Artifact) -> [String; 3] {
    let dir = format!("{}/", a.dir.display());
    let files = match (a.present, a.kind == ArtifactKind::CHECKPOINT.name()) {
        (false, _) => "(no longer in the cache)".to_owned(),
        (true, true) => String::new(),
        (true, false) => a.files.join("  "),
    };
    [a.output.clone(), dir, files]
}

/// Appends `title` and its rows in aligned columns (nothing when there are no rows).
fn section<const N: usize>(out: &mut String, title: &str, rows: &[[String; N]]) {
    if rows.is_empty() {
        return;
    }
    out.push_str(&format!("\n{title}\n"));
    out.push_str(&super::columns::align(rows, "  "));
}
