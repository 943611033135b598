use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use crate::cache::{
    CLARITY_VERSION, Cache, Fingerprint, InputKey, KeyParts, Mismatch, PlacementKey, Verify,
    content_hash, secret_hash,
};
use crate::{ParamType, Pipeline, Value};

use super::RunError;
use super::history::latest_fingerprints;

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
    /// An upstream stage runs first, and this stage's key takes the content of that stage's
    /// outputs: it runs only if they change (decided when they exist).
    Pending,
    /// Missing here, complete in the remote cache: a run pulls it (shown by `clarity plan`
    /// with a remote cache; a run decides when it gets there).
    Remote,
}

impl CacheStatus {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Cached => "cached",
            Self::Stale => "run",
            Self::Untrusted => "rerun",
            Self::Forced => "forced",
            Self::Pending => "pending",
            Self::Remote => "remote",
        }
    }
}

/// A selected stage's fingerprint and cache status.
#[derive(Clone, Debug)]
pub struct StagePlan {
    /// The fingerprint's hash; `None` while it is [`CacheStatus::Pending`].
    pub fingerprint: Option<String>,
    /// The fingerprint's parts, kept in the entry when the stage runs; `None` while pending.
    pub key: Option<KeyParts>,
    /// A pending stage's fingerprint without its inputs (params, files, environment values
    /// hashed at plan time), completed when the inputs exist.
    pub base: Option<Fingerprint>,
    /// Cache status.
    pub status: CacheStatus,
    /// Why an existing entry is not trusted ([`CacheStatus::Untrusted`]).
    pub untrusted: Option<Mismatch>,
    /// The metrics a [`CacheStatus::Cached`] stage reported when it ran (from its entry's
    /// `stage.json`, read while verifying it); empty otherwise.
    pub cached_metrics: BTreeMap<String, f64>,
    /// The content hash of each output of a [`CacheStatus::Cached`] stage: what its
    /// dependents' fingerprints take.
    pub output_hashes: BTreeMap<String, String>,
    /// Why it runs, or may (which param, file or input changed since the stage's last run);
    /// empty for a cached stage.
    pub reasons: Vec<String>,
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

/// Computes fingerprints (in topological order) and cache status of the `selected` stages
/// (a set closed under dependencies). A stage whose upstream stages are all cached gets its
/// fingerprint now, from their recorded output hashes; one downstream of a stage that runs
/// is [`CacheStatus::Pending`] until the scheduler knows the new outputs. An entry is
/// trusted only when its files match their recorded sizes and times, or else their hashes.
pub fn make_plan(
    pipeline: &Pipeline,
    cache: &Cache,
    selected: &BTreeSet<usize>,
    force: &BTreeSet<usize>,
    project_dir: &Path,
) -> Result<Plan, RunError> {
    let planner = Planner::new(pipeline, cache, force, project_dir).explaining();
    let mut plan = Plan {
        stages: vec![None; pipeline.stages.len()],
        order: Vec::new(),
    };
    let mut outputs = vec![None; pipeline.stages.len()];
    for &i in pipeline.order.iter().filter(|i| selected.contains(i)) {
        let stage = planner.resolve(i, &outputs)?;
        if stage.status == CacheStatus::Cached {
            outputs[i] = Some(stage.output_hashes.clone());
        }
        plan.stages[i] = Some(stage);
        plan.order.push(i);
    }
    Ok(plan)
}

/// Resolves one stage's fingerprint and cache status once its upstream outputs are known:
/// at plan time for stages downstream of cached ones only, and by the scheduler when a
/// pending stage's inputs exist.
pub struct Planner<'a> {
    pipeline: &'a Pipeline,
    cache: &'a Cache,
    force: &'a BTreeSet<usize>,
    project_dir: &'a Path,
    /// Each stage's fingerprint in its latest run, when reasons are wanted.
    history: Option<BTreeMap<String, String>>,
}

impl<'a> Planner<'a> {
    /// A planner that does not explain why stages run.
    pub fn new(
        pipeline: &'a Pipeline,
        cache: &'a Cache,
        force: &'a BTreeSet<usize>,
        project_dir: &'a Path,
    ) -> Self {
        Self {
            pipeline,
            cache,
            force,
            project_dir,
            history: None,
        }
    }

    /// Also says why each stage runs, comparing with the pipeline's earlier runs.
    fn explaining(mut self) -> Self {
        let runs = self.cache.root().join("runs");
        self.history = Some(latest_fingerprints(&runs, &self.pipeline.name));
        self
    }

    /// Plans stage `i`; `outputs[u]` holds the output content hashes of stage `u` once known.
    pub fn resolve(
        &self,
        i: usize,
        outputs: &[Option<BTreeMap<String, String>>],
    ) -> Result<StagePlan, RunError> {
        let base = base_fingerprint(self.pipeline, i, self.project_dir)?;
        Ok(self.resolve_from(i, base, outputs))
    }

