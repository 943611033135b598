//! The run's use of a remote cache: a stage missing locally is pulled before it would run
//! (and counts as cached when its entry arrives whole), a stage that ran is pushed, and a
//! stage run elsewhere (a cluster node without the project's filesystem) pulls its inputs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::cache::Cache;
use crate::cache::remote::{Pulled, Remote, RemoteError};
use crate::{InputArtifact, Pipeline};

use super::execute::ExecEnv;
use super::{CacheStatus, Failure, Outcome, Plan, Planner, RunError, StagePlan};

/// Before stage `i` runs: when its entry is missing or untrusted locally (and it is not
/// forced), pulls it from the remote cache. Returns whether it was pulled; `plan` is then
/// [`CacheStatus::Cached`] with the pulled entry's metrics and output hashes. A damaged
/// remote entry is refused with a warning, and the stage runs (and pushes its result).
pub fn pull_missing(
    env: &ExecEnv<'_>,
    i: usize,
    plan: Option<&mut StagePlan>,
    forced: bool,
) -> bool {
    let (Some(remote), Some(plan)) = (env.remote, plan) else {
        return false;
    };
    if forced || !matches!(plan.status, CacheStatus::Stale | CacheStatus::Untrusted) {
        return false;
    }
    let Some(fingerprint) = plan.fingerprint.clone() else {
        return false;
    };
    let stage = &env.pipeline.stages[i];
    let outputs: Vec<&str> = stage.outputs.iter().map(|o| o.name.as_str()).collect();
    match remote.pull(env.cache, &fingerprint, &outputs) {
        Ok(Pulled::Installed(meta)) => {
            plan.status = CacheStatus::Cached;
            plan.untrusted = None;
            plan.reasons.clear();
            plan.cached_metrics = serde_json::from_value(meta.metrics.clone()).unwrap_or_default();
            plan.output_hashes = meta.output_hashes();
            plan.cached_warnings = meta.warnings.clone();
            true
        }
        Ok(Pulled::Missing) => false,
        Ok(Pulled::Refused(why)) => {
            let message = format!(
                "the remote cache's entry does not match its recorded hashes ({why}); not trusted, running the stage"
            );
            env.reporter.warn(&stage.name, &message);
            false
        }
        Err(e) => {
            env.reporter.warn(
                &stage.name,
                &format!("cannot pull from the remote cache: {e}"),
            );
            false
        }
    }
}

/// After stage `i` committed entry `fingerprint`: pushes it (replacing a remote copy, which
/// can only be one that was refused). A failed push is a warning: the result is in the local
/// cache, and `clarity push` sends it later.
pub fn push_committed(env: &ExecEnv<'_>, i: usize, fingerprint: &str) {
    let Some(remote) = env.remote else { return };
    if let Err(e) = remote.push(env.cache, fingerprint, true) {
        let stage = &env.pipeline.stages[i].name;
        env.reporter
            .warn(stage, &format!("cannot push to the remote cache: {e}"));
    }
}

/// After an executor ran stage `i` elsewhere (a cluster node without the project's
/// filesystem): when its entry is not in the local cache, pulls it — the node pushed it — so
/// the stages that read it find it here. A no-op on a shared filesystem.
pub fn fetch_result(
    env: &ExecEnv<'_>,
    i: usize,
    fingerprint: &str,
    result: Result<Outcome, Failure>,
) -> Result<Outcome, Failure> {
    let (Some(remote), Ok(_)) = (env.remote, &result) else {
        return result;
    };
    if env.cache.entry_dir(fingerprint).exists() {
        return result;
    }
    let stage = &env.pipeline.stages[i];
    let outputs: Vec<&str> = stage.outputs.iter().map(|o| o.name.as_str()).collect();
    match remote.pull(env.cache, fingerprint, &outputs) {
        Ok(Pulled::Installed(_)) => result,
        Ok(other) => Err(Failure::Error(miette::miette!(
            code = "clarity::remote::input",
            "stage `{}` ran elsewhere, but its entry is neither here nor complete in the remote cache ({other:?})",
            stage.name
        ))),
        Err(e) => Err(Failure::Error(e.into())),
    }
}

