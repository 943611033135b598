//! What a run is given (options, environment, observer) and what it returns.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::Reporter;
use crate::cache::Cache;

use super::{Manifest, StageRecord};

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// How many stages may run at once (at least 1).
    pub jobs: usize,
    /// The stages to re-run even when cached (`--force`: the selection; `--force=STAGE`:
    /// that stage; its dependents run if its new outputs differ).
    pub force: BTreeSet<usize>,
    /// `--offline`.
    pub offline: bool,
    /// `--device` (recorded in the manifest).
    pub device: String,
    /// The stages to run (closed under dependencies; see [`crate::Pipeline::select`]).
    pub selected: BTreeSet<usize>,
    /// The `--set` overrides, `"stage.param"` (or a `let` name) to the value as given.
    pub overrides: BTreeMap<String, String>,
    /// The `--sweep` axes, `"stage.param"` (or a `let` name) to the values as given.
    pub sweep: BTreeMap<String, Vec<String>>,
    /// `--devices`: stages that use a device run one per device at once (empty: one at a
    /// time, where their placement says).
    pub devices: Vec<String>,
}

/// Hears about stages as they start and end (the CLI prints; tests collect).
pub trait RunObserver: Sync {
    /// A stage started running.
    fn started(&self, name: &str, kind: &str);
    /// A stage ended (ran, was cached, failed, was skipped or cancelled).
    fn finished(&self, record: &StageRecord);
}

/// An observer that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct SilentObserver;

impl RunObserver for SilentObserver {
    fn started(&self, _: &str, _: &str) {}
    fn finished(&self, _: &StageRecord) {}
}

/// Everything a run needs besides the pipeline and options.
pub struct RunEnv<'a> {
    /// The cache (`.clarity/`).
    pub cache: &'a Cache,
    /// Where relative paths resolve.
    pub project_dir: &'a Path,
    /// Name of the pipeline file, for the manifest.
    pub file: &'a str,
    /// Set on Ctrl-C.
    pub cancel: &'a AtomicBool,
    /// Stage messages.
    pub reporter: &'a dyn Reporter,
    /// Stage events.
    pub observer: &'a dyn RunObserver,
    /// Where stages run.
    pub executor: &'a dyn super::Executor,
    /// The remote cache, if one is configured: missing stages are pulled, completed ones
    /// pushed.
    pub remote: Option<&'a crate::cache::remote::Remote>,
}

/// The result of a run.
#[derive(Debug)]
pub struct RunReport {
    /// The manifest written.
    pub manifest: Manifest,
    /// Where it was written.
    pub manifest_path: PathBuf,
    /// The errors of failed stages, by stage name.
    pub failures: Vec<(String, miette::Report)>,
}
