use std::collections::BTreeMap;
use std::path::Path;

use super::{
    OutputSpec, ParamProblem, Params, PublishContext, StageContext, StageSchema, Upstream,
};

/// Fingerprint material a stage adds to what the engine takes from its schema (params,
/// `path` params' content, upstream fingerprints): see [`Stage::fingerprint_extra`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FingerprintExtra {
    /// `(param, path)`: local files or directories (relative to the project directory) whose
    /// content hashes enter the fingerprint, as a `path` param's do; `param` names where the
    /// path came from, for the message when it cannot be read.
    pub files: Vec<(String, String)>,
    /// Named opaque strings (e.g. an environment variable's value): only a blake3 hash of
    /// name and value enters the fingerprint, so secrets may be passed here.
    pub secrets: BTreeMap<String, String>,
}

impl FingerprintExtra {
    /// Adds a file or directory whose content enters the fingerprint.
    pub fn file(&mut self, param: impl Into<String>, path: impl Into<String>) {
        self.files.push((param.into(), path.into()));
    }

    /// Adds a named opaque string; only its hash enters the fingerprint.
    pub fn secret(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.secrets.insert(name.into(), value.into());
    }
}

/// A kind of stage (`fetch-model`, `split`, `train`, ...): one type per kind, often a unit
/// struct.
///
/// The engine validates a pipeline against [`Stage::schema`] before anything runs, asks
/// [`Stage::outputs`] which outputs each instance produces, and calls [`Stage::run`] with
/// fresh output directories that it moves into the cache only when `run` succeeds.
pub trait Stage: Send + Sync + 'static {
    /// The kind's description: name, implementation version, params, outputs, summary.
    /// Built once, when the kind is registered ([`crate::Registry::register`]).
    fn schema(&self) -> StageSchema;

    /// The outputs this instance produces given its params (default: the schema's outputs).
    ///
    /// Called at validation time, when `Input` params hold the reference text
    /// (e.g. `"split.train"`), so dynamic outputs can be named after inputs.
    fn outputs(&self, params: &Params) -> Vec<OutputSpec> {
        let _ = params;
        self.schema().outputs
    }

    /// Problems with this instance's params that the schema cannot express (default: none);
    /// `clarity check` reports each at the value, before anything runs.
    fn check(&self, params: &Params) -> Vec<ParamProblem> {
        let _ = params;
        Vec::new()
    }

    /// Problems with this instance's params that only the stages upstream of it reveal
    /// (default: none), e.g. a template naming a column that a local table lacks. Called
    /// once every stage's params passed [`Stage::check`] and every reference resolved;
    /// `upstream` tells what each input param is bound to. Reported like [`Stage::check`]'s
    /// problems. Reads of local files here must be bounded and fail soft (an unreadable
    /// file is the run's problem, not this check's).
    fn check_upstream(&self, params: &Params, upstream: &Upstream<'_>) -> Vec<ParamProblem> {
        let _ = (params, upstream);
        Vec::new()
    }

    /// Fingerprint material beyond the schema's (default: none): files whose content the
    /// outputs depend on but no `path` param names (e.g. a script named in a command), and
    /// values from clarity's environment (e.g. variables passed through). Called when a run
    /// is planned, with params as written (paths relative to `project_dir`).
    fn fingerprint_extra(&self, params: &Params, project_dir: &Path) -> FingerprintExtra {
        let _ = (params, project_dir);
        FingerprintExtra::default()
    }

    /// The params as recorded in the cache entry's `stage.json` and in the run manifest
    /// (default: all of them, as resolved). A stage whose params can hold secrets returns
    /// them with the secret parts replaced.
    fn recorded_params(&self, params: &Params) -> Params {
        params.clone()
    }

    /// Does the work: reads inputs and writes every declared output directory.
    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()>;

    /// Copies outputs outside the cache, where the user asked for them (default: nothing).
    ///
    /// Called after every successful [`Stage::run`] and also when the stage is cached, so it
    /// must only read the outputs in `ctx`, never recompute them.
    fn publish(&self, ctx: &PublishContext<'_>) -> miette::Result<()> {
        let _ = ctx;
        Ok(())
    }
}

/// A registered stage kind: the stage and its schema, built once.
pub struct StageKind {
    schema: StageSchema,
    stage: Box<dyn Stage>,
}

impl StageKind {
    /// Builds `stage`'s schema.
    pub fn new(stage: impl Stage) -> Self {
        Self {
            schema: stage.schema(),
            stage: Box::new(stage),
        }
    }

    /// The kind's schema.
    pub fn schema(&self) -> &StageSchema {
        &self.schema
    }

    /// See [`Stage::outputs`].
    pub fn outputs(&self, params: &Params) -> Vec<OutputSpec> {
        self.stage.outputs(params)
    }

    /// See [`Stage::check`].
    pub fn check(&self, params: &Params) -> Vec<ParamProblem> {
        self.stage.check(params)
    }

    /// See [`Stage::check_upstream`].
    pub fn check_upstream(&self, params: &Params, upstream: &Upstream<'_>) -> Vec<ParamProblem> {
        self.stage.check_upstream(params, upstream)
    }

    /// See [`Stage::fingerprint_extra`].
    pub fn fingerprint_extra(&self, params: &Params, project_dir: &Path) -> FingerprintExtra {
        self.stage.fingerprint_extra(params, project_dir)
    }

    /// See [`Stage::recorded_params`].
    pub fn recorded_params(&self, params: &Params) -> Params {
        self.stage.recorded_params(params)
    }

    /// See [`Stage::run`].
    pub fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        self.stage.run(ctx)
    }

    /// See [`Stage::publish`].
    pub fn publish(&self, ctx: &PublishContext<'_>) -> miette::Result<()> {
        self.stage.publish(ctx)
    }
}

impl Stage for Box<dyn Stage> {
    fn schema(&self) -> StageSchema {
        (**self).schema()
    }

    fn outputs(&self, params: &Params) -> Vec<OutputSpec> {
        (**self).outputs(params)
    }

    fn check(&self, params: &Params) -> Vec<ParamProblem> {
        (**self).check(params)
    }

    fn check_upstream(&self, params: &Params, upstream: &Upstream<'_>) -> Vec<ParamProblem> {
        (**self).check_upstream(params, upstream)
    }

    fn fingerprint_extra(&self, params: &Params, project_dir: &Path) -> FingerprintExtra {
        (**self).fingerprint_extra(params, project_dir)
    }

    fn recorded_params(&self, params: &Params) -> Params {
        (**self).recorded_params(params)
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        (**self).run(ctx)
    }

    fn publish(&self, ctx: &PublishContext<'_>) -> miette::Result<()> {
        (**self).publish(ctx)
    }
}