/// Before a stage runs where its inputs may not be (a cluster node without the project's
/// filesystem): pulls each upstream entry missing from the local cache and points the input
/// at it. An input that is neither here nor in the remote cache fails the stage.
pub fn pull_inputs(
    env: &ExecEnv<'_>,
    inputs: &mut BTreeMap<String, Vec<InputArtifact>>,
) -> Result<(), Failure> {
    let Some(remote) = env.remote else {
        return Ok(());
    };
    for artifact in inputs.values_mut().flatten() {
        if artifact.dir.is_dir() {
            continue;
        }
        let (Some(output), Some(fingerprint)) = (
            artifact
                .dir
                .file_name()
                .and_then(|s| s.to_str())
                .map(str::to_owned),
            artifact
                .dir
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|s| s.to_str())
                .map(str::to_owned),
        ) else {
            continue;
        };
        let local = env.cache.output_dir(&fingerprint, &output);
        if !local.is_dir() {
            let outputs = upstream_outputs(env, &artifact.reference, &output);
            let outputs: Vec<&str> = outputs.iter().map(String::as_str).collect();
            match remote.pull(env.cache, &fingerprint, &outputs) {
                Ok(Pulled::Installed(_)) => {}
                Ok(other) => {
                    return Err(Failure::Error(miette::miette!(
                        code = "clarity::remote::input",
                        help = "push it from the machine that has it: `clarity push`",
                        "input `{}` is neither in the local cache nor complete in the remote cache ({other:?})",
                        artifact.reference
                    )));
                }
                Err(e) => return Err(Failure::Error(e.into())),
            }
        }
        artifact.dir = local;
    }
    Ok(())
}

/// Every output of the stage `reference` (`stage.output`) names, so a pulled entry is whole.
fn upstream_outputs(env: &ExecEnv<'_>, reference: &str, output: &str) -> Vec<String> {
    reference
        .rsplit_once('.')
        .and_then(|(stage, _)| env.pipeline.index(stage))
        .map(|u| {
            env.pipeline.stages[u]
                .outputs
                .iter()
                .map(|o| o.name.clone())
                .collect()
        })
        .unwrap_or_else(|| vec![output.to_owned()])
}

/// For `clarity plan` with a remote cache: marks each planned stage missing here but complete
/// in the remote cache [`CacheStatus::Remote`], and resolves the pending stages downstream of
/// it from the output hashes its remote `stage.json` records.
pub fn mark_remote(
    pipeline: &Pipeline,
    cache: &Cache,
    remote: &Remote,
    plan: &mut Plan,
    project_dir: &Path,
) -> Result<(), RemoteOrRun> {
    let force = BTreeSet::new();
    let planner = Planner::new(pipeline, cache, &force, project_dir);
    let mut outputs = vec![None; pipeline.stages.len()];
    for &i in &plan.order {
        let Some(p) = plan.stages[i].as_mut() else {
            continue;
        };
        if p.status == CacheStatus::Pending {
            *p = planner.resolve(i, &outputs).map_err(RemoteOrRun::Run)?;
        }
        let missing = matches!(p.status, CacheStatus::Stale | CacheStatus::Untrusted);
        let fingerprint = p.fingerprint.as_deref().filter(|_| missing);
        if let Some(fingerprint) = fingerprint
            && let Some(meta) = remote.peek(fingerprint).map_err(RemoteOrRun::Remote)?
        {
            p.status = CacheStatus::Remote;
            p.output_hashes = meta.output_hashes();
            p.reasons = vec!["complete in the remote cache: a run pulls it".to_owned()];
        }
        if matches!(p.status, CacheStatus::Cached | CacheStatus::Remote) {
            outputs[i] = Some(p.output_hashes.clone());
        }
    }
    Ok(())
}

/// What [`mark_remote`] can fail with.
#[derive(Debug)]
pub enum RemoteOrRun {
    /// The remote cache failed.
    Remote(RemoteError),
    /// Planning failed.
    Run(RunError),
}
