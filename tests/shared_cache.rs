//! Several drivers (and cluster jobs) share one cache: each entry has its own lock, so two
//! runs of the same pipeline at once compute each stage once — the second waits for the
//! first's entry and takes it — and neither deletes the other's work in progress.

mod common;

use std::process::{Command, Stdio};

use common::{stages_with, stderr};

const SLOW: &str = r#"pipeline "shared" {
    stage "slow" exec {
        command "sh" "-c" "sleep 3; echo x > \"$CLARITY_OUT_OUT/x\""
    }
    stage "after" exec {
        command "sh" "-c" "cp \"$CLARITY_IN_0\"/x \"$CLARITY_OUT_OUT/y\""
        inputs "slow"
    }
}
"#;

#[test]
fn two_runs_at_once_compute_each_stage_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), SLOW).unwrap();
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_clarity"))
            .args(["run", "p.kdl"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("CLARITY_CONFIG", "/nonexistent/clarity/config.kdl")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = start();
    std::thread::sleep(std::time::Duration::from_millis(800));
    let second = start();
    let (a, b) = (
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    );
    let (a_log, b_log) = (stderr(&a), stderr(&b));
    assert_eq!(a.status.code(), Some(0), "{a_log}");
    assert_eq!(b.status.code(), Some(0), "{b_log}");
    assert_eq!(stages_with(&a_log, "ran"), ["after", "slow"], "{a_log}");
    assert_eq!(stages_with(&b_log, "cached"), ["after", "slow"], "{b_log}");
    assert!(
        b_log
            .contains("[slow] another process is writing this stage's cache entry; waiting for it"),
        "{b_log}"
    );
}
