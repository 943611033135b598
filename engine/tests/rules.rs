//! Rules between params (`exactly one of`, `at most one of`) and open number ranges, checked
//! before anything runs.
mod common;

use clarity_engine::fs::MemFs;
use clarity_engine::{Bound, ParamRule, ParamType, Value};
use common::{
    Meaning, analyse, assert_expected, codes, errors, errors_with, meanings, meanings_with,
    params_of,
};

#[test]
fn both_of_exactly_one_label_both_params() {
    assert_expected(
        "rules_conflict",
        &errors("stage \"p\" pick url=\"https://x\" dir=\"data\"\n"),
    );
    assert_eq!(
        meanings("stage \"p\" pick url=\"https://x\" dir=\"data\"\n"),
        [Meaning::new(
            "clarity::param::conflict",
            &[(15, 3, "`url` given here"), (31, 3, "`dir` given here")],
            Some("keep `url` or `dir`, not both"),
        )]
    );
}

#[test]
fn none_of_exactly_one_points_at_the_stage() {
    assert_expected("rules_one_of", &errors("stage \"p\" pick fast=#true\n"));
    assert_eq!(
        meanings("stage \"p\" pick fast=#true\n"),
        [Meaning::new(
            "clarity::param::one_of",
            &[(6, 3, "gives none of them")],
            Some("add `url` (a remote source) or `dir` (a local source)"),
        )]
    );
}

#[test]
fn at_most_one_rejects_two_and_accepts_none() {
    assert_expected(
        "rules_at_most_one",
        &errors("stage \"p\" pick url=\"u\" {\n    fast #true\n    exact #false\n}\n"),
    );
    assert_eq!(
        meanings("stage \"p\" pick url=\"u\" {\n    fast #true\n    exact #false\n}\n"),
        [Meaning::new(
            "clarity::param::conflict",
            &[(29, 4, "`fast` given here"), (44, 5, "`exact` given here")],
            Some("keep `fast` or `exact`, not both"),
        )]
    );
    assert!(analyse("stage \"p\" pick url=\"u\"\n").is_ok());
    assert!(analyse("stage \"p\" pick dir=\"d\" exact=#true\n").is_ok());
}

#[test]
fn an_open_range_rejects_its_ends() {
    assert_expected(
        "rules_open_range",
        &errors("stage \"p\" pick url=\"u\" share=1\n"),
    );
    assert_eq!(
        meanings("stage \"p\" pick url=\"u\" share=1\n"),
        [Meaning::new(
            "clarity::param::range",
            &[(29, 1, "out of range")],
            Some("`share` must be a number in (0, 1)"),
        )]
    );
    for text in ["share=0", "share=1", "share=1.5", "step=0", "step=-1"] {
        assert_eq!(
            codes(&format!("stage \"p\" pick url=\"u\" {text}\n")),
            ["clarity::param::range"],
            "{text}"
        );
    }
}

#[test]
fn an_open_range_accepts_values_inside() {
    let pipeline = analyse("stage \"p\" pick url=\"u\" share=0.999 step=1e-9\n").unwrap();
    let params = params_of(&pipeline, "p");
    assert_eq!(params.get("share"), Some(&Value::Float(0.999)));
    assert_eq!(params.get("step"), Some(&Value::Float(1e-9)));
}

#[test]
fn set_overrides_are_checked_against_the_rules() {
    let text = "stage \"p\" pick url=\"u\"\n";
    assert_expected(
        "rules_set_conflict",
        &errors_with(text, &MemFs::new(), &["p.dir=data"]),
    );
    assert_eq!(
        meanings_with(text, &MemFs::new(), &["p.dir=data"]),
        [Meaning::new(
            "clarity::param::conflict",
            &[(2, 3, "`dir` given here")],
            Some("keep `url` or `dir`, not both (`url` is given at pipeline.kdl:1:16)"),
        )]
    );
    assert_eq!(
        errors_with(text, &MemFs::new(), &["p.share=0"])
            .lines()
            .next(),
        Some("clarity::param::range")
    );
    assert!(common::analyse_with(text, &MemFs::new(), &["p.url=v", "p.step=2"]).is_ok());
}

#[test]
fn a_written_but_invalid_param_is_not_also_missing() {
    assert_eq!(
        codes("stage \"p\" pick url=1\n"),
        ["clarity::param::wrong_type"]
    );
    assert_eq!(
        codes("stage \"p\" pick urll=\"u\"\n"),
        ["clarity::param::unknown"]
    );
    assert_eq!(
        codes("stage \"p\" pick url=\"u\" url=\"v\"\n"),
        ["clarity::param::duplicate"]
    );
}

#[test]
fn every_rule_error_of_a_file_is_reported_at_once() {
    let text = "stage \"a\" pick url=\"u\" dir=\"d\" share=0\nstage \"b\" pick\nstage \"c\" pick dir=\"d\" fast=#true exact=#true step=0\n";
    assert_eq!(
        codes(text),
        [
            "clarity::param::range",
            "clarity::param::conflict",
            "clarity::param::one_of",
            "clarity::param::range",
            "clarity::param::conflict",
        ]
    );
}

#[test]
fn ranges_and_rules_describe_themselves() {
    let float = |min, max| ParamType::Float { min, max }.describe();
    let (inc, exc) = (Bound::Inclusive, Bound::Exclusive);
    assert_eq!(float(Some(exc(0.0)), Some(exc(1.0))), "number in (0, 1)");
    assert_eq!(float(Some(inc(0.0)), Some(exc(1.0))), "number in [0, 1)");
    assert_eq!(float(Some(exc(0.0)), Some(inc(1.0))), "number in (0, 1]");
    assert_eq!(float(Some(inc(0.0)), Some(inc(1.0))), "number in 0..=1");
    assert_eq!(float(Some(exc(0.0)), None), "number > 0");
    assert_eq!(float(None, Some(exc(2.5))), "number < 2.5");
    assert_eq!(float(Some(inc(0.0)), None), "number >= 0");
    assert_eq!(
        ParamRule::ExactlyOne(&["repo", "path"]).describe(),
        "exactly one of `repo` and `path`"
    );
    assert_eq!(
        ParamRule::AtMostOne(&["a", "b", "c"]).describe(),
        "at most one of `a`, `b` and `c`"
    );
}

#[test]
fn clarity_stages_shows_rules_and_open_ranges() {
    let log = std::sync::Arc::new(common::Log::default());
    let shown = clarity_engine::cli::show_stage(&common::registry(&log), "pick").unwrap();
    assert!(
        shown.contains(
            "\nrules:\n  exactly one of `url` and `dir`\n  at most one of `fast` and `exact`\n"
        ),
        "{shown}"
    );
    assert!(shown.contains("number in (0, 1)"), "{shown}");
    assert!(shown.contains("number > 0"), "{shown}");
    let plain = clarity_engine::cli::show_stage(&common::registry(&log), "produce").unwrap();
    assert!(!plain.contains("rules:"), "{plain}");
}
