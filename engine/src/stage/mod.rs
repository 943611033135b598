//! The Stage API: what a stage kind declares (its schema) and what it sees when it runs.
//!
//! Stage implementations know nothing of KDL: they get typed [`Params`] and input/output
//! directories through a [`StageContext`].

mod artifact;
mod base;
mod context;
mod error;
mod params;
mod placement;
mod problem;
mod publish;
mod registry;
mod schema;
mod upstream;
mod value;

pub use artifact::ArtifactKind;
pub use base::{FingerprintExtra, Stage, StageKind};
pub use context::{
    ContextParts, InputArtifact, NullReporter, Reporter, StageContext, StderrReporter,
};
pub use error::ParamError;
pub use params::Params;
pub use placement::{
    DefaultPlacer, FiredPolicy, Placement, PlacementRequest, PlacementSetup, Placer, PolicySource,
    UpstreamStage,
};
pub use problem::ParamProblem;
pub use publish::PublishContext;
pub use registry::Registry;
pub(crate) use schema::and_list;
pub use schema::{Bound, OutputSpec, ParamRule, ParamSpec, ParamType, StageSchema};
pub(crate) use upstream::UpstreamGraph;
pub use upstream::{BoundInput, Upstream};
pub use value::Value;
