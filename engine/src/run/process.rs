//! [`ProcessExecutor`]: each stage in a child `clarity worker` process.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::execute::{Dispatch, ExecEnv};
use super::executor::Executor;
use super::job::JobFiles;
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
        let jobs_dir = env.cache.root().join("jobs");
        let files = JobFiles::write(&jobs_dir, stage, &dispatch, env.logs_dir).map_err(fail)?;
        let mut child = Command::new(&self.exe)
            .arg("worker")
            .arg("--job")
            .arg(&files.job)
            .args(&self.args)
            .current_dir(env.project_dir)
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| fail(format!("cannot start `{}`: {e}", self.exe.display())))?;
        let status = wait(&mut child, env);
        match (files.take_result(), status) {
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
