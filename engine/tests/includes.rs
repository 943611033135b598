//! `include` of user fragments and `use` of libraries.
mod common;

use clarity_engine::fs::MemFs;
use common::{Meaning, analyse_with, assert_expected, errors_with, meanings_with};

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
    assert_eq!(
        meanings_with(text, &MemFs::new(), &[]),
        [Meaning::new(
            "clarity::include::missing",
            &[(8, 10, "included here")],
            Some("paths are relative to the including file"),
        )]
    );
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
    assert_eq!(
        meanings_with("include \"a.kdl\"\n", &fs, &[]),
        [Meaning::new(
            "clarity::include::cycle",
            &[(8, 7, "included again here")],
            Some("remove one of the includes on this chain"),
        )]
    );
}

#[test]
fn errors_inside_an_included_file_name_that_file() {
    let fs = MemFs::new().with("frag.kdl", "stage \"a\" produce text=1\n");
    assert_expected(
        "includes_error_inside",
        &errors_with("include \"frag.kdl\"\n", &fs, &[]),
    );
    assert_eq!(
        meanings_with("include \"frag.kdl\"\n", &fs, &[]),
        [Meaning::new(
            "clarity::param::wrong_type",
            &[(23, 1, "an integer")],
            Some("`text`: the text to write"),
        )]
    );
}

#[test]
fn unknown_library() {
    assert_expected(
        "includes_unknown_library",
        &errors_with("use \"std/polices\"\n", &MemFs::new(), &[]),
    );
    assert_eq!(
        meanings_with("use \"std/polices\"\n", &MemFs::new(), &[]),
        [Meaning::new(
            "clarity::library::unknown",
            &[(4, 13, "no such library")],
            Some("use a library of this binary (e.g. \"std/policies\") or a path to a .kdl file"),
        )]
    );
}
