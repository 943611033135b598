//! `--executor slurm` against a real one-node Slurm cluster (`scripts/local-slurm`, which
//! `.ci/run` starts): every stage that runs is a job in the cluster's completion log, a
//! failing job fails its stage with its log's end, Ctrl-C cancels the jobs, and resource
//! requests reach `sbatch`. Without a cluster these tests are skipped, except under
//! `CI=true`, where they fail. The cluster has 2 CPUs: the tests take turns.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{TRAIN_ONE_EPOCH, clarity, clarity_with_env, small_pipeline, stages_with, stderr};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The cluster's job-completion log (`JobCompLoc` in scripts/local-slurm).
const JOBCOMP: &str = "/var/log/slurm/jobcomp.log";

/// This test's turn on the cluster, when there is one.
fn turn() -> Option<std::sync::MutexGuard<'static, ()>> {
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    cluster().then_some(turn)
}

/// A project directory holding `text` as `p.kdl`.
fn project(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), text).unwrap();
    dir
}

/// The completion log's line of job `id` (its last: a requeued job has several).
fn jobcomp_line(id: &str) -> String {
    completed_state(id);
    let log = std::fs::read_to_string(JOBCOMP).unwrap();
    let line = log
        .lines()
        .rev()
        .find(|l| l.starts_with(&format!("JobId={id} ")));
    line.unwrap().to_owned()
}

