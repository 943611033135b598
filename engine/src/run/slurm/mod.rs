//! [`SlurmExecutor`]: each stage a Slurm job (`sbatch`) running `clarity worker` on that one
//! stage against the shared cache; the driver follows the job's state, cancels it on Ctrl-C
//! (`scancel`) and reads the worker's result. On nodes without the project's filesystem a
//! job carries the pipeline and its job in its script, works in a scratch directory, and
//! its inputs, outputs and result travel through the remote cache.

mod check;
mod log;
mod sbatch;
mod state;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

pub use check::{SlurmError, check_cluster};
pub use sbatch::{Submission, carried_script, sbatch_args, script};
pub use state::{JobState, Queue, parse_state};

use super::execute::{Dispatch, ExecEnv};
use super::executor::{Executor, InProcess};
use super::job::{JobFiles, JobResult, StageJob};
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
    /// The run's jobs, asked about together (and how often).
    pub queue: Arc<Queue>,
    /// Set when the nodes do not share the project's filesystem (`shared-filesystem
    /// #false`): what each job carries in its script. `args` then name the carried file.
    pub carried: Option<Carried>,
}

/// What a job on a node without the project's filesystem carries: the files the pipeline
/// was read from (its inputs, outputs and result travel through the remote cache).
#[derive(Clone, Debug, Default)]
pub struct Carried {
    /// Each file's path under the project directory, and its text.
    pub files: Vec<(String, String)>,
}

/// Where the job's output goes on a node without the project's filesystem (`%j`: its id).
const NODE_LOG: &str = "/tmp/clarity-%j.log";

/// How long the cluster may not know a job it took (a busy controller, a job purged before
/// it was seen to end) before the driver gives up on it.
const FORGOTTEN: Duration = Duration::from_secs(180);

/// How long a cancelled job may take to end before the driver stops waiting.
const CANCEL_WAIT: Duration = Duration::from_secs(60);

/// A job ready to submit.
struct Prepared {
    /// Its batch script, on the driver's side (`sbatch` reads it when submitting).
    script: PathBuf,
    /// Its `--output`, on the node.
    output: PathBuf,
    /// Its `--chdir`.
    dir: PathBuf,
    /// Where its result comes back.
    report: Report,
}

/// Where a worker's result comes back.
enum Report {
    /// A file beside the job, on the shared filesystem.
    File(JobFiles),
    /// A message in the remote cache.
    Remote(String),
}

impl Executor for SlurmExecutor {
    fn run(&self, env: &ExecEnv<'_>, i: usize, mut dispatch: Dispatch) -> Result<Outcome, Failure> {
        let stage = &env.pipeline.stages[i];
        if self.carried.is_some() {
            let paths = stage.project_paths();
            if !paths.is_empty() {
                let message = format!(
                    "reads project files ({}), which the nodes do not see: runs here, not as a job",
                    paths.join(", ")
                );
                env.reporter.info(&stage.name, &message);
                return InProcess.run(env, i, dispatch);
            }
        }
        // Slurm hands a job its GPUs as `CUDA_VISIBLE_DEVICES`: the job sees them from 0.
        if let Some((kind, _)) = dispatch.placement.device.split_once(':') {
            dispatch.placement.device = kind.to_owned();
        }
        let job = self
            .prepare(env, &stage.name, &dispatch)
            .map_err(|m| fail(&stage.name, None, m))?;
        let device = stage
            .stage
            .schema()
            .uses_device
            .then_some(dispatch.placement.device.as_str());
        let submission = Submission {
            name: format!("clarity-{}-{}", env.pipeline.name, stage.name),
            log: &job.output,
            dir: &job.dir,
            resources: stage.resources.over(&self.defaults),
            device,
        };
        // The driver sees the log only on a shared filesystem.
        let mut log = LogFollower::new(&job.output);
        let id = self.submit(&submission, &job.script)?;
        env.reporter
            .info(&stage.name, &format!("submitted as Slurm job {id}"));
        self.queue.watch(&id);
        let ended = follow(env, &stage.name, &id, &self.queue, &mut log);
        self.queue.forget(&id);
        log.pump(env.reporter, &stage.name);
        let _ = std::fs::remove_file(&job.script);
        let result = take_result(env, &job.report);
        let log = node_log(&job, &id);
        match (result, ended) {
            (_, None) => Err(Failure::Cancelled),
            (Ok(result), Some(_)) if !result.cancelled => {
                let mut outcome = result.into_result().map_err(|f| with_job(f, &id, &log))?;
                outcome.job = Some(id);
                Ok(outcome)
            }
            // No result, or the worker was stopped — not by this run's Ctrl-C.
            (result, Some(state)) => {
                let stopped = state == "CANCELLED" || result.is_ok_and(|r| r.cancelled);
                let how = if stopped {
                    "was stopped from outside this run"
                } else {
                    "ended without a result"
                };
                let code =
                    state::exit_code(&id).map_or_else(String::new, |c| format!(", exit code {c}"));
                let end = match &job.report {
                    Report::File(_) => {
                        format!("the end of its log ({log}):\n{}", tail(&job.output, 20))
                    }
                    Report::Remote(_) => format!("its log: {log}"),
                };
                let message = format!("Slurm job {id} {how} ({state}{code}); {end}");
                Err(fail(&stage.name, Some(&id), message))
            }
        }
    }

