//! What can be known before running is checked by `clarity check` (exit 1, at the value),
//! not found out by a failing stage after the upstream work.

mod common;

use std::path::{Path, PathBuf};

use common::{clarity, root, stderr};

#[test]
fn an_early_stopping_metric_the_head_cannot_produce_is_a_check_error() {
    let dir = tempfile::tempdir().unwrap();
    // The demo monitors evasion-macro-f1; the direct head predicts clarity labels only.
    let out = clarity(dir.path(), &["check", "--set", "train.head=direct"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("clarity::param::invalid"), "{err}");
    assert!(
        err.contains("the direct head predicts no evasion labels"),
        "{err}"
    );
    assert!(
        err.contains("early-stopping metric=\"evasion-macro-f1\""),
        "{err}"
    );
    assert!(err.contains("help: monitor clarity-macro-f1"), "{err}");
    // Monitoring what the head does produce passes.
    let sets = [
        "--set",
        "train.head=direct",
        "--set",
        "train.early-stopping.metric=clarity-macro-f1",
    ];
    let out = clarity(dir.path(), &[&["check"], &sets[..]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A project with local tables: `data/train.csv`, `data/test.csv` (question, answer, labels).
fn project_with_tables() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut csv = String::from("question,interview_answer,evasion_label\n");
    for row in 0..8 {
        let label = if row % 2 == 0 { "Explicit" } else { "Dodging" };
        csv.push_str(&format!("why {row}?,because {row},{label}\n"));
    }
    std::fs::write(data.join("train.csv"), &csv).unwrap();
    std::fs::write(data.join("test.csv"), &csv).unwrap();
    dir
}

/// Writes `p.kdl` (the local tables, split, and `rest`) and runs `clarity check p.kdl`.
fn check_local(dir: &Path, rest: &str) -> (Option<i32>, String) {
    let pipeline = format!(
        r#"pipeline "local" {{
    stage "data" fetch-dataset path="data"
    stage "split" split from="data.train" by="evasion_label" validation=0.5
{rest}
}}
"#
    );
    std::fs::write(dir.join("p.kdl"), pipeline).unwrap();
    let out = clarity(dir, &["check", "p.kdl"]);
    (out.status.code(), stderr(&out))
}

/// A tokenize stage reading `tokenizer` with `template`, then `rest`.
fn tokens(tokenizer: &str, template: &str, rest: &str) -> String {
    format!(
        r#"    stage "tokens" tokenize tokenizer="{tokenizer}" {rest}{{
        inputs "split.train" "split.validation" "data.test"
        template "{template}"
        pair-template "{{interview_answer}}"
    }}"#
    )
}

const BUILT_MODEL: &str = r#"    stage "model" build-model seed=7 {
        vocab-from "split.train"
    }"#;