/// `clarity ARGS` started in `dir`, its stderr captured.
fn spawn(dir: &Path, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_clarity"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("CLARITY_CONFIG", "/nonexistent/clarity/config.kdl")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Whether a cluster answers; under `CI=true` it must.
fn cluster() -> bool {
    let up = Command::new("sinfo")
        .args(["-h", "-o", "%t"])
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
    if !up {
        assert!(
            std::env::var("CI").is_err(),
            "CI needs a Slurm cluster: scripts/local-slurm starts one"
        );
        eprintln!("skipped: no Slurm cluster (start one with scripts/local-slurm)");
    }
    up
}

fn manifest(dir: &Path) -> serde_json::Value {
    let runs = dir.join(".clarity/runs");
    let mut all: Vec<_> = std::fs::read_dir(runs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    all.sort();
    let text = std::fs::read_to_string(all.last().unwrap().join("manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Stage name -> job id, of the stages the last run submitted.
fn jobs(dir: &Path) -> Vec<(String, String)> {
    manifest(dir)["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| {
            Some((
                s["name"].as_str()?.to_owned(),
                s["job"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// The completion log's state of job `id`, waiting a little for slurmctld to write it.
fn completed_state(id: &str) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let log = std::fs::read_to_string(JOBCOMP).unwrap_or_default();
        let line = log
            .lines()
            .find(|l| l.split_whitespace().next() == Some(&format!("JobId={id}")));
        if let Some(line) = line {
            return line
                .split_whitespace()
                .find_map(|w| w.strip_prefix("JobState="))
                .map(str::to_owned);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn every_stage_that_runs_is_a_slurm_job_and_cached_stages_never_reach_slurm() {
    let Some(_turn) = turn() else { return };
    let dir = project(&small_pipeline(TRAIN_ONE_EPOCH));
    let out = clarity(dir.path(), &["run", "p.kdl", "--executor", "slurm"]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert_eq!(stages_with(&log, "ran").len(), 7, "{log}");
    // The worker's own lines reach the driver's output.
    assert!(log.contains("[train] epoch 1:"), "{log}");
    let jobs = jobs(dir.path());
    assert_eq!(
        jobs.len(),
        7,
        "every stage that ran names its job: {jobs:?}"
    );
    for (stage, id) in &jobs {
        assert!(
            log.contains(&format!("[{stage}] submitted as Slurm job {id}")),
            "{log}"
        );
        assert_eq!(
            completed_state(id).as_deref(),
            Some("COMPLETED"),
            "job {id} ({stage})"
        );
    }
    // The entries are the ones a local run uses; a cached stage is never submitted.
    let again = clarity(dir.path(), &["run", "p.kdl", "--executor", "slurm"]);
    let log = stderr(&again);
    assert!(log.contains("done: 0 ran, 7 cached"), "{log}");
    assert!(!log.contains("submitted as Slurm job"), "{log}");
    let local = clarity(dir.path(), &["run", "p.kdl", "--force=evaluate"]);
    assert_eq!(stages_with(&stderr(&local), "ran"), ["evaluate"]);
}

const FAILING: &str = r#"pipeline "failing" {
    stage "breaks" exec {
        command "sh" "-c" "echo the-last-words >&2; exit 3"
    }
    stage "after" exec {
        command "sh" "-c" "echo x > \"$CLARITY_OUT_OUT/x\""
        inputs "breaks"
    }
    stage "free" exec {
        command "sh" "-c" "echo y > \"$CLARITY_OUT_OUT/y\""
    }
}
"#;

#[test]
fn a_failing_job_fails_its_stage_with_the_end_of_its_log() {
    let Some(_turn) = turn() else { return };
    let dir = project(FAILING);
    let out = clarity(dir.path(), &["run", "p.kdl", "--executor", "slurm"]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert_eq!(stages_with(&log, "failed"), ["breaks"], "{log}");
    assert_eq!(stages_with(&log, "skipped"), ["after"], "{log}");
    assert_eq!(stages_with(&log, "ran"), ["free"], "{log}");
    assert!(
        log.contains("the-last-words"),
        "the job's output is shown: {log}"
    );
    let failed = manifest(dir.path())["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "breaks")
        .cloned()
        .unwrap();
    let error = failed["error"].as_str().unwrap();
    assert!(error.contains("Slurm job"), "{error}");
    assert!(
        !dir.path()
            .join(".clarity/cache")
            .read_dir()
            .unwrap()
            .any(|e| {
                std::fs::read_to_string(e.unwrap().path().join("stage.json"))
                    .is_ok_and(|t| t.contains("\"breaks\""))
            })
    );
}

const SLOW: &str = r#"pipeline "slow" {
    executor "slurm" {
        mem "100M"
    }
    stage "one" exec {
        command "sh" "-c" "sleep 300; echo x > \"$CLARITY_OUT_OUT/x\""
    }
    stage "two" exec {
        command "sh" "-c" "sleep 300; echo y > \"$CLARITY_OUT_OUT/y\""
    }
}
"#;

/// The ids of the queue's running jobs named `clarity-slow-*`.
fn running_slow_jobs() -> Vec<String> {
    let out = Command::new("squeue")
        .args(["-h", "-t", "RUNNING", "-o", "%i %j"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("clarity-slow-"))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn independent_stages_run_as_parallel_jobs_and_ctrl_c_cancels_them() {
    let Some(_turn) = turn() else { return };
    let dir = project(SLOW);
    // The pipeline's `executor` block chooses Slurm; no flag needed.
    let driver = spawn(dir.path(), &["run", "p.kdl"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let ids = loop {
        let ids = running_slow_jobs();
        if ids.len() == 2 {
            break ids;
        }
        assert!(
            Instant::now() < deadline,
            "two jobs should run at once: {ids:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let interrupted = Command::new("kill")
        .args(["-INT", &driver.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let out = driver.wait_with_output().unwrap();
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert_eq!(stages_with(&log, "cancelled"), ["one", "two"], "{log}");
    for id in &ids {
        assert!(log.contains(&format!("cancelled Slurm job {id}")), "{log}");
        assert_eq!(
            completed_state(id).as_deref(),
            Some("CANCELLED"),
            "job {id}"
        );
    }
    assert!(running_slow_jobs().is_empty());
    let tmp = dir.path().join(".clarity/tmp");
    assert_eq!(
        std::fs::read_dir(tmp).unwrap().count(),
        0,
        "no half entry stays"
    );
}

const RESOURCES: &str = r#"pipeline "resources" {
    executor "slurm" {
        time "0:10:00"
        sbatch "--comment=from-the-executor-block"
    }
    stage "sized" exec {
        command "sh" "-c" "echo x > \"$CLARITY_OUT_OUT/x\""
        resources {
            mem "150M"
            cpus 1
        }
    }
}
"#;

#[test]
fn resource_requests_reach_sbatch() {
    let Some(_turn) = turn() else { return };
    let dir = project(RESOURCES);
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, id) = jobs(dir.path()).pop().unwrap();
    let line = jobcomp_line(&id);
    // The completion log gives the limit in minutes.
    assert!(line.contains("TimeLimit=10 "), "{line}");
    assert!(line.contains("mem=150M"), "{line}");
    let shown = Command::new("scontrol")
        .args(["show", "job", &id])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.is_empty() || shown.contains("Comment=from-the-executor-block"),
        "{shown}"
    );
}

#[test]
fn a_partition_the_cluster_lacks_is_refused_before_any_stage_runs() {
    let Some(_turn) = turn() else { return };
    let dir = project(&RESOURCES.replace("time \"0:10:00\"", "partition \"debg\""));
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("clarity::executor::partition"), "{log}");
    assert!(log.contains("did you mean `debug`"), "{log}");
    assert!(!log.contains("start "), "{log}");
}

#[test]
fn without_sbatch_the_run_stops_before_any_stage() {
    let dir = project(FAILING);
    let empty = dir.path().join("no-tools");
    std::fs::create_dir(&empty).unwrap();
    let out = clarity_with_env(
        dir.path(),
        &["run", "p.kdl", "--executor", "slurm"],
        &[("PATH", empty.as_os_str())],
    );
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("clarity::executor::no_sbatch"), "{log}");
    assert!(
        !dir.path().join(".clarity/cache").exists() || !log.contains("start "),
        "{log}"
    );
}

#[test]
fn resource_and_executor_mistakes_are_diagnostics_with_spans() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "mem \"150M\"",
            "gpu 1",
            "clarity::resources::unknown",
            "did you mean `gpus`?",
        ),
        (
            "cpus 1",
            "cpus \"many\"",
            "clarity::resources::wrong_type",
            "resource `cpus` takes",
        ),
        (
            "executor \"slurm\"",
            "executor \"slurmm\"",
            "clarity::executor::unknown",
            "did you mean `slurm`?",
        ),
    ];
    for (from, to, code, says) in cases {
        std::fs::write(dir.path().join("p.kdl"), RESOURCES.replace(from, to)).unwrap();
        let out = clarity(dir.path(), &["plan", "p.kdl"]);
        let log = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{to}: {log}");
        assert!(log.contains(code), "{to}: {log}");
        assert!(log.contains(says), "{to}: {log}");
        assert!(log.contains(to), "the source line is shown: {log}");
    }
    // Resources are not params: they change no fingerprint.
    std::fs::write(dir.path().join("p.kdl"), RESOURCES).unwrap();
    let plain = clarity(dir.path(), &["plan", "p.kdl"]);
    let more = clarity(
        dir.path(),
        &["plan", "p.kdl", "--set", "sized.resources.mem=1G"],
    );
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert_eq!(plain.stdout, more.stdout);
}

const LONGER: &str = r#"    stage "train" train model="model" {
        data train="tokens.train" validation="tokens.validation"
        epochs 4
        lr 1e-3
    }"#;

/// Waits until a job log under `dir/.clarity/jobs` contains `text`.
fn wait_for_job_log(dir: &Path, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let found = std::fs::read_dir(dir.join(".clarity/jobs"))
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains(text)));
        if found {
            return;
        }
        assert!(Instant::now() < deadline, "no job log says {text:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_requeued_training_job_resumes_from_its_checkpoint() {
    let Some(_turn) = turn() else { return };
    let dir = project(&small_pipeline(LONGER));
    let driver = spawn(dir.path(), &["run", "p.kdl", "--executor", "slurm"]);
    wait_for_job_log(dir.path(), "[train] epoch 2:");
    let out = Command::new("squeue")
        .args(["-h", "-o", "%i %j"])
        .output()
        .unwrap();
    let id = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.ends_with("clarity-small-train"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    let requeued = Command::new("scontrol")
        .args(["requeue", &id])
        .status()
        .unwrap();
    assert!(requeued.success());
    // A requeued job waits (Slurm's begin-time delay): once it is back in the queue, let it
    // start now.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut requeued = false;
    while Instant::now() < deadline {
        let state = Command::new("squeue")
            .args(["-h", "-j", &id, "-o", "%T"])
            .output()
            .unwrap();
        match String::from_utf8_lossy(&state.stdout).trim() {
            "RUNNING" if requeued => break,
            "PENDING" | "REQUEUED" => {
                if !requeued {
                    // slurmd refuses a relaunch within the second its credential was revoked
                    // ("Job credential revoked"): the begin-time delay exists for that.
                    std::thread::sleep(Duration::from_millis(1500));
                }
                requeued = true;
                let _ = Command::new("scontrol")
                    .args(["update", &format!("JobId={id}"), "StartTime=now"])
                    .output();
            }
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    assert!(requeued, "job {id} was not requeued");
    let out = driver.wait_with_output().unwrap();
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert!(log.contains("DUE TO JOB REQUEUE"), "{log}");
    assert!(
        log.contains("[train] resuming from optimiser step"),
        "{log}"
    );
    assert!(log.contains("[train] epoch 4:"), "{log}");
    assert_eq!(stages_with(&log, "ran").len(), 5, "{log}");
}

#[test]
fn the_users_config_file_can_choose_slurm_and_its_mistakes_are_diagnostics() {
    let dir = project(FAILING);
    let config = dir.path().join("config.kdl");
    let empty = dir.path().join("no-tools");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(&config, "executor \"slurm\" {\n    account \"lab\"\n}\n").unwrap();
    let vars = [
        ("PATH", empty.as_os_str()),
        ("CLARITY_CONFIG", config.as_os_str()),
    ];
    let out = clarity_with_env(dir.path(), &["run", "p.kdl"], &vars);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(
        log.contains("clarity::executor::no_sbatch"),
        "the config chose Slurm: {log}"
    );
    // `--executor local` still runs here.
    let out = clarity_with_env(
        dir.path(),
        &["run", "p.kdl", "--executor", "local"],
        &[("CLARITY_CONFIG", &config)],
    );
    assert_eq!(
        stages_with(&stderr(&out), "ran"),
        ["free"],
        "{}",
        stderr(&out)
    );

    std::fs::write(&config, "executor \"slurm\"\nstage \"x\" exec\n").unwrap();
    let out = clarity_with_env(dir.path(), &["run", "p.kdl"], &vars);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("clarity::config::item"), "{log}");
    assert!(log.contains("config.kdl"), "the file is named: {log}");
}

#[test]
fn the_pipelines_executor_block_goes_over_the_users_config() {
    let Some(_turn) = turn() else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.kdl");
    std::fs::write(
        &config,
        "executor \"slurm\" {\n    time \"0:07:00\"\n    mem \"90M\"\n}\n",
    )
    .unwrap();
    let pipeline = RESOURCES
        .replace("        time \"0:10:00\"\n", "")
        .replace("            mem \"150M\"\n", "");
    std::fs::write(
        dir.path().join("p.kdl"),
        pipeline.replace(
            "executor \"slurm\" {",
            "executor \"slurm\" {\n        mem \"120M\"",
        ),
    )
    .unwrap();
    let out = clarity_with_env(
        dir.path(),
        &["run", "p.kdl"],
        &[("CLARITY_CONFIG", &config)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, id) = jobs(dir.path()).pop().unwrap();
    let line = jobcomp_line(&id);
    assert!(
        line.contains("TimeLimit=7 "),
        "from the user's config: {line}"
    );
    assert!(
        line.contains("mem=120M"),
        "the pipeline's block wins: {line}"
    );
}

#[test]
fn a_job_cancelled_from_outside_fails_its_stage() {
    let Some(_turn) = turn() else { return };
    let dir = project(SLOW);
    let driver = spawn(dir.path(), &["run", "p.kdl", "--only", "one"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let id = loop {
        if let Some(id) = running_slow_jobs().pop() {
            break id;
        }
        assert!(Instant::now() < deadline, "the job should run");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(Command::new("scancel").arg(&id).status().unwrap().success());
    let out = driver.wait_with_output().unwrap();
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert_eq!(stages_with(&log, "failed"), ["one"], "{log}");
    assert!(
        log.contains(&format!(
            "Slurm job {id} was stopped from outside this run (CANCELLED"
        )),
        "{log}"
    );
}

/// `text` with an `executor "slurm" { shared-filesystem #false }` block.
fn without_shared_filesystem(text: &str) -> String {
    let block = "{\n    executor \"slurm\" {\n        shared-filesystem #false\n    }";
    let open = text.find('{').unwrap();
    format!("{}{block}{}", &text[..open], &text[open + 1..])
}

/// The files under `dir`, relative, sorted (none when it does not exist).
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn jobs_on_nodes_without_the_project_filesystem_work_through_the_remote_cache() {
    let Some(_turn) = turn() else { return };
    let dir = project(&without_shared_filesystem(&small_pipeline(TRAIN_ONE_EPOCH)));
    let remote = tempfile::tempdir().unwrap();
    let address = remote.path().display().to_string();
    let out = clarity(dir.path(), &["run", "p.kdl", "--remote", &address]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert_eq!(stages_with(&log, "ran").len(), 7, "{log}");
    let jobs = jobs(dir.path());
    assert_eq!(jobs.len(), 7, "{jobs:?}");
    for (stage, id) in &jobs {
        assert_eq!(completed_state(id).as_deref(), Some("COMPLETED"), "{stage}");
        // The job's output stays on the node; its worker pushed its own entry there.
        let node_log = std::fs::read_to_string(format!("/tmp/clarity-{id}.log")).unwrap();
        assert!(node_log.contains("pushed 1 entry"), "{stage}: {node_log}");
        let _ = std::fs::remove_file(format!("/tmp/clarity-{id}.log"));
        assert!(
            !Path::new(&format!("/tmp/clarity-job-{id}")).exists(),
            "{stage}: the job's scratch directory is removed"
        );
        if stage == "predict" {
            // It read the trained model and the tokens from the remote cache, not from the
            // driver's cache: the job's own cache had neither.
            assert!(node_log.contains("pulled 2 entries"), "{node_log}");
        }
    }
    // The job and its result went through the script and the remote cache: nothing of it
    // under the project's `.clarity/jobs/`, and the result messages were read and removed.
    assert_eq!(
        files_under(&dir.path().join(".clarity/jobs")),
        Vec::<String>::new()
    );
    assert_eq!(
        files_under(&remote.path().join("jobs")),
        Vec::<String>::new()
    );
    // The driver pulled each entry the jobs pushed: the next run submits nothing.
    assert!(log.contains("pulled 7 entries"), "{log}");
    let again = clarity(dir.path(), &["run", "p.kdl", "--remote", &address]);
    let again_log = stderr(&again);
    assert!(again_log.contains("done: 0 ran, 7 cached"), "{again_log}");
    assert!(!again_log.contains("submitted as Slurm job"), "{again_log}");
}

/// For nodes without the project's filesystem: a failing stage; a stage that reads a
/// project file; a stage, from an included file, that reads its output.
const AWAY: &str = r#"pipeline "away" {
    executor "slurm" {
        shared-filesystem #false
    }
    stage "breaks" exec {
        command "sh" "-c" "echo the-last-words >&2; exit 3"
    }
    stage "reads" exec {
        command "sh" "tool.sh"
        deps "tool.sh"
    }
    include "more.kdl"
}
"#;

const MORE: &str = r#"stage "after" exec {
    command "sh" "-c" "cat \"$CLARITY_IN_0/z\" > \"$CLARITY_OUT_OUT/y\""
    inputs "reads"
}
"#;

#[test]
fn without_the_project_filesystem_errors_come_back_and_stages_reading_project_files_run_here() {
    let Some(_turn) = turn() else { return };
    let dir = project(AWAY);
    std::fs::write(dir.path().join("more.kdl"), MORE).unwrap();
    std::fs::write(
        dir.path().join("tool.sh"),
        "echo zed > \"$CLARITY_OUT_OUT/z\"\n",
    )
    .unwrap();
    let remote = tempfile::tempdir().unwrap();
    let address = remote.path().display().to_string();
    let out = clarity(dir.path(), &["run", "p.kdl", "--remote", &address]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert_eq!(stages_with(&log, "failed"), ["breaks"], "{log}");
    assert_eq!(stages_with(&log, "ran"), ["after", "reads"], "{log}");
    // The worker's error, with the command's last words, came back in its result message.
    assert!(log.contains("the-last-words"), "{log}");
    assert!(
        log.contains("/tmp/clarity-"),
        "the message names the log on the node: {log}"
    );
    // `reads` needs tool.sh, which the nodes do not have: it ran in the driver and pushed its
    // entry; `after` — carried with its included file — pulled it on the node.
    assert!(
        log.contains("[reads] reads project files (tool.sh), which the nodes do not see"),
        "{log}"
    );
    let jobs = jobs(dir.path());
    let named: Vec<&str> = jobs.iter().map(|(s, _)| s.as_str()).collect();
    assert!(
        named.contains(&"after") && !named.contains(&"reads"),
        "{jobs:?}"
    );
    let after = std::fs::read_dir(dir.path().join(".clarity/cache"))
        .unwrap()
        .map(|e| e.unwrap().path().join("out/y"))
        .find(|p| p.exists())
        .unwrap();
    assert_eq!(std::fs::read_to_string(after).unwrap(), "zed\n");
    assert_eq!(
        files_under(&remote.path().join("jobs")),
        Vec::<String>::new()
    );
    for (_, id) in jobs {
        let _ = std::fs::remove_file(format!("/tmp/clarity-{id}.log"));
    }
}

#[test]
fn nodes_without_the_project_filesystem_need_a_remote_cache() {
    // Refused before the cluster is asked anything: no cluster needed.
    let dir = project(AWAY);
    std::fs::write(dir.path().join("more.kdl"), MORE).unwrap();
    std::fs::write(dir.path().join("tool.sh"), "true\n").unwrap();
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("clarity::executor::no_remote"), "{log}");
    assert!(!dir.path().join(".clarity/jobs").exists(), "{log}");
    // A job carries the pipeline's files by their place under the project directory.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), without_shared_filesystem(FAILING)).unwrap();
    let remote = dir.path().join("remote");
    std::fs::create_dir(&remote).unwrap();
    let out = clarity(
        elsewhere.path(),
        &[
            "run",
            &dir.path().join("p.kdl").display().to_string(),
            "--remote",
            &remote.display().to_string(),
        ],
    );
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("clarity::executor::outside"), "{log}");
    assert!(
        log.contains("p.kdl` is outside the project directory"),
        "{log}"
    );
}
