//! Cycles: every stage on the cycle named, every edge labelled.
mod common;

use common::{Meaning, assert_expected, codes, errors, meanings};

#[test]
fn two_stage_cycle() {
    let text = "stage \"x\" concat inputs=\"y\"\nstage \"y\" concat inputs=\"x\"\n";
    assert_expected("cycles_two", &errors(text));
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::graph::cycle",
            &[(52, 3, "`y` reads `x.out`"), (24, 3, "`x` reads `y.out`")],
            Some("a stage cannot depend on its own outputs; remove one of these references"),
        )]
    );
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
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::graph::cycle",
            &[
                (56, 7, "`b` reads `a.out`"),
                (94, 7, "`c` reads `b.out`"),
                (24, 7, "`a` reads `c.out`")
            ],
            Some("a stage cannot depend on its own outputs; remove one of these references"),
        )]
    );
}

#[test]
fn self_reference_is_a_cycle() {
    assert_expected(
        "cycles_self",
        &errors("stage \"a\" concat inputs=\"a.out\"\n"),
    );
    assert_eq!(
        meanings("stage \"a\" concat inputs=\"a.out\"\n"),
        [Meaning::new(
            "clarity::graph::cycle",
            &[(24, 7, "`a` reads `a.out`")],
            Some("a stage cannot depend on its own outputs; remove one of these references"),
        )]
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

/// Cycle detection and ordering are iterative: a very long chain cannot overflow the stack
/// (petgraph's recursive `tarjan_scc` did, at about 6 000 stages on an 8 MiB stack).
#[test]
fn a_twenty_thousand_stage_chain_is_fine() {
    let mut text = String::from("stage \"s0\" produce text=\"x\"\n");
    text.extend((1..20_000).map(|i| format!("stage \"s{i}\" concat inputs=\"s{}.out\"\n", i - 1)));
    let pipeline = common::analyse(&text).unwrap_or_else(|d| panic!("{:?}", d.codes()));
    assert_eq!(pipeline.order.len(), 20_000);
    assert_eq!(pipeline.order[19_999], 19_999);
}
