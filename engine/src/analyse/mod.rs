//! The analyser: syntax tree -> validated [`crate::Pipeline`].
//!
//! Steps: read the file and its includes (`loader`), evaluate variables, expand
//! ensembles and apply `--set` (`expand`), check params against the schemas
//! (`validate`), resolve references (`refs`), reject cycles, check params against what
//! their inputs are bound to, place stages. Every error of every step is collected, so
//! one run reports them all.

mod error;
mod expand;
mod loader;
mod overrides;
mod refs;
mod resources;
mod user_config;
mod validate;
mod value;
mod vars;

pub use error::{
    AnalyseError, ArgError, CodedParamProblem, DeviceError, IncludeError, ParamCheckError,
    ReferenceError, ResourceError, StageError, VarError,
};
pub use expand::{Expanded, Instance, MAX_FOREACH_MEMBERS, expand};
pub use loader::{Loaded, MAX_INCLUDES, load};
pub use overrides::{SetArg, SetTarget, parse_set};
pub use refs::{Binding, resolve};
pub use user_config::user_executor;
pub use validate::{Checked, Checker};
pub use value::EValue;
pub use vars::{MAX_EXPANDED_BYTES, Scope};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::diag::Diagnostics;
use crate::fs::FileSystem;
use crate::lang::{Item, Source, Spanned};
use crate::pipeline::{Pipeline, PlannedStage};
use crate::resources::Resources;
use crate::{
    ArtifactKind, Placement, PlacementRequest, PlacementSetup, PolicySource, Registry,
    UpstreamStage,
};

/// What the analyser needs besides the source.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// Stage kinds, libraries, placement hook.
    pub registry: &'a Registry,
    /// Where includes and path params are read.
    pub fs: &'a dyn FileSystem,
    /// Where relative paths resolve (includes resolve against the including file).
    pub project_dir: &'a Path,
    /// `--set` arguments.
    pub sets: &'a [String],
    /// `--device`, when given: it overrides the pipeline's `device` (default `auto`).
    pub device: Option<&'a str>,
    /// `--assume-devices`: place stages as if the machine had these devices.
    pub assumed_devices: Option<&'a [String]>,
}

