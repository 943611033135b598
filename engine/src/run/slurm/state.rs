//! A Slurm job's state, as the cluster tells it: `squeue` while it is queued or running (one
//! call for all of a run's jobs), `scontrol show job` once it left the queue, `sacct`
//! (accounting, or the job-completion log with `-c`) once slurmctld forgot it.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where a job is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Pending, running, completing, requeued, suspended…: the state's name.
    Active(String),
    /// Ended: the state's name (`COMPLETED`, `FAILED`, `CANCELLED`, `TIMEOUT`, …).
    Ended(String),
    /// The cluster does not know the job (yet, or any more).
    Unknown,
}

/// The states a job does not come back from (a requeued one shows `REQUEUED`/`PENDING`).
const ENDED: [&str; 9] = [
    "COMPLETED",
    "FAILED",
    "CANCELLED",
    "TIMEOUT",
    "NODE_FAIL",
    "OUT_OF_MEMORY",
    "BOOT_FAIL",
    "DEADLINE",
    "PREEMPTED",
];

/// Parses a state name as the Slurm tools print it (`CANCELLED by 0`, `COMPLETED+`).
pub fn parse_state(text: &str) -> Option<JobState> {
    let name = text
        .split_whitespace()
        .next()?
        .trim_end_matches('+')
        .to_ascii_uppercase();
    if name.is_empty() {
        return None;
    }
    Some(if ENDED.contains(&name.as_str()) {
        JobState::Ended(name)
    } else {
        JobState::Active(name)
    })
}

/// The jobs a run follows, asked about together: one `squeue` a poll interval for all of
/// them (a sweep's hundred jobs make one call, not a hundred), then `scontrol`/`sacct` for
/// a job that left the queue.
pub struct Queue {
    poll: Duration,
    tool: Tool,
    seen: Mutex<Seen>,
}

/// Runs a Slurm command: its trimmed stdout when it succeeded, else its trimmed stderr.
pub type Tool = fn(&str, &[&str]) -> Result<String, String>;

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").field("poll", &self.poll).finish()
    }
}

#[derive(Default)]
struct Seen {
    /// The jobs followed, and when each was submitted.
    jobs: BTreeMap<String, Instant>,
    /// When the queue was last listed, and each followed job's state in it.
    taken: Option<Instant>,
    states: BTreeMap<String, String>,
}

impl Queue {
    /// A queue listed at most once every `poll`.
    pub fn new(poll: Duration) -> Self {
        Self::with_tool(poll, output)
    }

    /// With `tool` running the Slurm commands (tests).
    pub fn with_tool(poll: Duration, tool: Tool) -> Self {
        Self {
            poll,
            tool,
            seen: Mutex::default(),
        }
    }

    /// How often the queue is listed.
    pub fn poll(&self) -> Duration {
        self.poll
    }

    /// Follows job `id`, submitted now.
    pub fn watch(&self, id: &str) {
        self.lock().jobs.insert(id.to_owned(), Instant::now());
    }

    /// Stops following job `id`.
    pub fn forget(&self, id: &str) {
        let mut seen = self.lock();
        seen.jobs.remove(id);
        seen.states.remove(id);
    }

