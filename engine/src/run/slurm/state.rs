//! A Slurm job's state, as the cluster tells it: `squeue` while it is queued or running,
//! `scontrol show job` once it left the queue, `sacct` (accounting, or the job-completion
//! log with `-c`) once slurmctld forgot it.

use std::process::Command;

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

/// The state of job `id`.
pub fn query(id: &str) -> JobState {
    if let Some(state) =
        output("squeue", &["-h", "-j", id, "-o", "%T"]).and_then(|s| parse_state(&s))
    {
        return state;
    }
    let scontrol = output("scontrol", &["show", "job", id, "-o"]).and_then(|s| {
        s.split_whitespace()
            .find_map(|w| w.strip_prefix("JobState="))
            .and_then(parse_state)
    });
    if let Some(state) = scontrol {
        return state;
    }
    for flags in [
        &["-n", "-X", "-o", "State", "-j"][..],
        &["-c", "-n", "-o", "State", "-j"],
    ] {
        let mut args = flags.to_vec();
        args.push(id);
        if let Some(state) = output("sacct", &args).and_then(|s| parse_state(&s)) {
            return state;
        }
    }
    JobState::Unknown
}

/// The exit code Slurm records for job `id` (`scontrol`'s `ExitCode=N:S`), if it knows it.
pub fn exit_code(id: &str) -> Option<String> {
    output("scontrol", &["show", "job", id, "-o"])?
        .split_whitespace()
        .find_map(|w| w.strip_prefix("ExitCode=").map(str::to_owned))
}

/// A command's trimmed stdout, when it succeeded and printed something.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

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
