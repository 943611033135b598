//! `--executor process`: every stage runs as `clarity worker` in a child process, into the
//! same cache entries as in-process runs; a worker that dies fails its stage, not the run.

mod common;

use common::{TRAIN_ONE_EPOCH, clarity, small_pipeline, stages_with as with_status, stderr};

#[test]
fn a_pipeline_trains_through_worker_processes_into_the_same_entries() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), small_pipeline(TRAIN_ONE_EPOCH)).unwrap();
    let out = clarity(dir.path(), &["run", "p.kdl", "--executor", "process"]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert_eq!(with_status(&log, "ran").len(), 7, "{log}");
    assert!(log.contains("[train] epoch 1:"), "{log}");
    // The entries are the ones an in-process run uses.
    let local = clarity(dir.path(), &["run", "p.kdl"]);
    let log = stderr(&local);
    assert!(log.contains("done: 0 ran, 7 cached"), "{log}");
    let jobs = dir.path().join(".clarity/jobs");
    assert_eq!(std::fs::read_dir(jobs).unwrap().count(), 0);
}

const CRASH: &str = r#"pipeline "crash" {
    stage "dies" exec {
        command "sh" "-c" "kill -KILL $PPID; sleep 5"
    }
    stage "after" exec {
        command "sh" "-c" "echo x > \"$CLARITY_OUT_OUT/x\""
        inputs "dies"
    }
    stage "free" exec {
        command "sh" "-c" "echo y > \"$CLARITY_OUT_OUT/y\""
    }
}
"#;

#[test]
fn a_worker_killed_by_its_stage_fails_that_stage_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), CRASH).unwrap();
    let out = clarity(dir.path(), &["run", "p.kdl", "--executor", "process"]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert_eq!(with_status(&log, "failed"), ["dies"], "{log}");
    assert_eq!(with_status(&log, "skipped"), ["after"], "{log}");
    assert_eq!(with_status(&log, "ran"), ["free"], "{log}");
    assert!(
        log.contains(
            "the worker process of stage `dies` ended (signal: 9 (SIGKILL)) without a result"
        ),
        "{log}"
    );
}
