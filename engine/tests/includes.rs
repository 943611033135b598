//! `include` of user fragments and `use` of libraries.
mod common;

use clarity_engine::fs::MemFs;
use common::{analyse_with, assert_expected, errors_with};

#[test]
fn included_stages_and_lets_join_the_pipeline() {
    let fs = MemFs::new()
        .with(
            "frag/data.kdl",
            "let word=\"hi\"\nstage \"a\" produce text=$word\ninclude \"more.kdl\"\n",
        )
        .with("frag/more.kdl", "stage \"b\" concat inputs=\"a.out\"\n");
    let pipeline = analyse_with(
        "include \"frag/data.kdl\"\nstage \"c\" concat inputs=\"b\"\n",
        &fs,
        &[],
    )
    .unwrap();
    let names: Vec<&str> = pipeline.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
}

#[test]
fn missing_include_points_at_the_path() {
    let text = "include \"nope.kdl\"\n";
    assert_expected("includes_missing", &errors_with(text, &MemFs::new(), &[]));
}

#[test]
fn include_cycle_shows_the_chain() {
    let fs = MemFs::new()
        .with("a.kdl", "include \"b.kdl\"\n")
        .with("b.kdl", "include \"a.kdl\"\n");
    assert_expected(
        "includes_cycle",
        &errors_with("include \"a.kdl\"\n", &fs, &[]),
    );
}

#[test]
fn errors_inside_an_included_file_name_that_file() {
    let fs = MemFs::new().with("frag.kdl", "stage \"a\" produce text=1\n");
    assert_expected(
        "includes_error_inside",
        &errors_with("include \"frag.kdl\"\n", &fs, &[]),
    );
}

#[test]
fn unknown_library() {
    assert_expected(
        "includes_unknown_library",
        &errors_with("use \"std/polices\"\n", &MemFs::new(), &[]),
    );
}
