//! [`ProcessExecutor`]: each stage in a child `clarity worker` process.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::execute::{Dispatch, ExecEnv};
use super::executor::Executor;
use super::job::{JobResult, StageJob, read_json, write_json};
use super::{Failure, Outcome};

/// Runs each stage as `EXE worker --job FILE ARGS…` in the project directory, where `ARGS`
/// load the same pipeline (file, `--set`, `--sweep`, `--device`, `--offline`). Job files live
/// under `.clarity/jobs/`.
#[derive(Clone, Debug)]
pub struct ProcessExecutor {
    /// The clarity binary.
    pub exe: PathBuf,
    /// The pipeline arguments.
    pub args: Vec<String>,
}

impl Executor for ProcessExecutor {
    fn run(&self, env: &ExecEnv<'_>, i: usize, dispatch: Dispatch) -> Result<Outcome, Failure> {
        let stage = &env.pipeline.stages[i].name;
        let dir = env.cache.root().join("jobs");
        let job = dir.join(format!("{}.json", dispatch.fingerprint));
        let result = job.with_extension("result.json");
        let _ = std::fs::remove_file(&result);
        std::fs::create_dir_all(&dir)
            .and_then(|()| write_json(&job, &StageJob::new(stage, &dispatch, env.logs_dir)))
            .map_err(|e| fail(format!("cannot write the job file {}: {e}", job.display())))?;
        let mut child = Command::new(&self.exe)
            .arg("worker")
            .arg("--job")
            .arg(&job)
            .args(&self.args)
            .current_dir(env.project_dir)
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| fail(format!("cannot start `{}`: {e}", self.exe.display())))?;
        let status = wait(&mut child, env);
        let _ = std::fs::remove_file(&job);
        let read = read_json::<JobResult>(&result);
        let _ = std::fs::remove_file(&result);
        match (read, status) {
            (Ok(result), _) => result.into_result(),
            (Err(_), _) if env.cancel.load(Ordering::Relaxed) => Err(Failure::Cancelled),
            (Err(_), status) => Err(fail(format!(
                "the worker process of stage `{stage}` ended ({status}) without a result"
            ))),
        }
    }
}

/// Waits for the child; on Ctrl-C asks it to stop (it removes its partial entry) and waits.
fn wait(child: &mut Child, env: &ExecEnv<'_>) -> String {
    let mut asked = false;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.to_string(),
            Ok(None) => {}
            Err(e) => return e.to_string(),
        }
        if !asked && env.cancel.load(Ordering::Relaxed) {
            terminate(child);
            asked = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGTERM: the worker stops like a run on Ctrl-C.
fn terminate(child: &mut Child) {
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .is_ok_and(|s| s.success());
    if !stopped {
        let _ = child.kill();
    }
}

fn fail(message: String) -> Failure {
    Failure::Error(miette::miette!(
        code = "clarity::executor::process",
        "{message}"
    ))
}
