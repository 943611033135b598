//! Runs as their manifests recorded them (`.clarity/runs/<id>/manifest.json`), read back
//! for `runs`, `show`, `diff` and `gc`, and finding one by id.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use super::CliError;

/// One run's manifest, read leniently: a field an older clarity did not write is empty.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RecordedRun {
    /// The run directory's name (not in the file).
    #[serde(skip)]
    pub id: String,
    /// Pipeline name.
    pub pipeline: String,
    /// The pipeline file as given to `clarity run`.
    pub file: String,
    /// `ok`, `failed` or `cancelled`.
    pub status: String,
    /// Start, milliseconds since the Unix epoch.
    pub started_unix_ms: u64,
    /// Wall time in seconds.
    pub duration_s: f64,
    /// The `--set` overrides.
    pub overrides: BTreeMap<String, Value>,
    /// Stages in the order they ended.
    pub stages: Vec<RecordedStage>,
}

/// One stage of a recorded run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RecordedStage {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// `ran`, `cached`, `failed`, `skipped` or `cancelled`.
    pub status: String,
    /// The fingerprint: the name of its cache entry.
    pub fingerprint: String,
    /// Resolved params.
    pub params: BTreeMap<String, Value>,
    /// Output name to its directory in the cache.
    pub outputs: BTreeMap<String, PathBuf>,
    /// Output name to its artifact kind.
    pub output_kinds: BTreeMap<String, String>,
    /// Wall time in seconds.
    pub duration_s: f64,
    /// Metrics (a number, or `null` for a NaN).
    pub metrics: BTreeMap<String, Value>,
    /// Warnings about the result.
    pub warnings: Vec<String>,
}

impl RecordedRun {
    /// The overrides, each value as text.
    pub fn overrides(&self) -> BTreeMap<String, String> {
        self.overrides
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                )
            })
            .collect()
    }

    /// `"stage.metric"` to its value, for every numeric metric of every stage.
    pub fn metrics(&self) -> BTreeMap<String, f64> {
        self.stages
            .iter()
            .flat_map(|s| {
                s.metrics
                    .iter()
                    .filter_map(move |(k, v)| Some((format!("{}.{k}", s.name), v.as_f64()?)))
            })
            .collect()
    }

    /// `"stage: warning"` for every warning of every stage.
    pub fn warnings(&self) -> Vec<String> {
        self.stages
            .iter()
            .flat_map(|s| s.warnings.iter().map(move |w| format!("{}: {w}", s.name)))
            .collect()
    }

    /// Whether `filter` (a pipeline name, or the pipeline file as a path) names this run's
    /// pipeline.
    pub fn is_of(&self, filter: &str, cwd: &Path) -> bool {
        if self.pipeline == filter || self.file == filter {
            return true;
        }
        let canonical = |p: &str| std::fs::canonicalize(cwd.join(p)).ok();
        !self.file.is_empty() && canonical(&self.file).is_some_and(|f| Some(f) == canonical(filter))
    }
}

/// The `.clarity/runs` directory of the current directory.
pub fn runs_dir() -> Result<PathBuf, CliError> {
    Ok(std::env::current_dir()
        .map_err(CliError::Cwd)?
        .join(".clarity")
        .join("runs"))
}

/// Every readable `manifest.json` under `dir`, newest first (unreadable ones are skipped).
pub fn read_runs(dir: &Path) -> Vec<RecordedRun> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut runs: Vec<RecordedRun> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path().join("manifest.json")).ok()?;
            let mut run: RecordedRun = serde_json::from_str(&text).ok()?;
            run.id = e.file_name().to_string_lossy().into_owned();
            Some(run)
        })
        .collect();
    runs.sort_by(|a, b| (b.started_unix_ms, &b.id).cmp(&(a.started_unix_ms, &a.id)));
    runs
}

/// The run called `id`, else [`CliError::UnknownRun`] with the closest id; or, without an
/// id, the newest run (of the pipeline `pipeline`, when given), else [`CliError::NoRuns`].
pub fn pick<'a>(
    runs: &'a [RecordedRun],
    id: Option<&str>,
    pipeline: Option<&str>,
) -> Result<&'a RecordedRun, CliError> {
    let cwd = std::env::current_dir().map_err(CliError::Cwd)?;
    let mut candidates = runs
        .iter()
        .filter(|r| pipeline.is_none_or(|p| r.is_of(p, &cwd)));
    let Some(id) = id else {
        return candidates.next().ok_or_else(|| CliError::NoRuns {
            pipeline: pipeline.map(str::to_owned),
        });
    };
    if let Some(run) = runs.iter().find(|r| r.id == id) {
        return Ok(run);
    }
    let help = crate::suggest::did_you_mean(id, runs.iter().map(|r| r.id.as_str()), || {
        if runs.is_empty() {
            "no runs are recorded in .clarity/runs of this directory".to_owned()
        } else {
            "`clarity runs` lists the runs of this directory".to_owned()
        }
    });
    Err(CliError::UnknownRun {
        id: id.to_owned(),
        help,
    })
}

/// The directory of output `reference` (`stage.output`, e.g. `train.best`) in the newest
/// recorded run of `pipeline` (its file as given, or its name), in this directory's
/// `.clarity/runs`.
pub fn recorded_output(pipeline: &str, reference: &str) -> Result<PathBuf, CliError> {
    let runs = read_runs(&runs_dir()?);
    let run = pick(&runs, None, Some(pipeline))?;
    let unknown = |help: String| CliError::UnknownOutput {
        reference: reference.to_owned(),
        run: run.id.clone(),
        help,
    };
    let available = || {
        let all: Vec<String> = run
            .stages
            .iter()
            .flat_map(|s| s.outputs.keys().map(move |o| format!("{}.{o}", s.name)))
            .collect();
        crate::suggest::did_you_mean(reference, all.iter().map(String::as_str), || {
            format!("the run's outputs: {}", all.join(", "))
        })
    };
    let (stage, output) = reference
        .split_once('.')
        .ok_or_else(|| unknown("write STAGE.OUTPUT, e.g. train.best".to_owned()))?;
    let dir = run
        .stages
        .iter()
        .find(|s| s.name == stage)
        .and_then(|s| s.outputs.get(output))
        .ok_or_else(|| unknown(available()))?;
    let dir = std::env::current_dir().map_err(CliError::Cwd)?.join(dir);
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(unknown(format!(
            "{} is gone from the cache (`clarity gc`?); `clarity run {pipeline}` makes it again",
            dir.display()
        )))
    }
}

/// A path relative to `cwd` when it lies under it, else as it is.
pub fn relative(path: &Path, cwd: &Path) -> PathBuf {
    path.strip_prefix(cwd)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

/// Prints `value` as pretty JSON or as the text `table` makes of it; the exit status.
pub fn print_as<T: serde::Serialize>(
    format: super::RunsFormat,
    value: &T,
    table: impl FnOnce(&T) -> String,
) -> u8 {
    match format {
        super::RunsFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        ),
        super::RunsFormat::Table => print!("{}", table(value)),
    }
    super::EXIT_OK
}
