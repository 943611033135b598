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
