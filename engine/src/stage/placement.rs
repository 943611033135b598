use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::{ArtifactKind, Params};

/// Where and how a stage runs: the device, precision and attention path chosen for it, and
/// the device policies that fired to get there. `clarity plan` prints it for every stage, the
/// run manifest records it, and it is part of the stage's fingerprint (minus `fired`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Placement {
    /// Device name: `cpu`, `cuda:0`, `metal`, `vulkan`, `wgpu`, or `auto` when unresolved.
    pub device: String,
    /// Numeric precision: `f32`, `bf16`, `f16`.
    pub precision: String,
    /// Attention implementation: `auto`, `eager`, `fused`.
    pub attention: String,
    /// Environment variables the policies set for this stage (e.g. `HF_HOME`,
    /// `TOKENIZERS_PARALLELISM`); the stage applies them to what it configures or starts.
    pub env: BTreeMap<String, String>,
    /// The policies that fired for this stage, in order.
    pub fired: Vec<FiredPolicy>,
}

impl Placement {
    /// `device`, f32, automatic attention, no policy fired.
    pub fn on(device: impl Into<String>) -> Self {
        Self {
            device: device.into(),
            precision: "f32".into(),
            attention: "auto".into(),
            env: BTreeMap::new(),
            fired: Vec::new(),
        }
    }
}

/// One policy decision, as shown by `clarity plan` and recorded in the manifest.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FiredPolicy {
    /// Policy name, e.g. `half-precision-needs-cuda`.
    pub policy: String,
    /// Why it applied (its `when` clause, as facts).
    pub reason: String,
    /// What it did: `precision=f32`, `device=cpu`, ...
    pub action: String,
    /// A warning for the user, if the policy emits one.
    pub warning: Option<String>,
}

/// A policy library a pipeline imported with `use` (e.g. `use "std/policies"`).
#[derive(Clone, Debug, PartialEq)]
pub struct PolicySource {
    /// The name as written in the pipeline (`std/policies` or a file path).
    pub name: String,
    /// The KDL text of the library.
    pub text: String,
}

/// A stage upstream of the one being placed, and how it is reached: stage `consumer` reads
/// its output of kind `artifact` through its param `param`. (So the policy layer can follow,
/// e.g., any stage's [`ArtifactKind::MODEL`] input to the stage that names the model, whatever
/// the param is called.)
#[derive(Clone, Copy, Debug)]
pub struct UpstreamStage<'a> {
    /// The stage that reads it: the one being placed, or another upstream stage.
    pub consumer: &'a str,
    /// The consumer's param that references it.
    pub param: &'a str,
    /// The kind of the output read (what the producing stage's schema declares).
    pub artifact: ArtifactKind,
    /// Its name.
    pub stage: &'a str,
    /// Its kind.
    pub kind: &'a str,
    /// Its resolved params.
    pub params: &'a Params,
}

/// What the placement hook knows about one stage.
#[derive(Clone, Copy, Debug)]
pub struct PlacementRequest<'a> {
    /// Stage name.
    pub stage: &'a str,
    /// Stage kind.
    pub kind: &'a str,
    /// The stage's resolved params (e.g. `precision`, the model reference).
    pub params: &'a Params,
    /// Whether the stage's schema says it uses a device.
    pub uses_device: bool,
    /// The requested device: `--device`, or `auto`.
    pub device: &'a str,
    /// The policy libraries the pipeline imported, in order.
    pub policies: &'a [PolicySource],
    /// Every reference among the stages upstream of this one (nearest first); filled only
    /// for stages that use a device (empty otherwise, so huge pipelines stay linear).
    pub upstream: &'a [UpstreamStage<'a>],
    /// Where relative paths in params resolve.
    pub project_dir: &'a Path,
    /// `--assume-devices`: plan as if the machine had these devices (`None`: the real one).
    pub assumed_devices: Option<&'a [String]>,
}

/// What every stage's placement shares, checked once per pipeline by [`Placer::check`].
#[derive(Clone, Copy, Debug)]
pub struct PlacementSetup<'a> {
    /// The requested device: `--device`, or `auto`.
    pub device: &'a str,
    /// `--assume-devices`.
    pub assumed_devices: Option<&'a [String]>,
    /// The policy libraries the pipeline imported, in order.
    pub policies: &'a [PolicySource],
}

/// The hook through which device policies decide placement.
///
/// The engine calls [`Placer::place`] once for every stage while it plans (so `check`,
/// `plan` and `run` all see the same decisions, and errors come before anything runs). The
/// stdlib's policy layer implements it and is installed with
/// [`crate::Registry::set_placer`]; without one, [`DefaultPlacer`] is used.
pub trait Placer: Send + Sync {
    /// Decides the placement of one stage. An error (a device not built into this binary, a
    /// policy that cannot apply) is reported as a configuration error at the stage's span.
    fn place(&self, request: &PlacementRequest<'_>) -> miette::Result<Placement>;

    /// Checks what all placements share (the device name, `--assume-devices`, the policy
    /// libraries) once per pipeline, before any stage is placed; each problem is its own
    /// diagnostic, and when there is any, no stage is placed. By default there is none.
    fn check(&self, setup: &PlacementSetup<'_>) -> Vec<miette::Report> {
        let _ = setup;
        Vec::new()
    }

    /// The devices of this machine (or the assumed ones), e.g. `cpu`, `cuda:0`, `cuda:1`:
    /// what `--devices auto` runs on. By default none are known.
    fn devices(&self, assumed: Option<&[String]>) -> Vec<String> {
        let _ = assumed;
        Vec::new()
    }
}

/// The placement without policies: the requested device as is, f32, automatic attention.
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultPlacer;

impl Placer for DefaultPlacer {
    fn place(&self, request: &PlacementRequest<'_>) -> miette::Result<Placement> {
        Ok(Placement::on(request.device))
    }
}
