//! The analyser's diagnostics, one enum per class of mistake (as the stages of the analyser
//! find them); [`AnalyseError`] is any of them.

mod args;
mod device;
mod include;
mod params;
mod problem;
mod refs;
mod resources;
mod stages;
mod vars;

pub use args::ArgError;
pub use device::DeviceError;
pub use include::IncludeError;
pub use params::ParamCheckError;
pub use problem::CodedParamProblem;
pub use refs::ReferenceError;
pub use resources::ResourceError;
pub use stages::StageError;
pub use vars::VarError;

use miette::Diagnostic;
use thiserror::Error;

type Src = crate::lang::SourceText;

/// Errors found while resolving and validating a pipeline against the stage schemas.
#[derive(Debug, Error, Diagnostic)]
pub enum AnalyseError {
    /// An included file that cannot be read, or includes that go round in a cycle.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Include(#[from] IncludeError),
    /// A mistake in the pipeline's `device` or `use` items, or a stage the device policies cannot place.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Device(#[from] DeviceError),
    /// A variable defined twice, used without a definition, or expanded too far.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Var(#[from] VarError),
    /// A stage named twice or badly, of an unknown kind, or with unusable outputs.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Stage(#[from] StageError),
    /// A param the schema does not take, or a value it does not accept.
    #[error(transparent)]
    #[diagnostic(transparent)]
    ParamCheck(#[from] ParamCheckError),
    /// A reference to a stage or output that does not exist or does not fit, or a dependency cycle.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Reference(#[from] ReferenceError),
    /// A `resources` or `executor` setting that does not exist or has the wrong type.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Resource(#[from] ResourceError),
    /// A malformed `--set`, or `--set`/`--only` naming a stage the pipeline lacks.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Arg(#[from] ArgError),
}
