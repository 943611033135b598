use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{Params, Placement};

use super::RunError;

/// A run's id, the name of its directory under `.clarity/runs/` (and `.clarity/logs/`):
/// `<start in ms since the Unix epoch>-<process id>`.
pub fn run_id(started_unix_ms: u128) -> String {
    format!("{started_unix_ms}-{}", std::process::id())
}

/// How a stage ended in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StageStatus {
    /// It ran and its outputs are in the cache.
    Ran,
    /// Its outputs were current; it did not run.
    Cached,
    /// Its outputs came from the remote cache (checked against their recorded hashes); it
    /// did not run.
    Pulled,
    /// It failed.
    Failed,
    /// An upstream stage failed, so it did not run.
    Skipped,
    /// The run was interrupted before or while it ran.
    Cancelled,
}

impl StageStatus {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ran => "ran",
            Self::Cached => "cached",
            Self::Pulled => "pulled",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether its outputs are available.
    pub fn is_ok(self) -> bool {
        matches!(self, Self::Ran | Self::Cached | Self::Pulled)
    }
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    /// Every selected stage ran or was cached.
    Ok,
    /// A stage failed.
    Failed,
    /// The run was interrupted.
    Cancelled,
}

/// One stage in the manifest.
#[derive(Clone, Debug, Serialize)]
pub struct StageRecord {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Implementation version.
    pub version: u32,
    /// How it ended.
    pub status: StageStatus,
    /// Fingerprint hash.
    pub fingerprint: String,
    /// Resolved params.
    pub params: Params,
    /// Input param -> references read.
    pub inputs: BTreeMap<String, Vec<String>>,
    /// Output name -> directory in the cache.
    pub outputs: BTreeMap<String, PathBuf>,
    /// Output name -> what it holds (its [`crate::ArtifactKind`] name, e.g. `checkpoint`).
    pub output_kinds: BTreeMap<String, String>,
    /// Placement and the policies that fired.
    pub placement: Placement,
    /// Wall time in seconds (0 when cached).
    pub duration_s: f64,
    /// Metrics recorded.
    pub metrics: BTreeMap<String, f64>,
    /// Other records.
    pub records: BTreeMap<String, serde_json::Value>,
    /// Warnings about the stage's result (see [`crate::StageContext::record_warning`]).
    pub warnings: Vec<String>,
    /// The error, rendered, when it failed.
    pub error: Option<String>,
    /// The cluster job that ran it (e.g. a Slurm job id), when an executor submitted one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
}

/// The run manifest, written as JSON to `.clarity/runs/<id>/manifest.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    /// Pipeline name.
    pub pipeline: String,
    /// Pipeline file.
    pub file: String,
    /// Start, milliseconds since the Unix epoch.
    pub started_unix_ms: u128,
    /// Wall time in seconds.
    pub duration_s: f64,
    /// How it ended.
    pub status: RunStatus,
    /// `--device`.
    pub device: String,
    /// `--jobs`.
    pub jobs: usize,
    /// Whether `--force` re-ran anything.
    pub force: bool,
    /// The `--set` overrides, `"stage.param"` to the value as given.
    pub overrides: BTreeMap<String, String>,
    /// The `--sweep` axes, `"stage.param"` to the values as given (absent without a sweep).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sweep: BTreeMap<String, Vec<String>>,
    /// `--offline`.
    pub offline: bool,
    /// Stages in the order they were scheduled.
    pub stages: Vec<StageRecord>,
}

impl Manifest {
    /// Writes the manifest into `runs_dir/<started>-<pid>/manifest.json`; returns its path.
    pub fn write(&self, runs_dir: &Path) -> Result<PathBuf, RunError> {
        let dir = runs_dir.join(run_id(self.started_unix_ms));
        let path = dir.join("manifest.json");
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|source| RunError::Manifest {
                path: path.clone(),
                source,
            })?;
        Ok(path)
    }
}
