//! A stage handed to another process: what the driver writes for `clarity worker` (the
//! resolved key, the inputs, the device) and what the worker writes back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::InputArtifact;
use crate::cache::KeyParts;

use super::execute::Dispatch;
use super::{Failure, Outcome};

/// One stage for a worker: everything the driver resolved, so the worker only loads the
/// pipeline (with the driver's arguments) to find the stage's kind and params.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StageJob {
    /// Stage name.
    pub stage: String,
    /// The entry to write.
    pub fingerprint: String,
    /// The fingerprint's parts, kept in the entry.
    pub key: Option<KeyParts>,
    /// Input param -> `(reference, directory)` of each upstream output read.
    pub inputs: BTreeMap<String, Vec<(String, PathBuf)>>,
    /// The device it runs on.
    pub device: String,
    /// The run's live logs directory (`.clarity/logs/<run-id>`).
    pub logs_dir: PathBuf,
    /// Set when the worker runs where the driver's files are not (a cluster node without
    /// the project's filesystem): the worker reports its result as this message in the
    /// remote cache instead of a file beside the job.
    #[serde(default)]
    pub remote_result: Option<String>,
}

/// What a worker reports.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct JobResult {
    /// Metrics.
    pub metrics: BTreeMap<String, f64>,
    /// Other records.
    pub records: BTreeMap<String, serde_json::Value>,
    /// Warnings about the result.
    pub warnings: Vec<String>,
    /// Output content hashes.
    pub output_hashes: BTreeMap<String, String>,
    /// The rendered error, when the stage failed.
    pub error: Option<String>,
    /// Whether it was cancelled.
    pub cancelled: bool,
    /// Whether another process wrote the entry while the worker waited for its lock.
    #[serde(default)]
    pub reused: bool,
}

impl StageJob {
    /// The job for `dispatch` of stage `stage` in a run whose live logs go to `logs_dir`.
    pub fn new(stage: &str, dispatch: &Dispatch, logs_dir: &Path) -> Self {
        Self {
            stage: stage.to_owned(),
            fingerprint: dispatch.fingerprint.clone(),
            key: dispatch.key.clone(),
            inputs: dispatch
                .inputs
                .iter()
                .map(|(param, artifacts)| {
                    let list = artifacts
                        .iter()
                        .map(|a| (a.reference.clone(), a.dir.clone()))
                        .collect();
                    (param.clone(), list)
                })
                .collect(),
            device: dispatch.placement.device.clone(),
            logs_dir: logs_dir.to_path_buf(),
            remote_result: None,
        }
    }

    /// The job as seen from a node without the driver's filesystem, where the worker runs
    /// in a scratch directory: the paths under `project_dir` (the upstream entries, the
    /// live logs) made relative to it — so the worker pulls the inputs into its own cache —
    /// and the result reported as message `result` in the remote cache.
    pub fn away_from(mut self, project_dir: &Path, result: String) -> Self {
        let relative = |path: &mut PathBuf| {
            if let Ok(rel) = path.strip_prefix(project_dir) {
                *path = rel.to_path_buf();
            }
        };
        self.inputs
            .values_mut()
            .flatten()
            .for_each(|(_, dir)| relative(dir));
        relative(&mut self.logs_dir);
        self.remote_result = Some(result);
        self
    }

    /// The dispatch it describes, for a stage placed at `placement`.
    pub fn dispatch(&self, mut placement: crate::Placement) -> Dispatch {
        placement.device = self.device.clone();
        Dispatch {
            fingerprint: self.fingerprint.clone(),
            key: self.key.clone(),
            inputs: self
                .inputs
                .iter()
                .map(|(param, list)| {
                    let artifacts = list
                        .iter()
                        .map(|(reference, dir)| InputArtifact {
                            reference: reference.clone(),
                            dir: dir.clone(),
                        })
                        .collect();
                    (param.clone(), artifacts)
                })
                .collect(),
            placement,
        }
    }
}

impl JobResult {
    /// The result of a stage run.
    pub fn of(result: &Result<Outcome, Failure>) -> Self {
        match result {
            Ok(o) => Self {
                metrics: o.metrics.clone(),
                records: o.records.clone(),
                warnings: o.warnings.clone(),
                output_hashes: o.output_hashes.clone(),
                reused: o.reused,
                ..Self::default()
            },
            Err(Failure::Cancelled) => Self {
                cancelled: true,
                ..Self::default()
            },
            Err(Failure::Error(report)) => Self {
                error: Some(crate::diag::render(
                    report.as_ref(),
                    crate::diag::Style::Plain,
                )),
                ..Self::default()
            },
        }
    }

    /// Back into the scheduler's terms.
    pub fn into_result(self) -> Result<Outcome, Failure> {
        if self.cancelled {
            return Err(Failure::Cancelled);
        }
        if let Some(error) = self.error {
            return Err(Failure::Error(miette::miette!("{}", error.trim_end())));
        }
        Ok(Outcome {
            metrics: self.metrics,
            records: self.records,
            output_hashes: self.output_hashes,
            warnings: self.warnings,
            reused: self.reused,
            job: None,
        })
    }
}

/// A job's files under `.clarity/jobs/`, named by the entry's fingerprint: the job the
/// driver writes, the result the worker writes, the log a cluster job writes.
#[derive(Clone, Debug)]
pub struct JobFiles {
    /// The job.
    pub job: PathBuf,
    /// The worker's result.
    pub result: PathBuf,
    /// The job's output (cluster jobs).
    pub log: PathBuf,
}

impl JobFiles {
    /// Writes the job of `dispatch` (stage `stage`), clearing an old result.
    pub fn write(
        jobs_dir: &Path,
        stage: &str,
        dispatch: &Dispatch,
        logs_dir: &Path,
    ) -> Result<Self, String> {
        let job = jobs_dir.join(format!("{}.json", dispatch.fingerprint));
        let files = Self {
            result: job.with_extension("result.json"),
            log: job.with_extension("log"),
            job,
        };
        let _ = std::fs::remove_file(&files.result);
        std::fs::create_dir_all(jobs_dir)
            .and_then(|()| write_json(&files.job, &StageJob::new(stage, dispatch, logs_dir)))
            .map_err(|e| format!("cannot write the job file {}: {e}", files.job.display()))?;
        Ok(files)
    }

    /// Reads the worker's result, then removes the job and result files.
    pub fn take_result(&self) -> std::io::Result<JobResult> {
        let read = read_json::<JobResult>(&self.result);
        let _ = std::fs::remove_file(&self.job);
        let _ = std::fs::remove_file(&self.result);
        read
    }
}

/// Writes `value` as JSON to `path` atomically (a temporary file, then a rename).
pub fn write_json(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(value).unwrap_or_default())?;
    std::fs::rename(&tmp, path)
}

/// Reads JSON written by [`write_json`].
pub fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> std::io::Result<T> {
    let bytes = std::fs::read(path)?;
    serde_json::from_slice(&bytes).map_err(std::io::Error::other)
}
