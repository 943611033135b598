//! End-to-end tests of the `clarity` binary: exit codes, the demo, caching, failures.

mod common;

use common::{clarity, stderr};
use std::path::Path;

/// A two-stage exec pipeline named "demo" (the shipped demo trains a model; these tests
/// exercise the engine on something instant).
const EXEC_DEMO: &str = r#"pipeline "demo" {
    let greeting="hello"

    stage "words" exec {
        command "sh" "-c" "printf '%s\\n' $GREETING clarity pipelines > \"$CLARITY_OUT_OUT/words.txt\""
        env "GREETING=${greeting}"
    }
    stage "count" exec {
        command "sh" "-c" "wc -l < \"$CLARITY_IN_0/words.txt\" > \"$CLARITY_OUT_OUT/count.txt\""
        inputs "words.out"
    }
}
"#;

fn exec_demo(dir: &Path) {
    std::fs::write(dir.join("demo.kdl"), EXEC_DEMO).unwrap();
}

#[test]
fn the_demo_runs_then_is_cached() {
    let dir = tempfile::tempdir().unwrap();
    exec_demo(dir.path());
    let first = clarity(dir.path(), &["run", "demo.kdl"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("done: 2 ran, 0 cached"),
        "{}",
        stderr(&first)
    );
    let second = clarity(dir.path(), &["run", "demo.kdl"]);
    assert_eq!(second.status.code(), Some(0));
    assert!(
        stderr(&second).contains("done: 0 ran, 2 cached"),
        "{}",
        stderr(&second)
    );
    let changed = clarity(dir.path(), &["run", "demo.kdl", "--set", "greeting=bye"]);
    assert!(
        stderr(&changed).contains("done: 2 ran, 0 cached"),
        "{}",
        stderr(&changed)
    );
}

#[test]
fn a_config_error_exits_1_with_every_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.kdl"),
        "stage \"a\" exce command=\"true\"\nstage \"b\" exec comand=\"x\"\n",
    )
    .unwrap();
    let out = clarity(dir.path(), &["check", "bad.kdl"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(
        text.contains("clarity::stage::unknown_kind") && text.contains("did you mean `exec`?"),
        "{text}"
    );
    assert!(
        text.contains("clarity::param::unknown") && text.contains("did you mean `command`?"),
        "{text}"
    );
    assert!(text.contains("error: 2 problems in bad.kdl"), "{text}");
}

#[test]
fn a_failing_stage_exits_2_and_independent_stages_finish() {
    let dir = tempfile::tempdir().unwrap();
    let text = "stage \"bad\" exec command=\"false\"\nstage \"after\" exec command=\"true\" inputs=\"bad\"\nstage \"ok\" exec command=\"true\"\n";
    std::fs::write(dir.path().join("p.kdl"), text).unwrap();
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(
        text.contains("failed: 1 ran, 0 cached, 1 failed, 1 skipped"),
        "{text}"
    );
    assert!(text.contains("clarity::exec::failed"), "{text}");
}

#[test]
fn plan_graph_and_stages_print() {
    let dir = tempfile::tempdir().unwrap();
    exec_demo(dir.path());
    let plan = clarity(dir.path(), &["plan", "demo.kdl"]);
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(
        text.starts_with("pipeline \"demo\": 2 of 2 stages\n"),
        "{text}"
    );
    assert!(text.contains("words  exec  run"), "{text}");
    assert!(text.contains("count  exec  pending  -"), "{text}");
    let graph = clarity(dir.path(), &["graph", "demo.kdl", "--format", "dot"]);
    assert!(
        String::from_utf8_lossy(&graph.stdout).contains("\"words\" -> \"count\" [label=\"out\"];")
    );
    let stages = clarity(dir.path(), &["stages", "exec"]);
    assert!(String::from_utf8_lossy(&stages.stdout).starts_with("exec (version 2)"));
    let unknown = clarity(dir.path(), &["stages", "exce"]);
    assert_eq!(unknown.status.code(), Some(1));
}

#[test]
fn bad_arguments_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        clarity(dir.path(), &["run", "--jobs", "many"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(clarity(dir.path(), &["--help"]).status.code(), Some(0));
    exec_demo(dir.path());
    let only = clarity(dir.path(), &["run", "demo.kdl", "--only", "cuont"]);
    assert_eq!(only.status.code(), Some(1));
    assert!(stderr(&only).contains("did you mean `count`?"));
}

#[test]
fn stages_of_a_kind_with_param_named_outputs_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = clarity(dir.path(), &["stages", "fetch-dataset"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let outputs = text.split("\noutputs:\n").nth(1).unwrap_or_default();
    assert!(outputs.contains("named by its params"), "{text}");
}
