//! Params checked against the stage schemas.
mod common;

use clarity_engine::Value;
use common::{Meaning, analyse, assert_expected, codes, errors, meanings, params_of};

#[test]
fn unknown_kind_suggests_the_closest() {
    assert_expected(
        "params_unknown_kind",
        &errors("stage \"a\" prodce text=\"x\"\n"),
    );
    assert_eq!(
        meanings("stage \"a\" prodce text=\"x\"\n"),
        [Meaning::new(
            "clarity::stage::unknown_kind",
            &[(10, 6, "no such kind")],
            Some("did you mean `produce`?"),
        )]
    );
}

#[test]
fn unknown_param_suggests_the_closest() {
    assert_expected(
        "params_unknown_param",
        &errors("stage \"a\" produce text=\"x\" cuont=2\n"),
    );
    assert_eq!(
        meanings("stage \"a\" produce text=\"x\" cuont=2\n"),
        [Meaning::new(
            "clarity::param::unknown",
            &[(27, 5, "unknown param")],
            Some("did you mean `count`?"),
        )]
    );
}

#[test]
fn wrong_type_names_both_types() {
    assert_expected(
        "params_wrong_type",
        &errors("stage \"a\" produce text=42\n"),
    );
    assert_eq!(
        meanings("stage \"a\" produce text=42\n"),
        [Meaning::new(
            "clarity::param::wrong_type",
            &[(23, 2, "an integer")],
            Some("`text`: the text to write"),
        )]
    );
}

#[test]
fn out_of_range_names_the_range() {
    assert_expected(
        "params_out_of_range",
        &errors("stage \"a\" produce text=\"x\" count=11\n"),
    );
    assert_eq!(
        meanings("stage \"a\" produce text=\"x\" count=11\n"),
        [Meaning::new(
            "clarity::param::range",
            &[(33, 2, "out of range")],
            Some("`count` must be an integer in 1..=10"),
        )]
    );
}

#[test]
fn bad_choice_suggests_the_closest() {
    assert_expected(
        "params_choice",
        &errors("stage \"a\" produce text=\"x\" mode=\"fsat\"\n"),
    );
    assert_eq!(
        meanings("stage \"a\" produce text=\"x\" mode=\"fsat\"\n"),
        [Meaning::new(
            "clarity::param::choice",
            &[(32, 6, "not allowed")],
            Some("did you mean \"fast\"? (one of \"fast\", \"slow\")"),
        )]
    );
}

#[test]
fn missing_required_param_points_at_the_stage() {
    assert_expected("params_missing", &errors("stage \"a\" produce count=2\n"));
    assert_eq!(
        meanings("stage \"a\" produce count=2\n"),
        [Meaning::new(
            "clarity::param::missing",
            &[(6, 3, "needs `text`")],
            Some("add `text VALUE` (string): the text to write"),
        )]
    );
}

#[test]
fn duplicate_param_is_reported() {
    let text = "stage \"a\" produce text=\"x\" {\n    text \"y\"\n}\n";
    assert_expected("params_duplicate", &errors(text));
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::param::duplicate",
            &[(33, 4, "given again here")],
            Some("keep one of them"),
        )]
    );
}

#[test]
fn missing_local_path_is_reported() {
    let text = "stage \"a\" produce text=\"x\" data=\"no/such/file.txt\"\n";
    assert_eq!(codes(text), ["clarity::param::path"]);
}

#[test]
fn every_error_of_a_file_is_reported_at_once() {
    let text =
        "stage \"a\" produce text=1 count=0 mode=\"x\"\nstage \"b\" prodce\nstage \"c\" produce\n";
    assert_eq!(
        codes(text),
        [
            "clarity::param::wrong_type",
            "clarity::param::range",
            "clarity::param::choice",
            "clarity::stage::unknown_kind",
            "clarity::param::missing",
        ]
    );
}

#[test]
fn defaults_fill_in_and_integers_widen_to_floats() {
    let pipeline = analyse("stage \"a\" produce text=\"x\" rate=1\n").unwrap();
    let params = params_of(&pipeline, "a");
    assert_eq!(params.get("count"), Some(&Value::Int(1)));
    assert_eq!(params.get("mode"), Some(&Value::from("fast")));
    assert_eq!(params.get("rate"), Some(&Value::Float(1.0)));
    assert_eq!(params.get("seed"), None);
}

#[test]
fn groups_become_dotted_params() {
    let text = "stage \"a\" produce text=\"x\" {\n    stop metric=\"f1\" patience=3\n}\n";
    let params = params_of(&analyse(text).unwrap(), "a");
    assert_eq!(params.get("stop.patience"), Some(&Value::Int(3)));
    assert_eq!(params.get("stop.metric"), Some(&Value::from("f1")));
}

#[test]
fn child_nodes_and_props_are_the_same_params() {
    let text = "stage \"a\" produce {\n    text \"x\"\n    count 3\n    flag #true\n}\n";
    let params = params_of(&analyse(text).unwrap(), "a");
    assert_eq!(params.get("count"), Some(&Value::Int(3)));
    assert_eq!(params.get("flag"), Some(&Value::Bool(true)));
}

#[test]
fn a_misspelt_required_param_is_one_error_not_two() {
    assert_eq!(
        codes("stage \"a\" produce txet=\"x\"\n"),
        ["clarity::param::unknown"]
    );
    let both = "stage \"a\" produce txet=\"x\" text=\"y\"\n";
    assert_eq!(codes(both), ["clarity::param::unknown"]);
}
