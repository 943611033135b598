//! `clarity worker --job FILE PIPELINE-ARGS`: runs the one stage a driver resolved (for
//! `--executor process`, and the command a cluster job runs) and writes its result next to
//! the job file (or, for a node without the driver's filesystem, to the remote cache). It shares the cache with its driver and any other workers: it takes the
//! shared cache lock and its own entry's lock, and cleans only its own entry's leftovers.

use crate::cache::Cache;
use crate::diag::Style;
use crate::fs::{FileSystem, RealFs, UncheckedPaths};
use crate::run::{ExecEnv, JobResult, StageJob, execute, read_json, write_json};
use crate::{Registry, StderrReporter};

use super::load::{load_with, print_error};
use super::run::install_ctrlc;
use super::{EXIT_CONFIG, EXIT_OK, EXIT_RUNTIME, EmbeddedPipeline, WorkerArgs};

/// `clarity worker`.
pub fn worker(
    args: &WorkerArgs,
    registry: &Registry,
    default: &EmbeddedPipeline,
    style: Style,
) -> u8 {
    let job: StageJob = match read_json(&args.job) {
        Ok(job) => job,
        Err(e) => {
            eprintln!("error: cannot read job file {}: {e}", args.job.display());
            return EXIT_RUNTIME;
        }
    };
    // Away from the project, the files path params name are not here; the driver checked
    // them, and runs the stages that read them itself.
    let fs: &dyn FileSystem = if job.remote_result.is_some() {
        &UncheckedPaths
    } else {
        &RealFs
    };
    let Some(loaded) = load_with(&args.pipeline, registry, default, style, fs) else {
        return EXIT_CONFIG;
    };
    let Some(i) = loaded.pipeline.index(&job.stage) else {
        eprintln!("error: the pipeline has no stage `{}`", job.stage);
        return EXIT_RUNTIME;
    };
    let cache = match Cache::open(loaded.project_dir.join(".clarity")) {
        Ok(cache) => cache,
        Err(e) => return print_error(e, style).unwrap_or(EXIT_RUNTIME),
    };
    let address = super::remote::address(&args.pipeline, &loaded);
    let remote = match super::remote::open_address(address, &loaded.project_dir, style, false) {
        Ok(remote) => remote,
        Err(code) => return code,
    };
    let _lock = match cache.lock() {
        Ok(lock) => lock,
        Err(e) => return print_error(e, style).unwrap_or(EXIT_RUNTIME),
    };
    let cancel = install_ctrlc();
    let exec = ExecEnv {
        pipeline: &loaded.pipeline,
        cache: &cache,
        project_dir: &loaded.project_dir,
        logs_dir: &job.logs_dir,
        offline: args.pipeline.offline,
        cancel: &cancel,
        reporter: &StderrReporter,
        remote: remote.as_ref(),
    };
    let placement = loaded.pipeline.stages[i].placement.clone();
    let result = execute(&exec, i, job.dispatch(placement));
    if let Some(remote) = remote.as_ref().filter(|r| !r.transferred().is_empty()) {
        super::remote::print_transferred(remote);
    }
    let code = if result.is_ok() {
        EXIT_OK
    } else {
        EXIT_RUNTIME
    };
    let report = JobResult::of(&result);
    let written = match (&job.remote_result, remote.as_ref()) {
        (Some(name), Some(remote)) => {
            let bytes = serde_json::to_vec_pretty(&report).unwrap_or_default();
            remote
                .put_message(name, bytes)
                .map_err(|e| format!("cannot report the result to the remote cache: {e}"))
        }
        (Some(_), None) => Err("the job reports through a remote cache, and none is set".into()),
        (None, _) => {
            let path = args.job.with_extension("result.json");
            write_json(&path, &report).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
    };
    if let Err(message) = written {
        eprintln!("error: {message}");
        return EXIT_RUNTIME;
    }
    code
}
