use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{ParamError, Params, Reporter};

/// What a stage's [`publish`](super::Stage::publish) step sees: its params and its outputs,
/// complete and in the cache.
///
/// Publishing puts a copy of an output where the user asked for it, outside the cache (e.g.
/// `predict`'s `out=`). The engine publishes after every successful run and also when the
/// stage is cached, so a deleted copy comes back on the next run.
pub struct PublishContext<'a> {
    /// Stage name.
    pub stage_name: &'a str,
    /// Resolved params (paths absolute), as the run saw them.
    pub params: &'a Params,
    /// The stage's output directories in the cache (read-only), by output name.
    pub outputs: BTreeMap<String, PathBuf>,
    /// Where relative paths of the pipeline resolve.
    pub project_dir: &'a Path,
    /// Whether the stage was cached (it did not run in this run).
    pub cached: bool,
    /// Where messages go.
    pub reporter: &'a dyn Reporter,
}

impl PublishContext<'_> {
    /// The cache directory of output `name`.
    pub fn output_dir(&self, name: &str) -> Result<&Path, ParamError> {
        self.outputs
            .get(name)
            .map(PathBuf::as_path)
            .ok_or_else(|| ParamError::UnknownSlot {
                what: "output",
                name: name.to_owned(),
            })
    }

    /// Reports an informational line.
    pub fn info(&self, message: &str) {
        self.reporter.info(self.stage_name, message);
    }
}
