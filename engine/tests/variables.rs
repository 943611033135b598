//! `let` variables, `$name` values and `${name}` interpolation.
mod common;

use clarity_engine::Value;
use common::{Meaning, analyse, assert_expected, codes, errors, meanings, params_of};

#[test]
fn variables_keep_their_type() {
    let text = "let n=3 word=\"hi\"\nstage \"a\" produce text=$word count=$n\n";
    let params = params_of(&analyse(text).unwrap(), "a");
    assert_eq!(params.get("count"), Some(&Value::Int(3)));
    assert_eq!(params.get("text"), Some(&Value::from("hi")));
}

#[test]
fn strings_interpolate_and_escape() {
    let text = "let who=\"world\" n=2\nstage \"a\" produce text=\"hello ${who} x${n} $${who}\"\n";
    let params = params_of(&analyse(text).unwrap(), "a");
    assert_eq!(
        params.get("text"),
        Some(&Value::from("hello world x2 ${who}"))
    );
}

#[test]
fn lets_see_earlier_lets() {
    let text = "let a=\"x\"\nlet b=\"${a}y\"\nstage \"s\" produce text=$b\n";
    assert_eq!(
        params_of(&analyse(text).unwrap(), "s").get("text"),
        Some(&Value::from("xy"))
    );
}

#[test]
fn list_variables_splice_into_lists() {
    let text = "let refs \"a.out\" \"b.out\"\nstage \"a\" produce text=\"1\"\nstage \"b\" produce text=\"2\"\nstage \"c\" concat {\n    inputs $refs\n}\n";
    let pipeline = analyse(text).unwrap();
    assert_eq!(pipeline.inputs_of(2).count(), 2);
}

#[test]
fn unknown_variable_suggests_the_closest() {
    let text = "let count=2\nstage \"a\" produce text=\"x\" count=$cuont\n";
    assert_expected("variables_unknown", &errors(text));
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::var::unknown",
            &[(45, 6, "not defined")],
            Some("did you mean `count`?"),
        )]
    );
}

#[test]
fn unknown_variable_in_a_string() {
    assert_eq!(
        codes("stage \"a\" produce text=\"${nope}\"\n"),
        ["clarity::var::unknown"]
    );
}

#[test]
fn duplicate_variable_points_at_both() {
    assert_expected("variables_duplicate", &errors("let a=1\nlet a=2\n"));
    assert_eq!(
        meanings("let a=1\nlet a=2\n"),
        [Meaning::new(
            "clarity::var::duplicate",
            &[(12, 1, "defined again here")],
            Some("`a` is first defined at pipeline.kdl:1:5"),
        )]
    );
}

#[test]
fn list_in_string_is_an_error() {
    assert_eq!(
        codes("let l 1 2\nstage \"a\" produce text=\"${l}\"\n"),
        ["clarity::var::list_in_string"]
    );
}
