//! The clarity pipeline language and runtime: KDL -> typed pipeline (with spans) ->
//! diagnostics -> petgraph DAG -> scheduler, content-addressed cache, run records, CLI.
#![warn(missing_docs)]

pub mod analyse;
pub mod cache;
pub mod cli;
pub mod diag;
pub mod fault;
pub mod fs;
pub mod graph;
pub mod lang;
pub mod pipeline;
pub mod resources;
pub mod run;
pub mod stage;
pub mod suggest;
pub mod sweep;

pub use analyse::{Options, analyse};
pub use diag::{Diagnostics, Style};
pub use pipeline::{Pipeline, PlannedStage};
pub use stage::{
    ArtifactKind, Bound, BoundInput, ContextParts, DefaultPlacer, FingerprintExtra, FiredPolicy,
    InputArtifact, NullReporter, OutputSpec, ParamError, ParamProblem, ParamRule, ParamSpec,
    ParamType, Params, Placement, PlacementRequest, PlacementSetup, Placer, PolicySource,
    PublishContext, Registry, Reporter, Stage, StageContext, StageKind, StageSchema,
    StderrReporter, Upstream, UpstreamStage, Value,
};
