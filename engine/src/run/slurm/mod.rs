//! [`SlurmExecutor`]: each stage a Slurm job (`sbatch`) running `clarity worker` on that one
//! stage against the shared cache; the driver follows the job's state, cancels it on Ctrl-C
//! (`scancel`) and reads the worker's result.

mod check;
mod log;
mod sbatch;
mod state;

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

pub use check::{SlurmError, check_cluster};
pub use sbatch::{Submission, sbatch_args, script};
pub use state::{JobState, parse_state, query};

use super::execute::{Dispatch, ExecEnv};
use super::executor::Executor;
use super::job::JobFiles;
use super::{Failure, Outcome};
use crate::resources::Resources;
use log::LogFollower;

/// Runs each stage as a Slurm job.
#[derive(Clone, Debug)]
pub struct SlurmExecutor {
    /// The clarity binary the jobs run (on a shared filesystem, or the same path on every
    /// node).
    pub exe: PathBuf,
    /// The arguments with which a worker loads the same pipeline.
    pub args: Vec<String>,
    /// The pipeline's `executor` block's resources, under each stage's own.
    pub defaults: Resources,
    /// How often the job's state is asked.
    pub poll: Duration,
}

/// How long the cluster may not know a job it took (a busy controller, a job purged before
/// it was seen to end) before the driver gives up on it.
const FORGOTTEN: Duration = Duration::from_secs(180);

/// How long a cancelled job may take to end before the driver stops waiting.
const CANCEL_WAIT: Duration = Duration::from_secs(60);

impl Executor for SlurmExecutor {
    fn run(&self, env: &ExecEnv<'_>, i: usize, mut dispatch: Dispatch) -> Result<Outcome, Failure> {
        let stage = &env.pipeline.stages[i];
        // Slurm hands a job its GPUs as `CUDA_VISIBLE_DEVICES`: the job sees them from 0.
        if let Some((kind, _)) = dispatch.placement.device.split_once(':') {
            dispatch.placement.device = kind.to_owned();
        }
        let jobs_dir = env.cache.root().join("jobs");
        let files = JobFiles::write(&jobs_dir, &stage.name, &dispatch, env.logs_dir)
            .map_err(|m| fail(&stage.name, None, m))?;
        let device = stage
            .stage
            .schema()
            .uses_device
            .then_some(dispatch.placement.device.as_str());
        let submission = Submission {
            name: format!("clarity-{}-{}", env.pipeline.name, stage.name),
            log: &files.log,
            dir: env.project_dir,
            resources: stage.resources.over(&self.defaults),
            device,
        };
        let mut log = LogFollower::new(&files.log);
        let id = self.submit(&submission, &files)?;
        env.reporter
            .info(&stage.name, &format!("submitted as Slurm job {id}"));
        let ended = follow(env, &stage.name, &id, self.poll, &mut log);
        log.pump(env.reporter, &stage.name);
        let _ = std::fs::remove_file(files.job.with_extension("sh"));
        let result = files.take_result();
        match (result, ended) {
            (_, None) => Err(Failure::Cancelled),
            (Ok(result), Some(state)) if result.cancelled => {
                // Not this run's Ctrl-C: someone cancelled the job, or the cluster did.
                let message = format!("Slurm job {id} was stopped from outside this run ({state})");
                Err(fail(&stage.name, Some(&id), message))
            }
            (Ok(result), _) => {
                let mut outcome = result
                    .into_result()
                    .map_err(|f| with_job(f, &id, &files.log))?;
                outcome.job = Some(id);
                Ok(outcome)
            }
            (Err(_), Some(state)) => {
                let code =
                    state::exit_code(&id).map_or_else(String::new, |c| format!(", exit code {c}"));
                let message = format!(
                    "Slurm job {id} ended {state}{code} without a result; the end of its log ({}):\n{}",
                    files.log.display(),
                    tail(&files.log, 20)
                );
                Err(fail(&stage.name, Some(&id), message))
            }
        }
    }

    fn shares_devices(&self) -> bool {
        false
    }
}

impl SlurmExecutor {
    /// `sbatch` the job's script; its id.
    fn submit(&self, submission: &Submission<'_>, files: &JobFiles) -> Result<String, Failure> {
        let mut worker = vec!["worker".to_owned(), "--job".to_owned()];
        worker.push(files.job.display().to_string());
        worker.extend(self.args.iter().cloned());
        let script_path = files.job.with_extension("sh");
        std::fs::write(&script_path, script(&self.exe, &worker)).map_err(|e| {
            fail(
                &submission.name,
                None,
                format!("cannot write {}: {e}", script_path.display()),
            )
        })?;
        let out = Command::new("sbatch")
            .args(sbatch_args(submission))
            .arg(&script_path)
            .output()
            .map_err(|e| fail(&submission.name, None, format!("cannot run sbatch: {e}")))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        // `--parsable` prints `ID` or `ID;CLUSTER`.
        let id = stdout
            .trim()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned();
        if !out.status.success() || id.is_empty() {
            let message = format!(
                "sbatch refused the job: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return Err(fail(&submission.name, None, message));
        }
        Ok(id)
    }
}

/// Follows job `id` until it ends (its final state) or the run is cancelled (`None`, after
/// `scancel` and the job's end). Each change of state is reported.
fn follow(
    env: &ExecEnv<'_>,
    stage: &str,
    id: &str,
    poll: Duration,
    log: &mut LogFollower,
) -> Option<String> {
    let mut last = String::new();
    let mut cancelled_at: Option<Instant> = None;
    let mut unknown_since = Instant::now();
    loop {
        if cancelled_at.is_none() && env.cancel.load(Ordering::Relaxed) {
            let _ = Command::new("scancel").arg(id).status();
            env.reporter
                .info(stage, &format!("cancelled Slurm job {id}"));
            cancelled_at = Some(Instant::now());
        }
        log.pump(env.reporter, stage);
        let state = query(id);
        match &state {
            JobState::Ended(name) => {
                return if cancelled_at.is_some() {
                    None
                } else {
                    Some(name.clone())
                };
            }
            JobState::Active(name) if *name != last => {
                env.reporter.info(stage, &format!("Slurm job {id}: {name}"));
                last.clone_from(name);
                unknown_since = Instant::now();
            }
            JobState::Active(_) => unknown_since = Instant::now(),
            // Known jobs do not vanish: after a while the cluster has forgotten it.
            JobState::Unknown if unknown_since.elapsed() > FORGOTTEN => {
                return if cancelled_at.is_some() {
                    None
                } else {
                    Some("UNKNOWN".into())
                };
            }
            JobState::Unknown => {}
        }
        if cancelled_at.is_some_and(|t| t.elapsed() > CANCEL_WAIT) {
            return None;
        }
        std::thread::sleep(poll);
    }
}

/// The last `n` lines of `path`.
fn tail(path: &std::path::Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn with_job(failure: Failure, id: &str, log: &std::path::Path) -> Failure {
    match failure {
        Failure::Error(report) => Failure::Error(miette::miette!(
            code = "clarity::executor::slurm",
            help = format!("the job's log: {}", log.display()),
            "Slurm job {id} failed: {report}"
        )),
        other => other,
    }
}

fn fail(stage: &str, id: Option<&str>, message: String) -> Failure {
    let job = id.map_or_else(String::new, |id| format!(" (Slurm job {id})"));
    Failure::Error(miette::miette!(
        code = "clarity::executor::slurm",
        "stage `{stage}`{job}: {message}"
    ))
}
