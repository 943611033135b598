//! `foreach` ensembles: one stage per value, and a consumer of all of them.
mod common;

use clarity_engine::Value;
use clarity_engine::fs::MemFs;
use common::{Meaning, analyse, analyse_with, assert_expected, codes, errors, meanings, params_of};

const TEXT: &str = "\
let seeds 42 123 2026
stage \"train\" produce text=\"m\" {
    foreach \"seed\" $seeds
    seed $seed
}
stage \"predict\" concat {
    inputs \"train.out\"
}
";

#[test]
fn foreach_makes_one_stage_per_value() {
    let pipeline = analyse(TEXT).unwrap();
    let names: Vec<&str> = pipeline.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["train-42", "train-123", "train-2026", "predict"]);
    assert_eq!(
        params_of(&pipeline, "train-123").get("seed"),
        Some(&Value::Int(123))
    );
}

#[test]
fn the_ensemble_name_feeds_every_member_to_a_list() {
    let pipeline = analyse(TEXT).unwrap();
    let refs: Vec<&str> = pipeline
        .inputs_of(3)
        .map(|b| b.reference.as_str())
        .collect();
    assert_eq!(refs, ["train-42.out", "train-123.out", "train-2026.out"]);
}

#[test]
fn set_on_the_ensemble_reaches_every_member() {
    let pipeline =
        analyse_with(TEXT, &MemFs::new(), &["train.count=3", "train-42.count=4"]).unwrap();
    assert_eq!(
        params_of(&pipeline, "train-123").get("count"),
        Some(&Value::Int(3))
    );
    assert_eq!(
        params_of(&pipeline, "train-42").get("count"),
        Some(&Value::Int(4))
    );
}

#[test]
fn an_ensemble_cannot_feed_a_single_input() {
    let text = "stage \"t\" produce text=\"x\" {\n    foreach \"s\" 1 2\n}\nstage \"u\" use-table table=\"t.extra\"\n";
    assert_expected("ensembles_single_input", &errors(text));
    assert_eq!(
        meanings(text),
        [Meaning::new(
            "clarity::reference::ensemble",
            &[(77, 9, "an ensemble")],
            Some("name one member: `t-1`, `t-2`"),
        )]
    );
}

#[test]
fn foreach_values_must_make_names() {
    let text = "stage \"t\" produce text=\"x\" {\n    foreach \"s\" \"a b\"\n}\n";
    assert_eq!(codes(text), ["clarity::stage::foreach"]);
}

#[test]
fn member_names_clash_with_other_stages() {
    let text = "stage \"t-1\" produce text=\"x\"\nstage \"t\" produce text=\"x\" {\n    foreach \"s\" 1\n}\n";
    assert_eq!(codes(text), ["clarity::stage::duplicate"]);
}

#[test]
fn a_foreach_over_a_doubled_list_is_refused_quickly() {
    // From the fuzzer: 2^15 members used to clone every variable per member.
    let mut text = String::from("let l0 1 2\n");
    for i in 1..=14 {
        text.push_str(&format!("let l{i} $l{} $l{}\n", i - 1, i - 1));
    }
    text.push_str("stage \"s\" produce text=\"x\" {\n    foreach \"i\" $l14\n}\n");
    let clock = std::time::Instant::now();
    let codes = codes(&text);
    assert_eq!(codes, ["clarity::stage::foreach_size"]);
    assert!(clock.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn members_see_their_own_binding_and_the_lets() {
    let text =
        "let base=\"x\"\nstage \"s\" produce text=\"${base}-${i}\" {\n    foreach \"i\" 1 2\n}\n";
    let pipeline = analyse(text).unwrap();
    let texts: Vec<String> = ["s-1", "s-2"]
        .iter()
        .map(|s| params_of(&pipeline, s).get_str("text").unwrap().to_owned())
        .collect();
    assert_eq!(texts, ["x-1", "x-2"]);
}