#[test]
fn a_template_column_missing_from_a_local_table_is_a_check_error() {
    let dir = project_with_tables();
    let rest = format!("{BUILT_MODEL}\n{}", tokens("model", "{qestion}", ""));
    let (status, err) = check_local(dir.path(), &rest);
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains("clarity::tokenize::unknown_column"), "{err}");
    assert!(
        err.contains("`split.train` has no column `qestion` (the header of data/train.csv)"),
        "{err}"
    );
    // At the template's value, with the column that is there.
    assert!(err.contains(r#"template "{qestion}""#), "{err}");
    assert!(err.contains("here"), "{err}");
    assert!(err.contains("help: did you mean `question`?"), "{err}");
    // Once, though three inputs (two through `split`) lack it.
    assert_eq!(err.matches("unknown_column").count(), 1, "{err}");

    let rest = format!("{BUILT_MODEL}\n{}", tokens("model", "{question}", ""));
    let (status, err) = check_local(dir.path(), &rest);
    assert_eq!(status, Some(0), "{err}");
}

#[test]
fn a_jsonl_file_is_checked_by_its_first_objects_keys() {
    let dir = tempfile::tempdir().unwrap();
    let rows =
        r#"{"question": "why?", "interview_answer": "because", "evasion_label": "Explicit"}"#;
    std::fs::write(dir.path().join("rows.jsonl"), format!("{rows}\n{rows}\n")).unwrap();
    let pipeline = |template: &str| {
        format!(
            r#"stage "data" fetch-dataset path="rows.jsonl" splits="train"
stage "model" build-model seed=7 {{
    vocab-from "data.train"
}}
stage "tokens" tokenize tokenizer="model" template="{template}" {{
    inputs "data.train"
}}
"#
        )
    };
    std::fs::write(dir.path().join("p.kdl"), pipeline("{answer}")).unwrap();
    let out = clarity(dir.path(), &["check", "p.kdl"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("clarity::tokenize::unknown_column"), "{err}");
    assert!(err.contains("(the header of rows.jsonl)"), "{err}");
    assert!(
        err.contains("help: its columns: `question`, `interview_answer`, `evasion_label`")
            || err.contains("help: its columns: `evasion_label`, `interview_answer`, `question`"),
        "{err}"
    );
    std::fs::write(dir.path().join("p.kdl"), pipeline("{interview_answer}")).unwrap();
    let out = clarity(dir.path(), &["check", "p.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Copies the tiny RoBERTa (config and weights, no tokenizer) to `models/tiny`.
fn tiny_model(dir: &Path) -> PathBuf {
    let model = dir.join("models/tiny");
    std::fs::create_dir_all(&model).unwrap();
    let fixture = root().join("stdlib/models/tests/fixtures/tiny_roberta");
    for file in ["config.json", "model.safetensors"] {
        std::fs::copy(fixture.join(file), model.join(file)).unwrap();
    }
    model
}

/// Adds the byte-level BPE tokenizer fixture to `model`.
fn add_tokenizer(model: &Path) {
    let fixture = root().join("stdlib/data/tests/fixtures/roberta_bpe");
    for file in ["vocab.json", "merges.txt"] {
        std::fs::copy(fixture.join(file), model.join(file)).unwrap();
    }
}

const LOCAL_MODEL: &str = r#"    stage "weights" fetch-model path="models/tiny""#;

#[test]
fn a_local_model_without_tokenizer_files_is_a_check_error() {
    let dir = project_with_tables();
    let model = tiny_model(dir.path());
    let rest = format!(
        "{LOCAL_MODEL}\n{}",
        tokens("weights", "{question}", "max-length=64 ")
    );
    let (status, err) = check_local(dir.path(), &rest);
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains("clarity::tokenize::no_tokenizer"), "{err}");
    assert!(
        err.contains("the model of `weights` (models/tiny) has no tokenizer files"),
        "{err}"
    );
    assert!(err.contains(r#"tokenizer="weights""#), "{err}");
    assert!(
        err.contains("tokenizer.json, spm.model, or vocab.json + merges.txt"),
        "{err}"
    );

    add_tokenizer(&model);
    let (status, err) = check_local(dir.path(), &rest);
    assert_eq!(status, Some(0), "{err}");
}

#[test]
fn a_max_length_beyond_a_local_models_positions_is_a_check_error() {
    let dir = project_with_tables();
    add_tokenizer(&tiny_model(dir.path()));
    // 66 positions, of which RoBERTa skips pad_token_id + 1 = 2: 64 tokens.
    let rest = format!(
        "{LOCAL_MODEL}\n{}",
        tokens("weights", "{question}", "max-length=65 ")
    );
    let (status, err) = check_local(dir.path(), &rest);
    assert_eq!(status, Some(1), "{err}");
    assert!(err.contains("clarity::tokenize::max_length"), "{err}");
    // (miette wraps the message after "takes:")
    assert!(
        err.contains("max-length 65 is longer than the model of `weights` (models/tiny) takes"),
        "{err}"
    );
    assert!(
        err.contains(
            "64 tokens (max_position_embeddings 66 less the 2 RoBERTa skips (pad_token_id + 1))"
        ),
        "{err}"
    );
    assert!(err.contains("max-length=65"), "{err}");
    assert!(err.contains("help: set max-length=64 or less"), "{err}");

    let rest = format!(
        "{LOCAL_MODEL}\n{}",
        tokens("weights", "{question}", "max-length=64 ")
    );
    let (status, err) = check_local(dir.path(), &rest);
    assert_eq!(status, Some(0), "{err}");
}

#[test]
fn the_demos_template_is_checked_against_the_synthetic_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = clarity(dir.path(), &["check", "--set", "tokens.template={qestion}"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("clarity::tokenize::unknown_column"), "{err}");
    assert!(
        err.contains("`split.train` has no column `qestion` (the columns of synthetic-dataset)"),
        "{err}"
    );
    assert!(err.contains("help: did you mean `question`?"), "{err}");
}

#[test]
fn a_malformed_template_is_a_check_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = clarity(
        dir.path(),
        &["check", "--set", "tokens.pair-template={answer"],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("clarity::tokenize::template"), "{err}");
    assert!(err.contains("a `{` is not closed"), "{err}");
}

#[test]
fn a_split_column_missing_from_a_local_table_is_a_check_error() {
    let dir = project_with_tables();
    let pipeline = |by: &str| {
        format!(
            r#"stage "data" fetch-dataset path="data"
stage "split" split from="data.train" by="{by}"
"#
        )
    };
    std::fs::write(dir.path().join("p.kdl"), pipeline("evasion_lable")).unwrap();
    let out = clarity(dir.path(), &["check", "p.kdl"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("clarity::split::unknown_column"), "{err}");
    assert!(
        err.contains("the table has no column `evasion_lable` (the header of data/train.csv)"),
        "{err}"
    );
    assert!(err.contains(r#"by="evasion_lable""#), "{err}");
    assert!(err.contains("help: did you mean `evasion_label`?"), "{err}");
    std::fs::write(dir.path().join("p.kdl"), pipeline("evasion_label")).unwrap();
    let out = clarity(dir.path(), &["check", "p.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
