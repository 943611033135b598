use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cache::{Acquired, Cache, ENTRY_SCHEMA, EntryLock, EntryMeta, KeyParts, Verify};
use crate::stage::PublishContext;
use crate::{
    ContextParts, InputArtifact, ParamType, Params, Pipeline, Placement, Reporter, StageContext,
    Value,
};

/// What a successful stage recorded.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Metrics.
    pub metrics: BTreeMap<String, f64>,
    /// Other records.
    pub records: BTreeMap<String, serde_json::Value>,
    /// Each output's content hash, as its entry records it (what dependents' keys take).
    pub output_hashes: BTreeMap<String, String>,
    /// Warnings about the result.
    pub warnings: Vec<String>,
    /// Another process wrote the entry while this one waited for its lock: the stage did
    /// not run here (recorded as cached).
    pub reused: bool,
    /// The cluster job that ran it (e.g. a Slurm job id).
    pub job: Option<String>,
}

/// A stage about to run: its resolved key and the upstream outputs it reads.
pub struct Dispatch {
    /// The fingerprint's hash (the entry's name).
    pub fingerprint: String,
    /// The fingerprint's parts, kept in the entry.
    pub key: Option<KeyParts>,
    /// The upstream outputs, by input param.
    pub inputs: BTreeMap<String, Vec<InputArtifact>>,
    /// Where it runs: its placement, on the device the run assigned it.
    pub placement: Placement,
}

/// Why a stage did not complete.
#[derive(Debug)]
pub enum Failure {
    /// It returned an error (or panicked, or its outputs could not be stored).
    Error(miette::Report),
    /// The run was cancelled while it ran.
    Cancelled,
}

/// What one stage run needs from the run.
pub struct ExecEnv<'a> {
    /// The pipeline.
    pub pipeline: &'a Pipeline,
    /// The cache.
    pub cache: &'a Cache,
    /// Where relative paths resolve.
    pub project_dir: &'a Path,
    /// The run's live logs, `.clarity/logs/<run-id>`: each stage gets a directory under it.
    pub logs_dir: &'a Path,
    /// `--offline`.
    pub offline: bool,
    /// Ctrl-C.
    pub cancel: &'a AtomicBool,
    /// Messages.
    pub reporter: &'a dyn Reporter,
    /// The remote cache, if any: inputs missing here are pulled, the result is pushed.
    pub remote: Option<&'a crate::cache::remote::Remote>,
}

/// Runs stage `i` into a temporary cache entry under the entry's lock and moves it into
/// place on success; on failure or cancellation the temporary entry is removed, so no half
/// artifact remains. When another process was writing the same entry, waits for it and
/// takes its result.
pub fn execute(env: &ExecEnv<'_>, i: usize, dispatch: Dispatch) -> Result<Outcome, Failure> {
    let stage = &env.pipeline.stages[i];
    let Dispatch {
        fingerprint,
        key,
        mut inputs,
        placement,
    } = dispatch;
    let fingerprint = fingerprint.as_str();
    super::remote::pull_inputs(env, &mut inputs)?;
    let lock = match lock_entry(env, i, fingerprint)? {
        Locked::Mine(lock) => lock,
        Locked::WrittenMeanwhile(outcome) => return Ok(outcome),
    };
    let pending = env
        .cache
        .begin(
            fingerprint,
            stage.outputs.iter().map(|o| o.name.as_str()),
            lock,
        )
        .map_err(|e| Failure::Error(e.into()))?;
    let params = absolute_paths(&stage.params, stage.stage.schema(), env.project_dir);
    let parts = ContextParts {
        stage_name: &stage.name,
        fingerprint,
        params: &params,
        inputs,
        outputs: stage
            .outputs
            .iter()
            .map(|o| (o.name.clone(), pending.output_dir(&o.name)))
            .collect(),
        scratch_dir: pending.scratch_dir(),
        logs_dir: env.logs_dir.join(stage.name.replace(['/', '\\'], "_")),
        placement: &placement,
        offline: env.offline,
        project_dir: env.project_dir,
        cancel: env.cancel,
        reporter: env.reporter,
    };
    let mut ctx = StageContext::new(parts);
    let result =
        catch_unwind(AssertUnwindSafe(|| stage.stage.run(&mut ctx))).unwrap_or_else(|panic| {
            Err(miette::miette!(
                "stage `{}` panicked: {}",
                stage.name,
                panic_text(&panic)
            ))
        });
    let mut outcome = Outcome {
        metrics: ctx.metrics().clone(),
        records: ctx.records().clone(),
        warnings: ctx.warnings().to_vec(),
        ..Outcome::default()
    };
    if env.cancel.load(Ordering::Relaxed) {
        env.cache.abandon(pending);
        return Err(Failure::Cancelled);
    }
    if let Err(report) = result {
        env.cache.abandon(pending);
        return Err(Failure::Error(report));
    }
    let meta = env
        .cache
        .commit(pending, entry_meta(stage, fingerprint, key, &outcome))
        .map_err(|e| Failure::Error(e.into()))?;
    outcome.output_hashes = meta.output_hashes();
    super::remote::push_committed(env, i, fingerprint);
    publish(env, i, fingerprint, false).map_err(Failure::Error)?;
    Ok(outcome)
}