/// Reads, resolves and validates a pipeline; every error found, or the pipeline.
pub fn analyse(source: &Source, options: &Options<'_>) -> Result<Pipeline, Diagnostics> {
    let mut diags = Diagnostics::new();
    let sets: Vec<SetArg> = options
        .sets
        .iter()
        .filter_map(|s| parse_set(s).map_err(|e| diags.push(*e)).ok())
        .collect();
    let loaded = load(source, options.fs, options.project_dir, &mut diags);
    let policies = policies(&loaded.items, options, &mut diags);
    let device = requested_device(&loaded.items, options, &mut diags);
    let expanded = expand(&loaded.items, &sets, &mut diags);
    let executor = expanded
        .executor
        .as_ref()
        .and_then(|(kind, settings)| resources::check_executor(kind, settings, &mut diags));
    let resources: BTreeMap<String, Resources> = expanded
        .instances
        .iter()
        .map(|i| {
            let r = resources::check_resources(&i.resources, &mut diags);
            (i.name.value.clone(), r)
        })
        .collect();
    let checker = Checker {
        registry: options.registry,
        fs: options.fs,
        project_dir: options.project_dir,
    };
    let mut checked = Vec::new();
    let mut broken = BTreeSet::new();
    for instance in &expanded.instances {
        match checker.check(instance, &mut diags) {
            Some(c) => checked.push(c),
            None => _ = broken.insert(instance.name.value.clone()),
        }
    }
    let bindings = resolve(&checked, &expanded.ensembles, &broken, &mut diags);
    let graph = crate::graph::build(checked.len(), &bindings);
    let names: Vec<&str> = checked.iter().map(|c| c.name.value.as_str()).collect();
    let cycles = crate::graph::find_cycles(&graph, &names, &bindings);
    if cycles.is_empty() {
        checker.check_upstream(&checked, &bindings, &mut diags);
    }
    diags.extend(cycles);
    if !diags.is_empty() {
        return Err(diags);
    }
    let order = crate::graph::topological_order(&graph).unwrap_or_default();
    let name = loaded
        .name
        .map(|n| n.value)
        .unwrap_or_else(|| file_stem(source));
    let mut stages = place(checked, &bindings, &policies, &device, options, &mut diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    for stage in &mut stages {
        stage.resources = resources.get(&stage.name).cloned().unwrap_or_default();
    }
    Ok(Pipeline {
        name,
        stages,
        bindings,
        order,
        policies,
        device,
        executor,
    })
}

fn file_stem(source: &Source) -> String {
    Path::new(source.name()).file_stem().map_or_else(
        || "pipeline".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    )
}

fn policies(items: &[Item], options: &Options<'_>, diags: &mut Diagnostics) -> Vec<PolicySource> {
    let mut out = Vec::new();
    for item in items {
        let Item::Use(name) = item else { continue };
        match library_text(name, options) {
            Some(text) => out.push(PolicySource {
                name: name.value.clone(),
                text,
            }),
            None => {
                let help = crate::suggest::did_you_mean(
                    &name.value,
                    options.registry.library_names(),
                    || {
                        "use a library of this binary (e.g. \"std/policies\") or a path to a .kdl file".to_owned()
                    },
                );
                let (src, span) = (name.span.source.source_text(), name.span.range);
                diags.push(DeviceError::UnknownLibrary {
                    name: name.value.clone(),
                    src,
                    span,
                    help,
                });
            }
        }
    }
    out
}

fn library_text(name: &Spanned<String>, options: &Options<'_>) -> Option<String> {
    if let Some(text) = options.registry.library(&name.value) {
        return Some(text.to_owned());
    }
    if !name.value.ends_with(".kdl") {
        return None;
    }
    let base = name
        .span
        .source
        .path()
        .and_then(Path::parent)
        .unwrap_or(options.project_dir);
    options.fs.read_to_string(&base.join(&name.value)).ok()
}

/// The device asked for: `--device`, else the pipeline's `device` item, else `auto`.
fn requested_device(items: &[Item], options: &Options<'_>, diags: &mut Diagnostics) -> String {
    let mut given: Option<&Spanned<String>> = None;
    for item in items {
        let Item::Device(device) = item else { continue };
        if let Some(first) = given {
            let (src, span) = (device.span.source.source_text(), device.span.range);
            let help = format!("the first names `{}`; keep one `device`", first.value);
            diags.push(DeviceError::DuplicateDevice { src, span, help });
            continue;
        }
        given = Some(device);
    }
    match (options.device, given) {
        (Some(flag), _) => flag.to_owned(),
        (None, Some(item)) => item.value.clone(),
        (None, None) => "auto".to_owned(),
    }
}

fn place(
    checked: Vec<Checked>,
    bindings: &[Binding],
    policies: &[PolicySource],
    device: &str,
    options: &Options<'_>,
    diags: &mut Diagnostics,
) -> Vec<PlannedStage> {
    let placer = options.registry.placer();
    let setup = PlacementSetup {
        device,
        assumed_devices: options.assumed_devices,
        policies,
    };
    let problems = placer.check(&setup);
    if !problems.is_empty() {
        problems.into_iter().for_each(|p| diags.push_report(p));
        return Vec::new();
    }
    let mut feeds: Vec<Vec<&Binding>> = vec![Vec::new(); checked.len()];
    for b in bindings {
        feeds[b.to].push(b);
    }
    let placements: Vec<Option<Placement>> = (0..checked.len())
        .map(|i| {
            let (c, schema) = (&checked[i], checked[i].stage.schema());
            let upstream = if schema.uses_device {
                upstream_of(&checked, &feeds, i)
            } else {
                Vec::new()
            };
            let request = PlacementRequest {
                stage: &c.name.value,
                kind: schema.kind,
                params: &c.params,
                uses_device: schema.uses_device,
                device,
                policies,
                upstream: &upstream,
                project_dir: options.project_dir,
                assumed_devices: options.assumed_devices,
            };
            placer
                .place(&request)
                .map_err(|report| placement_error(c, report, diags))
                .ok()
        })
        .collect();
    let mut stages = Vec::with_capacity(checked.len());
    for (c, placement) in checked.into_iter().zip(placements) {
        let Some(placement) = placement else { continue };
        stages.push(PlannedStage {
            name: c.name.value.clone(),
            ensemble: c.ensemble.clone(),
            kind: c.stage.schema().kind,
            stage: c.stage,
            params: c.params,
            outputs: c.outputs,
            placement,
            resources: Resources::default(),
            span: c.name.span,
        });
    }
    stages
}

/// Every reference among the stages upstream of stage `i`, nearest first.
fn upstream_of<'a>(
    checked: &'a [Checked],
    feeds: &[Vec<&'a Binding>],
    i: usize,
) -> Vec<UpstreamStage<'a>> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::from([i]);
    let mut queue = std::collections::VecDeque::from([i]);
    while let Some(to) = queue.pop_front() {
        for b in feeds[to].iter().copied() {
            let from = &checked[b.from];
            let schema = from.stage.schema();
            let artifact = schema
                .outputs
                .iter()
                .find(|o| o.name == b.output)
                .map_or(ArtifactKind::FILES, |o| o.kind);
            out.push(UpstreamStage {
                consumer: &checked[to].name.value,
                param: &b.param,
                artifact,
                stage: &from.name.value,
                kind: schema.kind,
                params: &from.params,
            });
            if seen.insert(b.from) {
                queue.push_back(b.from);
            }
        }
    }
    out
}

/// A placement error: as the hook reported it when it points into a source of its own (a
/// policy file), else at the stage.
fn placement_error(c: &Checked, report: miette::Report, diags: &mut Diagnostics) {
    if report.source_code().is_some() {
        diags.push_report(report);
        return;
    }
    let (src, span) = (c.name.span.source.source_text(), c.name.span.range);
    let help = report.help().map(|h| h.to_string());
    diags.push(DeviceError::Placement {
        stage: c.name.value.clone(),
        reason: report.to_string(),
        src,
        span,
        help,
    });
}