    /// Plans stage `i` from its fingerprint without inputs (a pending stage's
    /// [`StagePlan::base`], so its files are hashed once per run).
    pub fn resolve_from(
        &self,
        i: usize,
        mut fingerprint: Fingerprint,
        outputs: &[Option<BTreeMap<String, String>>],
    ) -> StagePlan {
        let waiting_on = add_inputs(&mut fingerprint, self.pipeline, outputs, i);
        if !waiting_on.is_empty() {
            return self.pending(i, fingerprint, &waiting_on);
        }
        let key = fingerprint.parts();
        let hash = fingerprint.hash();
        let stage = &self.pipeline.stages[i];
        let names = stage.outputs.iter().map(|o| o.name.as_str());
        let mut plan = StagePlan {
            fingerprint: Some(hash.clone()),
            key: Some(key),
            status: CacheStatus::Stale,
            untrusted: None,
            cached_metrics: BTreeMap::new(),
            cached_warnings: Vec::new(),
            output_hashes: BTreeMap::new(),
            reasons: Vec::new(),
            base: None,
        };
        match (
            self.cache.verify(&hash, names, Verify::Fast),
            self.force.contains(&i),
        ) {
            (None, _) => plan.reasons = self.changes(i, plan.key.as_ref(), true),
            (Some(Ok(meta)), false) => {
                plan.status = CacheStatus::Cached;
                plan.cached_metrics =
                    serde_json::from_value(meta.metrics.clone()).unwrap_or_default();
                plan.output_hashes = meta.output_hashes();
                plan.cached_warnings = meta.warnings;
            }
            (Some(Ok(_)), true) => {
                plan.status = CacheStatus::Forced;
                plan.reasons = vec!["forced".to_owned()];
            }
            (Some(Err(mismatch)), _) => {
                plan.status = CacheStatus::Untrusted;
                plan.reasons = vec![format!("its cache entry is not trusted: {mismatch}")];
                plan.untrusted = Some(mismatch);
            }
        }
        plan
    }

    /// A stage that waits on the outputs of the upstream stages `waiting_on`.
    fn pending(&self, i: usize, base: Fingerprint, waiting_on: &BTreeSet<usize>) -> StagePlan {
        let names: Vec<String> = waiting_on
            .iter()
            .map(|&u| format!("`{}`", self.pipeline.stages[u].name))
            .collect();
        let mut reasons = vec![format!(
            "runs if the outputs it reads from {} change",
            names.join(", ")
        )];
        reasons.extend(self.changes(i, Some(&base.parts()), false));
        StagePlan {
            fingerprint: None,
            key: None,
            base: Some(base),
            status: CacheStatus::Pending,
            untrusted: None,
            cached_metrics: BTreeMap::new(),
            cached_warnings: Vec::new(),
            output_hashes: BTreeMap::new(),
            reasons,
        }
    }

    /// Why stage `i` with `key` differs from its latest run (nothing when not explaining).
    fn changes(&self, i: usize, key: Option<&KeyParts>, with_inputs: bool) -> Vec<String> {
        let (Some(history), Some(key)) = (&self.history, key) else {
            return Vec::new();
        };
        let Some(earlier) = history.get(&self.pipeline.stages[i].name) else {
            return vec!["no earlier run of this stage".to_owned()];
        };
        let Some(earlier) = self.cache.read_meta(earlier).and_then(|m| m.key) else {
            return vec!["its last run's cache entry is gone".to_owned()];
        };
        key.changes(&earlier, with_inputs)
            .iter()
            .map(ToString::to_string)
            .collect()
    }
}

/// The fingerprint of stage `i` without inputs: params, the content of local files, the
/// environment values it takes, outputs and placement.
pub fn base_fingerprint(
    pipeline: &Pipeline,
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
    Ok(Fingerprint {
        clarity: CLARITY_VERSION.to_owned(),
        kind: schema.kind.to_owned(),
        version: schema.version,
        params,
        inputs: BTreeMap::new(),
        files,
        secrets,
        outputs: stage.outputs.iter().map(|o| o.name.clone()).collect(),
        placement: schema
            .uses_device
            .then(|| PlacementKey::from(&stage.placement)),
    })
}

/// Sets the inputs of stage `i`'s fingerprint from the output hashes of its upstream
/// stages; returns the upstream stages whose outputs are not known yet (left out).
fn add_inputs(
    fingerprint: &mut Fingerprint,
    pipeline: &Pipeline,
    outputs: &[Option<BTreeMap<String, String>>],
    i: usize,
) -> BTreeSet<usize> {
    let mut inputs: BTreeMap<String, Vec<InputKey>> = BTreeMap::new();
    let mut waiting_on = BTreeSet::new();
    for binding in pipeline.inputs_of(i) {
        let content = outputs[binding.from]
            .as_ref()
            .and_then(|o| o.get(&binding.output));
        let Some(content) = content else {
            waiting_on.insert(binding.from);
            continue;
        };
        inputs
            .entry(binding.param.clone())
            .or_default()
            .push(InputKey {
                output: binding.output.clone(),
                content: content.clone(),
            });
    }
    fingerprint.inputs = inputs;
    waiting_on
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
