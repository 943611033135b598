use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::{ParamError, Params, Placement};

/// One upstream artifact bound to an `Input` param.
#[derive(Clone, Debug, PartialEq)]
pub struct InputArtifact {
    /// The reference as written, e.g. `"split.train"`.
    pub reference: String,
    /// The artifact's directory (read-only: it lives in the cache).
    pub dir: PathBuf,
}

/// Where a stage's progress and messages go.
pub trait Reporter: Send + Sync {
    /// An informational line from `stage`.
    fn info(&self, stage: &str, message: &str);
    /// A warning from `stage`.
    fn warn(&self, stage: &str, message: &str);
    /// Progress of `stage`: `done` of `total` units (e.g. steps).
    fn progress(&self, stage: &str, done: u64, total: u64);
}

/// A reporter that drops everything (tests).
#[derive(Clone, Copy, Debug, Default)]
pub struct NullReporter;

impl Reporter for NullReporter {
    fn info(&self, _: &str, _: &str) {}
    fn warn(&self, _: &str, _: &str) {}
    fn progress(&self, _: &str, _: u64, _: u64) {}
}

/// A reporter that writes lines to stderr; progress only on a terminal (in a log, the
/// stages' own lines say how far they got).
#[derive(Clone, Copy, Debug, Default)]
pub struct StderrReporter;

impl Reporter for StderrReporter {
    fn info(&self, stage: &str, message: &str) {
        eprintln!("  [{stage}] {message}");
    }
    fn warn(&self, stage: &str, message: &str) {
        eprintln!("  [{stage}] warning: {message}");
    }
    fn progress(&self, stage: &str, done: u64, total: u64) {
        if std::io::stderr().is_terminal() {
            eprintln!("  [{stage}] {done}/{total}");
        }
    }
}

/// Everything a [`StageContext`] is made of; the engine builds one per stage run, and
/// stage tests can build one directly.
pub struct ContextParts<'a> {
    /// Stage name.
    pub stage_name: &'a str,
    /// The stage's fingerprint: the hash that keys its cache entry (its kind, version,
    /// params, input files, upstream fingerprints and placement).
    pub fingerprint: &'a str,
    /// Resolved params (paths absolute).
    pub params: &'a Params,
    /// Upstream artifacts, by `Input` / `List(Input)` param name.
    pub inputs: BTreeMap<String, Vec<InputArtifact>>,
    /// Output directories (fresh, empty, already created), by output name.
    pub outputs: BTreeMap<String, PathBuf>,
    /// A scratch directory, removed after the run.
    pub scratch_dir: PathBuf,
    /// Where the stage may write logs to watch while it runs, outside its cache entry:
    /// `.clarity/logs/<run-id>/<stage>/`. Created only when the stage asks for it
    /// ([`StageContext::live_logs_dir`]).
    pub logs_dir: PathBuf,
    /// Device placement chosen for this stage.
    pub placement: &'a Placement,
    /// `--offline`: no network access.
    pub offline: bool,
    /// Where relative paths of the pipeline resolve.
    pub project_dir: &'a Path,
    /// Set when the user pressed Ctrl-C.
    pub cancel: &'a AtomicBool,
    /// Where messages go.
    pub reporter: &'a dyn Reporter,
}

/// What a running stage sees: its params, input and output directories, placement, and a
/// place to record metrics for the run manifest.
pub struct StageContext<'a> {
    parts: ContextParts<'a>,
    metrics: BTreeMap<String, f64>,
    records: BTreeMap<String, serde_json::Value>,
    warnings: Vec<String>,
}

impl<'a> StageContext<'a> {
    /// A context from its parts.
    pub fn new(parts: ContextParts<'a>) -> Self {
        Self {
            parts,
            metrics: BTreeMap::new(),
            records: BTreeMap::new(),
            warnings: Vec::new(),
        }
    }

    /// The stage's name in the pipeline.
    pub fn stage_name(&self) -> &str {
        self.parts.stage_name
    }

    /// The stage's fingerprint (see [`ContextParts::fingerprint`]): a key for state that
    /// must outlive a killed run of this very stage, such as a resume directory.
    pub fn fingerprint(&self) -> &str {
        self.parts.fingerprint
    }

    /// The stage's resolved params.
    pub fn params(&self) -> &Params {
        self.parts.params
    }

    /// The directory of the single artifact bound to the `Input` param `param`.
    pub fn input(&self, param: &str) -> Result<&Path, ParamError> {
        match self.parts.inputs.get(param).map(Vec::as_slice) {
            Some([one]) => Ok(&one.dir),
            _ => Err(ParamError::UnknownSlot {
                what: "input",
                name: param.to_owned(),
            }),
        }
    }

