//! The clarity pipeline language and runtime: KDL -> typed pipeline (with spans) ->
//! diagnostics -> petgraph DAG -> scheduler, content-addressed cache, run records, CLI.
#![warn(missing_docs)]

pub mod stage;
pub mod suggest;

pub use stage::{
    ArtifactKind, ContextParts, DefaultPlacer, FiredPolicy, InputArtifact, NullReporter,
    OutputSpec, ParamError, ParamSpec, ParamType, Params, Placement, PlacementRequest, Placer,
    PolicySource, Registry, Reporter, Stage, StageContext, StageSchema, StderrReporter, Value,
};
