//! References between stages: the graph's edges.
mod common;

use common::{Meaning, analyse, assert_expected, codes, errors, meanings};

#[test]
fn references_make_edges() {
    let text =
        "stage \"a\" produce text=\"x\"\nstage \"b\" concat {\n    inputs \"a.out\" \"a\"\n}\n";
    let err = analyse(text).err().map(|d| d.codes());
    assert_eq!(
        err,
        Some(vec!["clarity::reference::unknown_output".to_owned()]),
        "`a` alone is ambiguous: two outputs"
    );
    let text = "stage \"a\" produce text=\"x\"\nstage \"b\" concat {\n    inputs \"a.out\" \"b2\"\n}\nstage \"b2\" concat inputs=\"a.out\"\n";
    let pipeline = analyse(text).unwrap();
    let refs: Vec<(&str, &str)> = pipeline
        .bindings
        .iter()
        .map(|b| (pipeline.stages[b.from].name.as_str(), b.reference.as_str()))
        .collect();
    assert_eq!(refs, [("a", "a.out"), ("b2", "b2.out"), ("a", "a.out")]);
    let order: Vec<&str> = pipeline
        .order
        .iter()
        .map(|&i| pipeline.stages[i].name.as_str())
        .collect();
    assert_eq!(order, ["a", "b2", "b"]);
}

#[test]
fn unknown_stage_suggests_the_closest() {
    let text =
        "stage \"produce-1\" produce text=\"x\"\nstage \"b\" concat inputs=\"prodce-1.out\"\n";
    assert_expected("references_unknown_stage", &errors(text));
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::reference::unknown_stage",
            &[(59, 14, "no such stage")],
            Some("did you mean `produce-1`?"),
        )]
    );
}

#[test]
fn unknown_output_lists_or_suggests() {
    let text = "stage \"a\" produce text=\"x\"\nstage \"b\" concat inputs=\"a.otu\"\n";
    assert_expected("references_unknown_output", &errors(text));
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::reference::unknown_output",
            &[(51, 7, "no such output")],
            Some("its outputs: `a.out`, `a.extra`"),
        )]
    );
}

#[test]
fn artifact_kinds_must_match() {
    let text = "stage \"a\" produce text=\"x\"\nstage \"b\" use-table table=\"a.out\"\n";
    assert_expected("references_kind_mismatch", &errors(text));
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::reference::kind",
            &[(53, 7, "files")],
            Some("pick an output of kind table"),
        )]
    );
    let ok = "stage \"a\" produce text=\"x\"\nstage \"b\" use-table table=\"a.extra\"\n";
    assert!(analyse(ok).is_ok());
}

#[test]
fn references_to_broken_stages_do_not_cascade() {
    let text = "stage \"a\" prodce text=\"x\"\nstage \"b\" concat inputs=\"a.out\"\n";
    assert_eq!(codes(text), ["clarity::stage::unknown_kind"]);
}