    /// The state of followed job `id`: from a listing of the queue at most one poll interval
    /// old and taken after the job was submitted; a job not in it asked about alone.
    pub fn state(&self, id: &str) -> JobState {
        let listed = {
            let mut seen = self.lock();
            let since = seen.jobs.get(id).copied();
            let fresh = seen
                .taken
                .is_some_and(|t| t.elapsed() < self.poll && since.is_none_or(|s| t >= s));
            if !fresh {
                let ids: Vec<&str> = seen.jobs.keys().map(String::as_str).collect();
                let list = ids.join(",");
                let taken = Instant::now();
                let text = (!ids.is_empty())
                    .then(|| (self.tool)("squeue", &["-h", "-j", &list, "-o", "%i %T"]).ok())
                    .flatten()
                    .unwrap_or_default();
                seen.states = text
                    .lines()
                    .filter_map(|l| l.split_once(' '))
                    .map(|(i, s)| (i.trim().to_owned(), s.trim().to_owned()))
                    .collect();
                seen.taken = Some(taken);
            }
            seen.states.get(id).cloned()
        };
        listed
            .and_then(|s| parse_state(&s))
            .unwrap_or_else(|| query_with(self.tool, id))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The state of job `id` once the queue does not list it: `scontrol`; once the controller
/// has forgotten it, `sacct` (its last record: a requeued job has one a run). While the
/// controller does not answer, `Unknown` — an earlier run's record of a requeued job must
/// not pass for its end.
fn query_with(tool: Tool, id: &str) -> JobState {
    match tool("scontrol", &["show", "job", id, "-o"]) {
        Ok(text) => {
            let state = text
                .split_whitespace()
                .find_map(|w| w.strip_prefix("JobState="))
                .and_then(parse_state);
            if let Some(state) = state {
                return state;
            }
        }
        Err(e) if !e.contains("Invalid job id") => return JobState::Unknown,
        Err(_) => {}
    }
    for flags in [
        &["-n", "-X", "-o", "State", "-j"][..],
        &["-c", "-n", "-o", "State", "-j"],
    ] {
        let mut args = flags.to_vec();
        args.push(id);
        let last = tool("sacct", &args)
            .ok()
            .and_then(|text| text.lines().last().and_then(parse_state));
        if let Some(state) = last {
            return state;
        }
    }
    JobState::Unknown
}

/// The exit code Slurm records for job `id` (`scontrol`'s `ExitCode=N:S`), if it knows it.
pub fn exit_code(id: &str) -> Option<String> {
    output("scontrol", &["show", "job", id, "-o"])
        .ok()?
        .split_whitespace()
        .find_map(|w| w.strip_prefix("ExitCode=").map(str::to_owned))
}

/// A command's trimmed stdout when it succeeded, else its trimmed stderr.
fn output(program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static SQUEUE_CALLS: AtomicUsize = AtomicUsize::new(0);

    /// A cluster where every job runs; counts the `squeue` calls.
    fn running(program: &str, args: &[&str]) -> Result<String, String> {
        assert_eq!(program, "squeue", "running jobs are listed: {args:?}");
        SQUEUE_CALLS.fetch_add(1, Ordering::SeqCst);
        let ids = args[args.iter().position(|a| *a == "-j").unwrap() + 1];
        Ok(ids.split(',').map(|i| format!("{i} RUNNING\n")).collect())
    }

    /// A controller that does not answer, and a completion log holding an earlier run's end.
    fn busy(program: &str, _: &[&str]) -> Result<String, String> {
        match program {
            "sacct" => Ok("FAILED\nFAILED".into()),
            _ => Err("slurm_load_jobs error: Socket timed out on send/recv operation".into()),
        }
    }

    /// A controller that forgot the job; the completion log holds a requeued job's runs.
    fn forgotten(program: &str, args: &[&str]) -> Result<String, String> {
        match program {
            "sacct" if args.contains(&"-c") => Ok("FAILED\nCOMPLETED".into()),
            "sacct" => Err("Slurm accounting storage is disabled".into()),
            _ => Err("slurm_load_jobs error: Invalid job id specified".into()),
        }
    }

    #[test]
    fn an_unanswering_controller_is_not_taken_for_a_job_that_ended() {
        let queue = Queue::with_tool(Duration::from_millis(1), busy);
        queue.watch("7");
        assert_eq!(queue.state("7"), JobState::Unknown);
        let queue = Queue::with_tool(Duration::from_millis(1), forgotten);
        queue.watch("7");
        assert_eq!(queue.state("7"), JobState::Ended("COMPLETED".into()));
    }

    #[test]
    fn many_followed_jobs_share_one_squeue_a_poll_interval() {
        let queue = Queue::with_tool(Duration::from_secs(60), running);
        let ids: Vec<String> = (1..=200).map(|i| i.to_string()).collect();
        for id in &ids {
            queue.watch(id);
        }
        std::thread::scope(|s| {
            for id in &ids {
                let queue = &queue;
                s.spawn(move || {
                    for _ in 0..5 {
                        assert_eq!(queue.state(id), JobState::Active("RUNNING".into()));
                    }
                });
            }
        });
        assert_eq!(
            SQUEUE_CALLS.load(Ordering::SeqCst),
            1,
            "1000 questions, one listing"
        );
        // A job submitted after the listing is not taken as missing from it.
        queue.watch("201");
        assert_eq!(queue.state("201"), JobState::Active("RUNNING".into()));
        assert_eq!(SQUEUE_CALLS.load(Ordering::SeqCst), 2);
        queue.forget("201");
    }

    #[test]
    fn states_read_as_the_tools_print_them() {
        assert_eq!(
            parse_state("RUNNING"),
            Some(JobState::Active("RUNNING".into()))
        );
        assert_eq!(
            parse_state("REQUEUED"),
            Some(JobState::Active("REQUEUED".into()))
        );
        assert_eq!(
            parse_state("CANCELLED by 0"),
            Some(JobState::Ended("CANCELLED".into()))
        );
        assert_eq!(
            parse_state("COMPLETED+"),
            Some(JobState::Ended("COMPLETED".into()))
        );
        assert_eq!(parse_state("  "), None);
    }
}
