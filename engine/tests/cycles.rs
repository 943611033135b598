//! Cycles: every stage on the cycle named, every edge labelled.
mod common;

use common::{assert_expected, codes, errors};

#[test]
fn two_stage_cycle() {
    let text = "stage \"x\" concat inputs=\"y\"\nstage \"y\" concat inputs=\"x\"\n";
    assert_expected("cycles_two", &errors(text));
}

#[test]
fn three_stage_cycle_names_every_stage() {
    let text = "\
stage \"a\" concat inputs=\"c.out\"
stage \"b\" concat inputs=\"a.out\"
stage \"c\" concat {
    inputs \"b.out\"
}
stage \"free\" produce text=\"x\"
";
    assert_expected("cycles_three", &errors(text));
}

#[test]
fn self_reference_is_a_cycle() {
    assert_expected(
        "cycles_self",
        &errors("stage \"a\" concat inputs=\"a.out\"\n"),
    );
}

#[test]
fn two_separate_cycles_are_two_errors() {
    let text = "stage \"a\" concat inputs=\"b\"\nstage \"b\" concat inputs=\"a\"\nstage \"c\" concat inputs=\"d\"\nstage \"d\" concat inputs=\"c\"\n";
    assert_eq!(
        codes(text),
        ["clarity::graph::cycle", "clarity::graph::cycle"]
    );
}
