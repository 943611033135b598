use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use crate::cache::{
    CLARITY_VERSION, Cache, Fingerprint, InputKey, Mismatch, PlacementKey, Verify, content_hash,
    secret_hash,
};
use crate::{ParamType, Pipeline, Value};

use super::RunError;

/// Whether a stage's outputs are in the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CacheStatus {
    /// Complete and current: the stage will be skipped.
    Cached,
    /// Missing or out of date: the stage will run.
    Stale,
    /// An entry exists but does not match its recorded content hashes (a file was edited,
    /// damaged or deleted): the stage runs again.
    Untrusted,
    /// Current, but `--force` re-runs it.
    Forced,
}

impl CacheStatus {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Cached => "cached",
            Self::Stale => "run",
            Self::Untrusted => "rerun",
            Self::Forced => "forced",
        }
    }
}

/// A selected stage's fingerprint and cache status.
#[derive(Clone, Debug)]
pub struct StagePlan {
    /// The fingerprint's hash.
    pub fingerprint: String,
    /// Cache status.
    pub status: CacheStatus,
    /// Why an existing entry is not trusted ([`CacheStatus::Untrusted`]).
    pub untrusted: Option<Mismatch>,
    /// The metrics a [`CacheStatus::Cached`] stage reported when it ran (from its entry's
    /// `stage.json`, read while verifying it); empty otherwise.
    pub cached_metrics: BTreeMap<String, f64>,
    /// The warnings a [`CacheStatus::Cached`] stage recorded when it ran; empty otherwise.
    pub cached_warnings: Vec<String>,
}

/// What a run will do.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// By stage index; `None` for stages not selected.
    pub stages: Vec<Option<StagePlan>>,
    /// Selected stages in topological order.
    pub order: Vec<usize>,
}

/// Computes fingerprints (in topological order, so upstream hashes are known) and cache
/// status of the `selected` stages (a set closed under dependencies). An entry is trusted
/// only when its files match their recorded sizes and times, or else their hashes.
pub fn make_plan(
    pipeline: &Pipeline,
    cache: &Cache,
    selected: &BTreeSet<usize>,
    force: &BTreeSet<usize>,
    project_dir: &Path,
) -> Result<Plan, RunError> {
    let mut plan = Plan {
        stages: vec![None; pipeline.stages.len()],
        order: Vec::new(),
    };
    for &i in pipeline.order.iter().filter(|i| selected.contains(i)) {
        let fingerprint = fingerprint(pipeline, &plan, i, project_dir)?.hash();
        let stage = &pipeline.stages[i];
        let outputs = stage.outputs.iter().map(|o| o.name.as_str());
        let mut cached_metrics = BTreeMap::new();
        let mut cached_warnings = Vec::new();
        let (status, untrusted) = match (
            cache.verify(&fingerprint, outputs, Verify::Fast),
            force.contains(&i),
        ) {
            (None, _) => (CacheStatus::Stale, None),
            (Some(Ok(meta)), false) => {
                cached_metrics = serde_json::from_value(meta.metrics).unwrap_or_default();
                cached_warnings = meta.warnings;
                (CacheStatus::Cached, None)
            }
            (Some(Ok(_)), true) => (CacheStatus::Forced, None),
            (Some(Err(mismatch)), _) => (CacheStatus::Untrusted, Some(mismatch)),
        };
        plan.stages[i] = Some(StagePlan {
            fingerprint,
            status,
            untrusted,
            cached_metrics,
            cached_warnings,
        });
        plan.order.push(i);
    }
    Ok(plan)
}

/// The fingerprint of stage `i`, given the plan of its (already planned) upstream stages.
pub fn fingerprint(
    pipeline: &Pipeline,
    plan: &Plan,
    i: usize,
    project_dir: &Path,
) -> Result<Fingerprint, RunError> {
    let stage = &pipeline.stages[i];
    let schema = stage.stage.schema();
    let mut params = BTreeMap::new();
    let mut files = BTreeMap::new();
    for (name, value) in stage.params.iter() {
        let ty = schema.param(name).map(|p| &p.ty);
        if ty.and_then(ParamType::input_kind).is_some() {
            continue;
        }
        if matches!(ty, Some(ParamType::Path))
            || matches!(ty, Some(ParamType::List(t)) if **t == ParamType::Path)
        {
            hash_paths(&stage.name, name, value, project_dir, &mut files)?;
        }
        params.insert(name.to_owned(), value.clone());
    }
    let extra = stage.stage.fingerprint_extra(&stage.params, project_dir);
    for (param, path) in &extra.files {
        hash_paths(
            &stage.name,
            param,
            &Value::from(path.as_str()),
            project_dir,
            &mut files,
        )?;
    }
    let secrets = extra
        .secrets
        .iter()
        .map(|(name, value)| (name.clone(), secret_hash(name, value)))
        .collect();
    let mut inputs: BTreeMap<String, Vec<InputKey>> = BTreeMap::new();
    for binding in pipeline.inputs_of(i) {
        let upstream = plan.stages[binding.from]
            .as_ref()
            .map(|p| p.fingerprint.clone())
            .unwrap_or_default();
        inputs
            .entry(binding.param.clone())
            .or_default()
            .push(InputKey {
                fingerprint: upstream,
                output: binding.output.clone(),
            });
    }
    Ok(Fingerprint {
        clarity: CLARITY_VERSION.to_owned(),
        kind: schema.kind.to_owned(),
        version: schema.version,
        params,
        inputs,
        files,
        secrets,
        outputs: stage.outputs.iter().map(|o| o.name.clone()).collect(),
        placement: schema
            .uses_device
            .then(|| PlacementKey::from(&stage.placement)),
    })
}

fn hash_paths(
    stage: &str,
    param: &str,
    value: &Value,
    project_dir: &Path,
    files: &mut BTreeMap<String, String>,
) -> Result<(), RunError> {
    let paths: Vec<&str> = match value {
        Value::List(items) => items.iter().filter_map(Value::as_str).collect(),
        other => other.as_str().into_iter().collect(),
    };
    for path in paths {
        let full = project_dir.join(path);
        let hash = content_hash(&full).map_err(|source| RunError::Hash {
            stage: stage.to_owned(),
            param: param.to_owned(),
            path: full.clone(),
            source,
        })?;
        files.insert(path.to_owned(), hash);
    }
    Ok(())
}