    fn shares_devices(&self) -> bool {
        false
    }
}

impl SlurmExecutor {
    /// Writes the job's script (and, on a shared filesystem, its job file).
    fn prepare(
        &self,
        env: &ExecEnv<'_>,
        stage: &str,
        dispatch: &Dispatch,
    ) -> Result<Prepared, String> {
        let jobs_dir = env.cache.root().join("jobs");
        let script_path = jobs_dir.join(format!("{}.sh", dispatch.fingerprint));
        let (text, prepared) = match &self.carried {
            None => {
                let files = JobFiles::write(&jobs_dir, stage, dispatch, env.logs_dir)?;
                let worker = self.worker_command(&files.job.display().to_string());
                let prepared = Prepared {
                    script: script_path,
                    output: files.log.clone(),
                    dir: env.project_dir.to_path_buf(),
                    report: Report::File(files),
                };
                (script(&self.exe, &worker), prepared)
            }
            Some(carried) => {
                let name = message_name(&dispatch.fingerprint);
                let job = StageJob::new(stage, dispatch, env.logs_dir)
                    .away_from(env.project_dir, name.clone());
                let job = serde_json::to_string_pretty(&job).unwrap_or_default();
                let mut files = vec![(CARRIED_JOB, job.as_str())];
                files.extend(carried.files.iter().map(|(f, t)| (f.as_str(), t.as_str())));
                let worker = self.worker_command(CARRIED_JOB);
                let prepared = Prepared {
                    script: script_path,
                    output: PathBuf::from(NODE_LOG),
                    dir: PathBuf::from("/tmp"),
                    report: Report::Remote(name),
                };
                (carried_script(&self.exe, &worker, &files), prepared)
            }
        };
        std::fs::create_dir_all(&jobs_dir)
            .and_then(|()| std::fs::write(&prepared.script, text))
            .map_err(|e| format!("cannot write {}: {e}", prepared.script.display()))?;
        Ok(prepared)
    }

    /// `worker --job JOB` and the arguments that load the same pipeline.
    fn worker_command(&self, job: &str) -> Vec<String> {
        ["worker", "--job", job]
            .into_iter()
            .map(str::to_owned)
            .chain(self.args.iter().cloned())
            .collect()
    }

    /// `sbatch` the job's script; its id.
    fn submit(
        &self,
        submission: &Submission<'_>,
        script: &std::path::Path,
    ) -> Result<String, Failure> {
        let out = Command::new("sbatch")
            .args(sbatch_args(submission))
            .arg(script)
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

/// The carried job file's name in the job's scratch directory.
const CARRIED_JOB: &str = "job.json";

/// A name for one job's result message: the entry's fingerprint and this moment, so two
/// drivers running the same stage do not read each other's.
fn message_name(fingerprint: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{fingerprint}-{}-{now}.json", std::process::id())
}

/// The worker's result: from its file, or its message in the remote cache.
fn take_result(env: &ExecEnv<'_>, report: &Report) -> Result<JobResult, String> {
    match report {
        Report::File(files) => files.take_result().map_err(|e| e.to_string()),
        Report::Remote(name) => {
            let remote = env.remote.ok_or("no remote cache")?;
            match remote.take_message(name) {
                Ok(Some(bytes)) => serde_json::from_slice(&bytes).map_err(|e| e.to_string()),
                Ok(None) => Err("no result in the remote cache".to_owned()),
                Err(e) => Err(e.to_string()),
            }
        }
    }
}

/// Where job `id`'s log is, as a message shows it.
fn node_log(job: &Prepared, id: &str) -> String {
    match job.report {
        Report::File(_) => job.output.display().to_string(),
        Report::Remote(_) => format!("{}, on the node that ran it", NODE_LOG.replace("%j", id)),
    }
}

/// Follows job `id` until it ends (its final state) or the run is cancelled (`None`, after
/// `scancel` and the job's end). Each change of state is reported.
fn follow(
    env: &ExecEnv<'_>,
    stage: &str,
    id: &str,
    queue: &Queue,
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
        let state = queue.state(id);
        match &state {
            JobState::Ended(_) if cancelled_at.is_some() => return None,
            JobState::Ended(name) => return Some(name.clone()),
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
        std::thread::sleep(queue.poll());
    }
}

/// The last `n` lines of `path`.
fn tail(path: &std::path::Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn with_job(failure: Failure, id: &str, log: &str) -> Failure {
    match failure {
        Failure::Error(report) => Failure::Error(miette::miette!(
            code = "clarity::executor::slurm",
            help = format!("the job's log: {log}"),
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