    /// The directory of `param`'s artifact, or `None` when the optional input is not given.
    pub fn opt_input(&self, param: &str) -> Option<&Path> {
        self.input(param).ok()
    }

    /// All artifacts bound to the `List(Input)` param `param`, in pipeline order
    /// (empty when not given).
    pub fn inputs(&self, param: &str) -> &[InputArtifact] {
        self.parts
            .inputs
            .get(param)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The fresh directory for output `name`; it moves into the cache when the run succeeds.
    pub fn output_dir(&self, name: &str) -> Result<&Path, ParamError> {
        self.parts
            .outputs
            .get(name)
            .map(PathBuf::as_path)
            .ok_or_else(|| ParamError::UnknownSlot {
                what: "output",
                name: name.to_owned(),
            })
    }

    /// The names of the outputs this stage must write.
    pub fn output_names(&self) -> impl Iterator<Item = &str> {
        self.parts.outputs.keys().map(String::as_str)
    }

    /// A scratch directory for intermediate files, removed after the run.
    pub fn scratch_dir(&self) -> &Path {
        &self.parts.scratch_dir
    }

    /// Where the stage may keep a log of its run (e.g. a command's output): a file next to
    /// the scratch directory, kept in the cache entry as `stage.log` when the run succeeds
    /// (`clarity log STAGE` prints it).
    pub fn log_path(&self) -> PathBuf {
        self.parts
            .scratch_dir
            .with_file_name(crate::cache::ENTRY_LOG)
    }

    /// Where the stage may keep state that must outlive a killed run of this very stage (a
    /// resumable checkpoint): `.clarity/resume/<fingerprint>/` of the project, not created
    /// here. The stage removes it when it ends; `clarity gc` removes one that no kept run
    /// names.
    pub fn resume_dir(&self) -> PathBuf {
        self.parts
            .project_dir
            .join(".clarity")
            .join(crate::cache::RESUME_DIR)
            .join(self.parts.fingerprint)
    }

    /// Creates and returns the stage's live logs directory, `.clarity/logs/<run-id>/<stage>/`:
    /// files written there are readable while the stage runs (e.g. by TensorBoard) and stay
    /// after it ends, whether it succeeds or fails; they are not part of the cache entry.
    /// The run manifest records the directory under the stage's `live_logs`.
    pub fn live_logs_dir(&mut self) -> std::io::Result<PathBuf> {
        let dir = self.parts.logs_dir.clone();
        std::fs::create_dir_all(&dir)?;
        let shown = serde_json::Value::String(dir.to_string_lossy().into_owned());
        self.records.insert("live_logs".to_owned(), shown);
        Ok(dir)
    }

    /// Device, precision and attention path chosen by the device policies.
    pub fn placement(&self) -> &Placement {
        self.parts.placement
    }

    /// `--offline`: stages must not touch the network (use local caches or fail clearly).
    pub fn offline(&self) -> bool {
        self.parts.offline
    }

    /// Where relative paths of the pipeline resolve.
    pub fn project_dir(&self) -> &Path {
        self.parts.project_dir
    }

    /// Whether the user asked to stop (Ctrl-C): long loops poll this and return an error.
    pub fn cancelled(&self) -> bool {
        self.parts.cancel.load(Ordering::Relaxed)
    }

    /// Reports an informational line.
    pub fn info(&self, message: &str) {
        self.parts.reporter.info(self.parts.stage_name, message);
    }

    /// Reports a warning.
    pub fn warn(&self, message: &str) {
        self.parts.reporter.warn(self.parts.stage_name, message);
    }

    /// Reports progress: `done` of `total` units.
    pub fn progress(&self, done: u64, total: u64) {
        self.parts
            .reporter
            .progress(self.parts.stage_name, done, total);
    }

    /// Records a metric for the run manifest.
    pub fn record_metric(&mut self, name: impl Into<String>, value: f64) {
        self.metrics.insert(name.into(), value);
    }

    /// Records any JSON value for the run manifest.
    pub fn record(&mut self, key: impl Into<String>, value: serde_json::Value) {
        self.records.insert(key.into(), value);
    }

    /// Reports a warning about the stage's result (e.g. a model that predicts one class):
    /// printed now like [`StageContext::warn`], and kept in the cache entry and the run
    /// manifest, so the run summary repeats it, cached runs included.
    pub fn record_warning(&mut self, message: impl Into<String>) {
        let message = message.into();
        self.warn(&message);
        self.warnings.push(message);
    }

    /// The warnings recorded so far.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The metrics recorded so far.
    pub fn metrics(&self) -> &BTreeMap<String, f64> {
        &self.metrics
    }

    /// The records recorded so far.
    pub fn records(&self) -> &BTreeMap<String, serde_json::Value> {
        &self.records
    }
}
