use super::{OutputSpec, ParamProblem, Params, PublishContext, StageContext, StageSchema};

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

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        (**self).run(ctx)
    }

    fn publish(&self, ctx: &PublishContext<'_>) -> miette::Result<()> {
        (**self).publish(ctx)
    }
}
