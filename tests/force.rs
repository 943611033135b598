//! `--force` re-runs the selection; `--force=STAGE` re-runs that stage — never what it reads
//! — and what reads its outputs only when they come out different.

mod common;

use common::{clarity, stages_with, stderr};

const PIPELINE: &str = r#"
pipeline "chain" {
    stage "a" exec {
        command "sh" "-c" "echo a > \"$CLARITY_OUT_OUT/a\""
    }
    stage "b" exec {
        command "sh" "-c" "cat \"$CLARITY_IN_0/a\" > \"$CLARITY_OUT_OUT/b\""
        inputs "a"
    }
    stage "c" exec {
        command "sh" "-c" "cat \"$CLARITY_IN_0/b\" > \"$CLARITY_OUT_OUT/c\""
        inputs "b"
    }
    stage "d" exec {
        command "sh" "-c" "echo d > \"$CLARITY_OUT_OUT/d\""
    }
    stage "r" exec {
        command "sh" "-c" "date +%s%N > \"$CLARITY_OUT_OUT/r\""
    }
    stage "s" exec {
        command "sh" "-c" "cat \"$CLARITY_IN_0/r\" > \"$CLARITY_OUT_OUT/s\""
        inputs "r"
    }
}
"#;

/// The stages a run's output says ran, sorted.
fn ran(log: &str) -> Vec<String> {
    stages_with(log, "ran")
}

fn run(dir: &std::path::Path, args: &[&str]) -> String {
    let out = clarity(dir, &[&["run", "p.kdl"], args].concat());
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    log
}

#[test]
fn force_on_a_stage_reruns_it_and_what_its_changed_outputs_feed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), PIPELINE).unwrap();
    let all = ["a", "b", "c", "d", "r", "s"];
    assert_eq!(ran(&run(dir.path(), &[])), all);
    assert!(ran(&run(dir.path(), &[])).is_empty());
    // `b` writes what it wrote before: `c` reads the same bytes and stays cached.
    assert_eq!(ran(&run(dir.path(), &["--force=b"])), ["b"]);
    // `r` writes something new each time: `s` runs again.
    assert_eq!(ran(&run(dir.path(), &["--force=r"])), ["r", "s"]);
    assert_eq!(
        ran(&run(dir.path(), &["--force=c", "--force=d"])),
        ["c", "d"]
    );
    // `--force` alone keeps its meaning: everything selected.
    assert_eq!(ran(&run(dir.path(), &["--force"])), all);
    assert_eq!(
        ran(&run(dir.path(), &["--force", "--only", "b"])),
        ["a", "b"]
    );
}

#[test]
fn force_without_equals_still_takes_the_pipeline_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), PIPELINE).unwrap();
    let out = clarity(dir.path(), &["run", "--force", "p.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(ran(&stderr(&out)), ["a", "b", "c", "d", "r", "s"]);
}

#[test]
fn force_naming_no_stage_is_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), PIPELINE).unwrap();
    let out = clarity(dir.path(), &["run", "p.kdl", "--force=bb"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("clarity::force::unknown_stage"), "{err}");
    assert!(err.contains("--force names unknown stage `bb`"), "{err}");
    assert!(err.contains("did you mean `b`?"), "{err}");
}