/// What the entry of a stage that ran records (its outputs' hashes are added by the commit).
fn entry_meta(
    stage: &crate::PlannedStage,
    fingerprint: &str,
    key: Option<KeyParts>,
    outcome: &Outcome,
) -> EntryMeta {
    EntryMeta {
        schema: ENTRY_SCHEMA,
        stage: stage.name.clone(),
        kind: stage.kind.to_owned(),
        version: stage.stage.schema().version,
        fingerprint: fingerprint.to_owned(),
        params: serde_json::to_value(stage.recorded_params()).unwrap_or_default(),
        metrics: serde_json::to_value(&outcome.metrics).unwrap_or_default(),
        warnings: outcome.warnings.clone(),
        outputs: BTreeMap::new(),
        key,
    }
}

enum Locked {
    Mine(EntryLock),
    WrittenMeanwhile(Outcome),
}

/// Takes the lock of stage `i`'s entry, waiting while another process writes it; when that
/// process completed the entry meanwhile, its result (published here).
fn lock_entry(env: &ExecEnv<'_>, i: usize, fingerprint: &str) -> Result<Locked, Failure> {
    let stage = &env.pipeline.stages[i];
    let waiting = || {
        env.reporter.info(
            &stage.name,
            "another process is writing this stage's cache entry; waiting for it",
        );
    };
    let acquired = EntryLock::acquire(env.cache.root(), fingerprint, env.cancel, waiting)
        .map_err(|e| Failure::Error(e.into()))?;
    let lock = match acquired {
        Acquired::Free(lock) => return Ok(Locked::Mine(lock)),
        Acquired::Cancelled => return Err(Failure::Cancelled),
        Acquired::AfterWaiting(lock) => lock,
    };
    let outputs = stage.outputs.iter().map(|o| o.name.as_str());
    let Some(Ok(meta)) = env.cache.verify(fingerprint, outputs, Verify::Fast) else {
        return Ok(Locked::Mine(lock));
    };
    drop(lock);
    publish(env, i, fingerprint, true).map_err(Failure::Error)?;
    Ok(Locked::WrittenMeanwhile(Outcome {
        metrics: serde_json::from_value(meta.metrics.clone()).unwrap_or_default(),
        output_hashes: meta.output_hashes(),
        warnings: meta.warnings.clone(),
        reused: true,
        ..Outcome::default()
    }))
}

/// Runs stage `i`'s publish step over its outputs in the cache: after it ran (`cached` false)
/// or instead of running it (`cached` true).
pub fn publish(
    env: &ExecEnv<'_>,
    i: usize,
    fingerprint: &str,
    cached: bool,
) -> Result<(), miette::Report> {
    let stage = &env.pipeline.stages[i];
    let outputs = stage.outputs.iter().map(|o| o.name.as_str());
    match env.cache.verify(fingerprint, outputs, Verify::Fast) {
        Some(Ok(_)) => {}
        Some(Err(mismatch)) => {
            return Err(miette::miette!(
                code = "clarity::cache::untrusted",
                help =
                    "run the pipeline again to recompute it; `clarity verify` checks every entry",
                "not publishing the outputs of stage `{}`: its cache entry does not match its recorded hashes ({mismatch})",
                stage.name
            ));
        }
        None => {
            return Err(miette::miette!(
                "not publishing the outputs of stage `{}`: its cache entry is gone",
                stage.name
            ));
        }
    }
    let params = absolute_paths(&stage.params, stage.stage.schema(), env.project_dir);
    let ctx = PublishContext {
        stage_name: &stage.name,
        params: &params,
        outputs: stage
            .outputs
            .iter()
            .map(|o| (o.name.clone(), env.cache.output_dir(fingerprint, &o.name)))
            .collect(),
        project_dir: env.project_dir,
        cached,
        reporter: env.reporter,
    };
    catch_unwind(AssertUnwindSafe(|| stage.stage.publish(&ctx))).unwrap_or_else(|panic| {
        Err(miette::miette!(
            "stage `{}` panicked while publishing its outputs: {}",
            stage.name,
            panic_text(&panic)
        ))
    })
}

/// The upstream outputs stage `i` reads, by input param (every upstream fingerprint known).
pub fn inputs(
    env: &ExecEnv<'_>,
    i: usize,
    fingerprints: &[Option<String>],
) -> BTreeMap<String, Vec<InputArtifact>> {
    let mut out: BTreeMap<String, Vec<InputArtifact>> = BTreeMap::new();
    for binding in env.pipeline.inputs_of(i) {
        let upstream = fingerprints[binding.from].as_deref().unwrap_or_default();
        let dir = env.cache.output_dir(upstream, &binding.output);
        out.entry(binding.param.clone())
            .or_default()
            .push(InputArtifact {
                reference: binding.reference.clone(),
                dir,
            });
    }
    out
}

fn absolute_paths(params: &Params, schema: &crate::StageSchema, project_dir: &Path) -> Params {
    let absolute = |v: &Value| match v {
        Value::String(s) => Value::String(project_dir.join(s).to_string_lossy().into_owned()),
        other => other.clone(),
    };
    params
        .iter()
        .map(|(name, value)| {
            let value = match schema.param(name).map(|p| &p.ty) {
                Some(ParamType::Path) => absolute(value),
                Some(ParamType::List(t)) if **t == ParamType::Path => match value {
                    Value::List(items) => Value::List(items.iter().map(absolute).collect()),
                    other => other.clone(),
                },
                _ => value.clone(),
            };
            (name.to_owned(), value)
        })
        .collect()
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}
