//! What earlier runs left: their manifests (`.clarity/runs/<id>/manifest.json`) read back,
//! newest first — for `runs`, `show`, `diff` and `gc`, and for a plan comparing a stage's
//! key with the one it had last time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// How many of a pipeline's newest manifests [`latest_fingerprints`] reads.
const MANIFESTS_READ: usize = 50;

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

/// The readable manifests under `dir`, newest first (unreadable ones are skipped), each read
/// only when the iterator reaches it. Run directories are named `<start ms>-<pid>`.
pub fn newest_runs(dir: &Path) -> impl Iterator<Item = RecordedRun> {
    let mut dirs: Vec<(u128, String, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let started = name
                .split('-')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            (started, name, e.path())
        })
        .collect();
    dirs.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
    dirs.into_iter().filter_map(|(_, id, path)| {
        let text = std::fs::read_to_string(path.join("manifest.json")).ok()?;
        let mut run: RecordedRun = serde_json::from_str(&text).ok()?;
        run.id = id;
        Some(run)
    })
}

/// Every readable manifest under `dir`, newest first.
pub fn read_runs(dir: &Path) -> Vec<RecordedRun> {
    newest_runs(dir).collect()
}

/// The fingerprint each stage of pipeline `pipeline` had in the newest run (of its newest
/// 50 under `runs_dir`) where it ran, was cached or was pulled.
pub fn latest_fingerprints(runs_dir: &Path, pipeline: &str) -> BTreeMap<String, String> {
    let mut latest = BTreeMap::new();
    let runs = newest_runs(runs_dir)
        .filter(|run| run.pipeline == pipeline)
        .take(MANIFESTS_READ);
    for run in runs {
        for stage in run.stages {
            let ok = matches!(stage.status.as_str(), "ran" | "cached" | "pulled");
            if ok && !stage.fingerprint.is_empty() && !latest.contains_key(&stage.name) {
                latest.insert(stage.name, stage.fingerprint);
            }
        }
    }
    latest
}
