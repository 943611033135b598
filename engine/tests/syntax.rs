//! KDL syntax errors and malformed items.
mod common;

use common::{Meaning, assert_expected, codes, errors, meanings};

#[test]
fn kdl_syntax_errors_point_at_the_text() {
    let text = "stage \"a\" produce text=\"unterminated\n";
    assert_expected("syntax_unterminated", &errors(text));
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::syntax",
            &[(23, 13, "not quoted string")],
            Some(
                "You can make a string multi-line by wrapping it in '\"\"\"', with a newline immediately after the opening quotes."
            ),
        )]
    );
}

#[test]
fn unknown_item_suggests_the_closest() {
    let text = "pipeline \"p\" {\n    stgae \"a\" produce text=\"x\"\n}\n";
    assert_expected("syntax_unknown_item", &errors(text));
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::syntax::unknown_item",
            &[(19, 5, "not an item")],
            Some("did you mean `stage`?"),
        )]
    );
}

#[test]
fn extra_value_after_the_kind_is_explained() {
    let text = "stage \"b\" concat \"a.out\" \"a.extra\"\n";
    assert_expected("syntax_extra_value", &errors(text));
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::syntax::malformed",
            &[(17, 7, "extra value")],
            Some(
                "params are written `key=value`, or as child nodes: `stage \"b\" concat { inputs \"a.x\" \"a.y\" }`"
            ),
        )]
    );
}

#[test]
fn a_stage_without_kind_is_malformed() {
    assert_eq!(codes("stage \"a\"\n"), ["clarity::syntax::malformed"]);
}

#[test]
fn invalid_stage_names_are_rejected() {
    let text = "stage \"a.b\" produce text=\"x\"\n";
    assert_expected("syntax_bad_name", &errors(text));
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::syntax::malformed",
            &[(6, 5, "invalid name")],
            Some("use letters, digits, `-` and `_`, e.g. \"train-large\""),
        )]
    );
}

#[test]
fn null_and_annotations_are_rejected() {
    let text = "stage \"a\" produce text=#null\nstage \"b\" produce text=(u8)\"x\"\n";
    assert_eq!(
        codes(text),
        ["clarity::syntax::malformed", "clarity::syntax::malformed"]
    );
}

#[test]
fn huge_integers_are_rejected_not_truncated() {
    let text = "stage \"a\" produce text=\"x\" seed=99999999999999999999\n";
    assert_eq!(codes(text), ["clarity::syntax::malformed"]);
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    let text = format!("{}{}", "a {".repeat(100_000), "}".repeat(100_000));
    assert_eq!(codes(&text), ["clarity::syntax::too_deep"]);
}

#[test]
fn huge_files_are_refused() {
    let text = format!("// {}\n", "x".repeat(clarity_engine::lang::MAX_FILE_BYTES));
    assert_eq!(codes(&text), ["clarity::syntax::too_large"]);
}

#[test]
fn param_nodes_with_blocks_are_malformed() {
    let text = "stage \"a\" produce {\n    text \"x\" { y 1 }\n}\n";
    assert_eq!(codes(text), ["clarity::syntax::malformed"]);
}

#[test]
fn thousands_of_errors_are_counted_not_all_rendered() {
    let text: String = (0..3000)
        .map(|i| format!("stage \"s{i}\" concat inputs=\"nope{i}.out\"\n"))
        .collect();
    let diags = common::analyse(&text).err().expect("errors");
    assert_eq!(diags.len(), 3000);
    assert_eq!(diags.codes().len(), clarity_engine::diag::MAX_KEPT);
    assert!(
        diags
            .render(clarity_engine::Style::Plain)
            .ends_with("\n... and 2900 more not shown\n")
    );
}

#[test]
fn errors_deep_in_a_long_file_show_the_right_lines() {
    let mut text: String = (0..149)
        .map(|i| format!("stage \"s{i}\" produce text=\"x\"\n"))
        .collect();
    text.push_str("stage \"bad\" produce text=7\n");
    text.extend((0..50).map(|i| format!("stage \"t{i}\" produce text=\"y\"\n")));
    let rendered = errors(&text);
    assert!(rendered.contains("╭─[pipeline.kdl:150:26]"), "{rendered}");
    assert!(
        rendered.contains(
            " 149 │ stage \"s148\" produce text=\"x\"\n 150 │ stage \"bad\" produce text=7\n"
        ),
        "{rendered}"
    );
    assert!(
        rendered.contains(" 151 │ stage \"t0\" produce text=\"y\"\n"),
        "{rendered}"
    );
}

#[test]
fn a_bare_true_is_written_with_a_hash() {
    let text = "stage \"s\" split seed=42 shuffle=true\n";
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::syntax::bare_keyword",
            &[(32, 4, "write `#true`")],
            Some("`true` is written `#true` in KDL v2"),
        )]
    );
}

#[test]
fn a_hash_comment_is_named_as_one() {
    let text = "# the data\nstage \"a\" produce text=\"x\" // fine\n";
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::syntax::hash_comment",
            &[(0, 10, "not a comment")],
            Some("KDL comments are `//` (to the end of the line) and `/* */`"),
        )]
    );
}

#[test]
fn key_value_as_a_line_of_a_stage_block_is_explained() {
    let text = "stage \"t\" train {\n    lr=2e-5\n}\n";
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::syntax::key_value_node",
            &[(22, 7, "key=value as a line")],
            Some(
                "write `lr 2e-5` as a param line, or `lr=2e-5` on the stage line (`let lr=2e-5` for a variable)"
            ),
        )]
    );
}

#[test]
fn key_value_lines_deep_in_blocks_are_one_error_not_a_cascade() {
    let text = "pipeline \"p\" {\n  stage \"a\" train {\n    lr=2e-5\n  }\n  stage \"b\" train {\n  }\n}\n";
    assert_eq!(codes(text), ["clarity::syntax::key_value_node"]);
}

#[test]
fn every_habit_of_a_file_is_reported_and_nothing_else() {
    let text = "stage \"t\" train {\n    shuffle false # no\n}\n";
    assert_eq!(
        codes(text),
        [
            "clarity::syntax::bare_keyword",
            "clarity::syntax::hash_comment"
        ]
    );
}

#[test]
fn a_parser_error_elsewhere_is_reported_with_the_habits() {
    let text = "stage \"a\" exec command=\"echo\nstage \"b\" exec command=\"true\" env=true\n";
    assert_eq!(
        codes(text),
        ["clarity::syntax", "clarity::syntax::bare_keyword"]
    );
}

#[test]
fn a_cascade_of_unclosed_blocks_is_reduced_to_the_first_real_error() {
    let text = "pipeline \"p\" {\n    stage \"b\" concat {\n        inputs [\"a.x\"]\n    }\n}\n";
    let problems = clarity_engine::lang::kdl_read::read_document(text).unwrap_err();
    assert!(problems.len() > 2, "the kdl crate cascades: {problems:?}");
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::syntax",
            &[(54, 6, "not quoted string")],
            Some(
                "A valid value was partially parsed, but was not followed by a value terminator. Did you want a space here?"
            ),
        )]
    );
}
