//! `--sweep`: one branch of the graph per point, sharing the stages that do not depend on a
//! swept value; copies named `STAGE[param=value]`; one published file per point; a summary
//! table; the same diagnostics as `--set` for a bad param or value.

mod common;

use common::{clarity, small_pipeline, stages_with, stderr};

/// The stages the run's log says ran, sorted.
fn ran(log: &str) -> Vec<String> {
    stages_with(log, "ran")
}

const TRAIN: &str = r#"    stage "train" train model="model" {
        data train="tokens.train" validation="tokens.validation"
        epochs 1
        lr 1e-3
    }
    stage "predict" predict model="train.best" data="tokens.test" out="subs/preds.csv"
    stage "evaluate" evaluate predictions="predict" references="data.test""#;

#[test]
fn a_three_point_sweep_tokenizes_once_and_trains_three_times() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), small_pipeline(TRAIN)).unwrap();
    let sweep = ["run", "p.kdl", "--sweep", "train.lr=1e-3,2e-3,3e-3"];
    let out = clarity(dir.path(), &sweep);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    let mut expected = vec!["data", "model", "split", "tokens"];
    for stage in ["evaluate", "predict", "train"] {
        for lr in ["1e-3", "2e-3", "3e-3"] {
            expected.push(Box::leak(format!("{stage}[lr={lr}]").into_boxed_str()));
        }
    }
    expected.sort();
    assert_eq!(ran(&log), expected);
    // One summary table, a row per point.
    assert!(log.contains("sweep: evaluate"), "{log}");
    for lr in ["1e-3", "2e-3", "3e-3"] {
        assert!(log.contains(&format!("\n  lr={lr} ")), "{log}");
        assert!(dir.path().join(format!("subs/preds-lr={lr}.csv")).is_file());
    }
    // The runs table shows each point's metrics.
    let runs = clarity(dir.path(), &["runs", "--format", "json"]);
    let runs: serde_json::Value = serde_json::from_slice(&runs.stdout).unwrap();
    let metrics = runs[0]["metrics"].as_object().unwrap();
    assert!(
        metrics.keys().any(|k| k.starts_with("evaluate[lr=2e-3].")),
        "{metrics:?}"
    );
    // Adding a point runs only the new branch.
    let more = ["run", "p.kdl", "--sweep", "train.lr=1e-3,2e-3,3e-3,4e-3"];
    let again = clarity(dir.path(), &more);
    assert_eq!(
        ran(&stderr(&again)),
        ["evaluate[lr=4e-3]", "predict[lr=4e-3]", "train[lr=4e-3]"]
    );
}

const EXEC: &str = r#"pipeline "grid" {
    let word="a"
    stage "base" exec {
        command "sh" "-c" "echo base > \"$CLARITY_OUT_OUT/base\""
    }
    stage "say" exec {
        command "sh" "-c" "echo \"$0\" > \"$CLARITY_OUT_OUT/say\"" $word
        inputs "base"
    }
    stage "mark" exec {
        command "sh" "-c" "cat \"$CLARITY_IN_0/say\" > \"$CLARITY_OUT_OUT/mark\""
        inputs "say"
        timeout 30
        out "marks/mark"
    }
}
"#;

#[test]
fn a_grid_over_a_let_and_a_param_names_each_copy_by_what_it_depends_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), EXEC).unwrap();
    let args = [
        "run",
        "p.kdl",
        "--sweep",
        "word=a,\"b,c\"",
        "--sweep",
        "mark.timeout=30,60",
    ];
    let out = clarity(dir.path(), &args);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert_eq!(
        ran(&log),
        [
            "base",
            "mark[word=a,timeout=30]",
            "mark[word=a,timeout=60]",
            "mark[word=b,c,timeout=30]",
            "mark[word=b,c,timeout=60]",
            "say[word=a]",
            "say[word=b,c]",
        ]
    );
    let marks = dir.path().join("marks/mark-word=b-c-timeout=60/mark");
    assert_eq!(std::fs::read_to_string(marks).unwrap(), "b,c\n");
    // `--force=say` names every copy of `say`.
    let forced = clarity(dir.path(), &[&args[..], &["--force=say"]].concat());
    assert_eq!(ran(&stderr(&forced)), ["say[word=a]", "say[word=b,c]"]);
}

#[test]
fn a_bad_sweep_is_a_diagnostic_like_a_bad_set() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), small_pipeline(TRAIN)).unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["--sweep", "train.lrr=1e-3,2e-3"], "did you mean `lr`?"),
        (&["--sweep", "train.lr=1e-3,fast"], "fast"),
        (&["--sweep", "train.lr"], "clarity::sweep::syntax"),
        (
            &["--sweep", "train.lr=1e-3,2e-3", "--set", "train.lr=1e-3"],
            "clarity::sweep::also_set",
        ),
    ];
    for (args, expected) in cases {
        let out = clarity(dir.path(), &[&["check", "p.kdl"], args].concat());
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}

#[test]
fn a_sweep_block_in_the_file_is_a_grid_that_set_pins_and_sweep_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let text = EXEC.replace(
        "    let word=\"a\"\n",
        "    let word=\"a\"\n    sweep {\n        word \"a\" \"b,c\"\n        mark.timeout 30 60\n    }\n",
    );
    std::fs::write(dir.path().join("p.kdl"), text).unwrap();
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert_eq!(ran(&log).len(), 7, "{log}");
    assert!(ran(&log).contains(&"mark[word=b,c,timeout=60]".to_owned()));
    // `--set` pins an axis; `--sweep` replaces one.
    let pinned = clarity(dir.path(), &["plan", "p.kdl", "--set", "word=\"a\""]);
    let plan = String::from_utf8_lossy(&pinned.stdout).into_owned();
    assert!(
        plan.contains("mark[timeout=30]") && !plan.contains("word="),
        "{plan}"
    );
    let replaced = clarity(dir.path(), &["plan", "p.kdl", "--sweep", "mark.timeout=90"]);
    let plan = String::from_utf8_lossy(&replaced.stdout).into_owned();
    assert!(
        plan.contains("mark[word=a]") && !plan.contains("timeout=30"),
        "{plan}"
    );
}
