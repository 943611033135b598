//! User policies: overriding a stdlib policy by name, disabling, and the documented order in
//! which conflicting policies resolve.

mod support;

use support::{Ask, default_placer, fired, rendered, settings, train};

const LARGE: &str = "microsoft/deberta-v3-large";
const BASE: &str = "microsoft/deberta-v3-base";

#[test]
fn a_user_policy_of_the_same_name_replaces_the_stdlib_one_in_its_place() {
    let mine = r#"
        policy "half-precision-needs-cuda" {
            doc "Our Macs train f16 fine."
            when { precision "f16" "bf16"; }
            unless { device "cuda" "metal"; }
            precision "f32"
        }
    "#;
    let ask = Ask::on("metal", "metal").using("policies/mine.kdl", mine);
    let placement = train(&default_placer(), "FacebookAI/roberta-base", "f16", &ask).unwrap();
    assert_eq!(settings(&placement), "metal | f16 | auto");
    // What the device cannot compute in is refused at plan time, whatever the policies say:
    // wgpu (Metal) has no bf16.
    let error = train(&default_placer(), "FacebookAI/roberta-base", "bf16", &ask).unwrap_err();
    let error = rendered(&error);
    assert!(
        error.starts_with("clarity::device::precision\n\n  × device `metal` does not support bf16 (it has: f32, f16)"),
        "{error}"
    );
    let ask = Ask::on("cpu", "metal").using("policies/mine.kdl", mine);
    let placement = train(&default_placer(), LARGE, "bf16", &ask).unwrap();
    assert_eq!(
        fired(&placement),
        [
            "half-precision-needs-cuda",
            "tokenizers-serial-beside-a-model"
        ]
    );
    assert_eq!(
        placement.fired[0].warning, None,
        "the user's version has no warning"
    );
}

#[test]
fn disable_removes_a_stdlib_policy_and_stars_match_many() {
    let ask =
        Ask::on("metal", "metal").using("mine.kdl", r#"disable "deberta-v3-large-metal-to-cpu""#);
    let placement = train(&default_placer(), LARGE, "f32", &ask).unwrap();
    assert_eq!(settings(&placement), "metal | f32 | auto");
    let ask = Ask::on("metal", "metal").using("mine.kdl", r#"disable "deberta-*" "tokenizers-*""#);
    let placement = train(&default_placer(), BASE, "f32", &ask).unwrap();
    assert!(placement.fired.is_empty(), "{:?}", placement.fired);
}

#[test]
fn a_later_policy_overrides_an_earlier_setting_and_the_earlier_one_says_so() {
    let mine = r#"
        policy "first" {
            when { stage "train"; }
            precision "bf16"
            attention "fused"
        }
        policy "second" {
            when { stage "train"; }
            precision "f16"
        }
    "#;
    let ask = Ask::on("cuda", "cuda").using("mine.kdl", mine);
    let placement = train(&default_placer(), "FacebookAI/roberta-base", "auto", &ask).unwrap();
    assert_eq!(settings(&placement), "cuda:0 | f16 | fused");
    let names = fired(&placement);
    assert_eq!(
        names,
        [
            "auto-precision-bf16-on-cuda",
            "tokenizers-serial-beside-a-model",
            "first",
            "second"
        ]
    );
    assert_eq!(
        placement.fired[0].action,
        "precision=bf16 (overridden by `first`)"
    );
    assert_eq!(
        placement.fired[2].action,
        "precision=bf16 (overridden by `second`), attention=fused"
    );
    assert_eq!(placement.fired[3].action, "precision=f16");
}

#[test]
fn user_files_come_after_the_stdlib_and_each_other_in_use_order() {
    let a = r#"policy "team" { when { stage "train"; }; precision "bf16"; }"#;
    let b = r#"policy "team" { when { stage "train"; }; precision "f16"; }"#;
    let ask = Ask::on("cpu", "cpu").using("a.kdl", a).using("b.kdl", b);
    let placement = train(&default_placer(), "FacebookAI/roberta-base", "f32", &ask).unwrap();
    assert_eq!(
        settings(&placement),
        "cpu | f16 | auto",
        "b.kdl replaces a.kdl's `team`; a user rule after the stdlib's wins"
    );
    let ask = Ask::on("cpu", "cpu").using("b.kdl", b).using("a.kdl", a);
    let placement = train(&default_placer(), "FacebookAI/roberta-base", "f32", &ask).unwrap();
    assert_eq!(settings(&placement), "cpu | bf16 | auto");
}

#[test]
fn using_std_policies_explicitly_loads_them_once() {
    let ask = Ask::on("metal", "metal").using("std/policies", "this text is not read");
    let placement = train(&default_placer(), LARGE, "f32", &ask).unwrap();
    assert_eq!(
        fired(&placement),
        [
            "deberta-v3-large-metal-to-cpu",
            "tokenizers-serial-beside-a-model"
        ]
    );
}

#[test]
fn a_device_switch_restarts_evaluation_on_the_new_device() {
    let mine = r#"
        policy "large-models-on-the-gpu" {
            when { model-size "large"; device "cuda"; }
            device "metal"
        }
    "#;
    let ask = Ask::on("cuda", "cuda,metal").using("mine.kdl", mine);
    let placement = train(&default_placer(), LARGE, "auto", &ask).unwrap();
    assert_eq!(settings(&placement), "cpu | f32 | auto");
    assert_eq!(
        fired(&placement),
        [
            "large-models-on-the-gpu",
            "deberta-v3-large-metal-to-cpu",
            "auto-precision-f32",
            "tokenizers-serial-beside-a-model"
        ]
    );
    assert_eq!(
        placement.fired[0].action,
        "device=metal (overridden by `deberta-v3-large-metal-to-cpu`)"
    );
}

#[test]
fn policies_that_switch_the_device_back_and_forth_are_an_error() {
    let mine =
        "policy \"back-to-metal\" {\n    when { device \"cpu\"; }\n    device \"metal\"\n}\n";
    let ask = Ask::on("metal", "metal").using("policies/mine.kdl", mine);
    let error = train(&default_placer(), LARGE, "f32", &ask).unwrap_err();
    assert_eq!(
        rendered(&error),
        "clarity::policy::device_loop

  × device policies loop on stage `train`: metal -> cpu (`deberta-v3-large-metal-to-cpu`) -> metal
  │ (`back-to-metal`)
   ╭─[policies/mine.kdl:3:5]
 2 │     when { device \"cpu\"; }
 3 │     device \"metal\"
   ·     ───────┬──────
   ·            ╰── switches back
 4 │ }
   ╰────
  help: make the policies' `when` clauses exclude each other, or disable one
"
    );
}
