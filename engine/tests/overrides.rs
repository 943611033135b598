//! `--set STAGE.PARAM=VALUE` and `--set VARIABLE=VALUE`.
mod common;

use clarity_engine::Value;
use clarity_engine::fs::MemFs;
use common::{Meaning, analyse_with, assert_expected, errors_with, meanings_with, params_of};

const TEXT: &str = "let word=\"hi\"\nstage \"a\" produce text=$word count=2\n";

fn set(sets: &[&str]) -> clarity_engine::Params {
    params_of(&analyse_with(TEXT, &MemFs::new(), sets).unwrap(), "a")
}

#[test]
fn set_replaces_a_param() {
    assert_eq!(set(&["a.count=5"]).get("count"), Some(&Value::Int(5)));
}

#[test]
fn set_adds_a_param_with_its_type() {
    let params = set(&[
        "a.rate=0.5",
        "a.flag=true",
        "a.mode=\"slow\"",
        "a.stop.patience=4",
    ]);
    assert_eq!(params.get("rate"), Some(&Value::Float(0.5)));
    assert_eq!(params.get("flag"), Some(&Value::Bool(true)));
    assert_eq!(params.get("mode"), Some(&Value::from("slow")));
    assert_eq!(params.get("stop.patience"), Some(&Value::Int(4)));
}

#[test]
fn set_overrides_a_variable() {
    assert_eq!(set(&["word=bye"]).get("text"), Some(&Value::from("bye")));
}

#[test]
fn set_values_are_checked_against_the_schema() {
    assert_expected(
        "overrides_wrong_type",
        &errors_with(TEXT, &MemFs::new(), &["a.count=many"]),
    );
    assert_eq!(
        meanings_with(TEXT, &MemFs::new(), &["a.count=many"]),
        [Meaning::new(
            "clarity::param::wrong_type",
            &[(8, 4, "a string")],
            Some("`count`: repetitions"),
        )]
    );
}

#[test]
fn set_unknown_stage_suggests() {
    assert_expected(
        "overrides_unknown_stage",
        &errors_with(TEXT, &MemFs::new(), &["aa.count=1"]),
    );
    assert_eq!(
        meanings_with(TEXT, &MemFs::new(), &["aa.count=1"]),
        [Meaning::new(
            "clarity::set::unknown_stage",
            &[(0, 2, "no such stage")],
            Some("did you mean `a`?"),
        )]
    );
}

#[test]
fn set_unknown_param_suggests() {
    assert_expected(
        "overrides_unknown_param",
        &errors_with(TEXT, &MemFs::new(), &["a.cuont=1"]),
    );
    assert_eq!(
        meanings_with(TEXT, &MemFs::new(), &["a.cuont=1"]),
        [Meaning::new(
            "clarity::param::unknown",
            &[(2, 5, "unknown param")],
            Some("did you mean `count`?"),
        )]
    );
}

#[test]
fn set_without_equals_is_malformed() {
    assert_expected(
        "overrides_malformed",
        &errors_with(TEXT, &MemFs::new(), &["a.count"]),
    );
    assert_eq!(
        meanings_with(TEXT, &MemFs::new(), &["a.count"]),
        [Meaning::new(
            "clarity::set::syntax",
            &[],
            Some("write --set STAGE.PARAM=VALUE or --set VARIABLE=VALUE"),
        )]
    );
}

#[test]
fn set_unknown_variable() {
    let codes = analyse_with(TEXT, &MemFs::new(), &["wrod=x"])
        .err()
        .unwrap()
        .codes();
    assert_eq!(codes, ["clarity::var::unknown"]);
}
