//! Re-running exactly what changed, through the binary: a stage's key takes the content of
//! the outputs it reads, so editing the test file of a local dataset re-runs only what
//! reads the test split — the training side (split, model, train) stays cached.

mod common;

use std::path::Path;

use common::{clarity, stages_with, stderr};

const PIPELINE: &str = r#"pipeline "local" {
    stage "data" fetch-dataset path="data" {
        splits "train" "test"
    }
    stage "split" split from="data.train" by="evasion_label" validation=0.2 seed=7
    stage "model" build-model seed=7 {
        vocab-from "split.train"
    }
    stage "tokens" tokenize tokenizer="model" max-length=32 {
        inputs "split.train" "split.validation" "data.test"
        template "{question}"
        pair-template "{interview_answer}"
    }
    stage "train" train model="model" {
        data train="tokens.train" validation="tokens.validation"
        epochs 1
        lr 1e-3
    }
    stage "predict" predict model="train.best" data="tokens.test"
    stage "evaluate" evaluate predictions="predict" references="data.test"
}
"#;

/// `rows` CLARITY-like rows.
fn table(rows: usize) -> String {
    let labels = [
        ("Clear Reply", "Explicit"),
        ("Ambivalent", "Dodging"),
        ("Clear Non-Reply", "Declining to answer"),
    ];
    let mut csv = String::from(
        "index,question,interview_question,interview_answer,clarity_label,evasion_label\n",
    );
    for row in 0..rows {
        let (clarity, evasion) = labels[row % labels.len()];
        csv.push_str(&format!(
            "q{row},Will you answer number {row}?,Q{row},Answer {row} is {evasion}.,{clarity},{evasion}\n"
        ));
    }
    csv
}

/// Runs the pipeline with `args`; the stages that ran and those that were cached, sorted.
fn run(dir: &Path, args: &[&str]) -> (Vec<String>, Vec<String>) {
    let out = clarity(dir, &[&["run", "p.kdl"], args].concat());
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    (stages_with(&log, "ran"), stages_with(&log, "cached"))
}

#[test]
fn editing_the_test_file_reruns_only_what_reads_the_test_split() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/train.csv"), table(60)).unwrap();
    std::fs::write(dir.path().join("data/test.csv"), table(12)).unwrap();
    std::fs::write(dir.path().join("p.kdl"), PIPELINE).unwrap();
    let (ran, _) = run(dir.path(), &[]);
    assert_eq!(ran.len(), 7, "{ran:?}");

    std::fs::write(dir.path().join("data/test.csv"), table(9)).unwrap();
    let plan = clarity(dir.path(), &["plan", "p.kdl"]);
    let plan = String::from_utf8_lossy(&plan.stdout).into_owned();
    assert!(plan.contains("why: file `data` changed"), "{plan}");
    assert!(plan.contains("split     split          pending"), "{plan}");

    let (ran, cached) = run(dir.path(), &[]);
    assert_eq!(ran, ["data", "evaluate", "predict", "tokens"]);
    assert_eq!(cached, ["model", "split", "train"]);

    // Training again (bit-identically on the CPU) writes the same checkpoint: what reads
    // `train.best` stays cached, although the run's times in `train.metrics` differ.
    let (ran, cached) = run(dir.path(), &["--force=train"]);
    assert_eq!(ran, ["train"]);
    assert_eq!(cached.len(), 6, "{cached:?}");
}
