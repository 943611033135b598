//! Mistakes in policy files and device requests, as `clarity` prints them: code, message,
//! the labelled span, help. Every error of a file is reported at once.

mod support;

use clarity_engine::{PlacementSetup, Placer, PolicySource};
use support::{Ask, default_placer, rendered, train};

/// Every problem `clarity` reports before placing any stage, rendered, in order.
fn problems(device: &str, assume: &str, policy_file: Option<&str>) -> Vec<String> {
    let policies: Vec<PolicySource> = policy_file
        .map(|text| PolicySource {
            name: "policies/mine.kdl".into(),
            text: text.into(),
        })
        .into_iter()
        .collect();
    let assumed = vec![assume.to_owned()];
    let setup = PlacementSetup {
        device,
        assumed_devices: Some(&assumed),
        policies: &policies,
    };
    default_placer()
        .check(&setup)
        .iter()
        .map(rendered)
        .collect()
}

/// The one diagnostic of the policy file `text`.
fn error(text: &str) -> String {
    let all = problems("cpu", "cpu", Some(text));
    assert_eq!(all.len(), 1, "{all:#?}");
    all.into_iter().next().unwrap()
}

#[test]
fn an_unknown_fact_in_a_condition() {
    let text = "policy \"x\" {\n    when { modle \"deberta-v3\"; }\n    device \"cpu\"\n}\n";
    assert_eq!(
        error(text),
        r#"clarity::policy::unknown_fact

  × unknown fact `modle`
   ╭─[policies/mine.kdl:2:12]
 1 │ policy "x" {
 2 │     when { modle "deberta-v3"; }
   ·            ──┬──
   ·              ╰── no such fact
 3 │     device "cpu"
   ╰────
  help: did you mean `model`?
"#
    );
}

#[test]
fn an_unknown_fact_in_a_message_points_inside_the_string() {
    let text = "policy \"x\" {\n    warn \"on {devcie} now\"\n}\n";
    assert_eq!(
        error(text),
        r#"clarity::policy::unknown_fact

  × unknown fact `devcie`
   ╭─[policies/mine.kdl:2:14]
 1 │ policy "x" {
 2 │     warn "on {devcie} now"
   ·              ────┬───
   ·                  ╰── no such fact
 3 │ }
   ╰────
  help: did you mean `device`?
"#
    );
}

#[test]
fn a_value_a_fact_never_takes() {
    let text = "policy \"x\" {\n    when { device \"meatl\"; }\n    device \"cpu\"\n}\n";
    assert_eq!(
        error(text),
        r#"clarity::policy::bad_value

  × `device` is never "meatl"
   ╭─[policies/mine.kdl:2:19]
 1 │ policy "x" {
 2 │     when { device "meatl"; }
   ·                   ───┬───
   ·                      ╰── not a value of `device`
 3 │     device "cpu"
   ╰────
  help: did you mean "metal"? (`device` is one of cpu, cuda, metal, vulkan, wgpu)
"#
    );
}

#[test]
fn an_unknown_device_in_an_action() {
    let text = "policy \"x\" {\n    device \"cdua\"\n}\n";
    assert_eq!(
        error(text),
        r#"clarity::policy::bad_value

  × unknown device `cdua`
   ╭─[policies/mine.kdl:2:12]
 1 │ policy "x" {
 2 │     device "cdua"
   ·            ───┬──
   ·               ╰── not a device
 3 │ }
   ╰────
  help: did you mean "cuda"? (one of cpu, cpu:flex, cpu:candle, cuda, cuda:N, metal, vulkan, wgpu)
"#
    );
}

#[test]
fn an_unknown_action() {
    let text = "policy \"x\" {\n    precison \"f32\"\n}\n";
    assert_eq!(
        error(text),
        r#"clarity::policy::unknown_action

  × unknown action `precison` in policy `x`
   ╭─[policies/mine.kdl:2:5]
 1 │ policy "x" {
 2 │     precison "f32"
   ·     ────┬───
   ·         ╰── no such action
 3 │ }
   ╰────
  help: did you mean `precision`?
"#
    );
}

#[test]
fn an_unknown_item() {
    let text = "polcy \"x\" {\n    device \"cpu\"\n}\n";
    assert_eq!(
        error(text),
        r#"clarity::policy::unknown_item

  × unknown item `polcy`
   ╭─[policies/mine.kdl:1:1]
 1 │ polcy "x" {
   · ──┬──
   ·   ╰── not a policy-file item
 2 │     device "cpu"
   ╰────
  help: did you mean `policy`?
"#
    );
}

#[test]
fn a_policy_without_actions() {
    let text = "policy \"x\" {\n    when { device \"cpu\"; }\n}\n";
    assert_eq!(
        error(text),
        r#"clarity::policy::no_action

  × policy `x` does nothing
   ╭─[policies/mine.kdl:1:8]
 1 │ policy "x" {
   ·        ─┬─
   ·         ╰── no action
 2 │     when { device "cpu"; }
   ╰────
  help: give it an action: device, precision, attention, env, warn or refuse
"#
    );
}

#[test]
fn a_policy_defined_twice_in_one_file() {
    let text = "policy \"x\" {\n    device \"cpu\"\n}\npolicy \"x\" {\n    device \"cuda\"\n}\n";
    assert_eq!(
        error(text),
        r#"clarity::policy::duplicate

  × policy `x` is given twice
   ╭─[policies/mine.kdl:4:8]
 3 │ }
 4 │ policy "x" {
   ·        ─┬─
   ·         ╰── given again here
 5 │     device "cuda"
   ╰────
  help: the first is on line 1; a policy replaces one of the same name only from a later file
"#
    );
}

#[test]
fn an_action_given_twice() {
    let text = "policy \"x\" {\n    device \"cpu\"\n    device \"metal\"\n}\n";
    assert_eq!(
        error(text),
        r#"clarity::policy::duplicate

  × `device` in policy `x` is given twice
   ╭─[policies/mine.kdl:3:5]
 2 │     device "cpu"
 3 │     device "metal"
   ·     ───┬──
   ·        ╰── given again here
 4 │ }
   ╰────
  help: a policy gives each once; the first is on line 2
"#
    );
}

#[test]
fn disabling_a_policy_that_is_not_loaded() {
    assert_eq!(
        error("disable \"deberta-v3-large-metal-to-gpu\"\n"),
        r#"clarity::policy::unknown_policy

  × cannot disable `deberta-v3-large-metal-to-gpu`: no policy of that name is loaded before this
  │ point
   ╭─[policies/mine.kdl:1:9]
 1 │ disable "deberta-v3-large-metal-to-gpu"
   ·         ───────────────┬───────────────
   ·                        ╰── no such policy
   ╰────
  help: did you mean `deberta-v3-large-metal-to-cpu`?
"#
    );
}

#[test]
fn refuse_stands_alone() {
    let text = "policy \"x\" {\n    refuse \"no\"\n    device \"cpu\"\n}\n";
    assert_eq!(
        error(text),
        r#"clarity::policy::malformed

  × `refuse` cannot be combined with other actions
   ╭─[policies/mine.kdl:2:5]
 1 │ policy "x" {
 2 │     refuse "no"
   ·     ─────┬─────
   ·          ╰── refuses
 3 │     device "cpu"
   ╰────
  help: a policy that refuses stops the plan; put the other actions into another policy
"#
    );
}

#[test]
fn a_kdl_syntax_error() {
    let all = problems(
        "cpu",
        "cpu",
        Some("policy \"x\" {\n    when { device \"cpu\" \n}\n"),
    );
    assert_eq!(all.len(), 2, "{all:#?}");
    assert_eq!(
        all[0],
        r#"clarity::policy::syntax

  × No closing '}' for child block
   ╭─[policies/mine.kdl:1:12]
 1 │ policy "x" {
   ·            ┬
   ·            ╰── not closed
 2 │     when { device "cpu" 
   ╰────
"#
    );
}

#[test]
fn every_error_of_a_file_is_reported_at_once() {
    let text = r#"
policy "a" {
    when { uses-device "yes"; precision "fp16"; }
    precision "auto"
    attention "flash"
}
policy "b" {
    env "HF HOME" "/x"
}
disable "nothing-like-this"
"#;
    let all = problems("cpu", "cpu", Some(text));
    let firsts: Vec<&str> = all
        .iter()
        .map(|e| e.lines().nth(2).unwrap_or_default())
        .collect();
    assert_eq!(
        firsts,
        [
            "  × `uses-device` is #true or #false",
            "  × `precision` is never \"fp16\"",
            "  × a policy cannot set precision `auto`",
            "  × unknown attention path `flash`",
            "  × `HF HOME` is not an environment variable name",
            "  × cannot disable `nothing-like-this`: no policy of that name is loaded before this point",
        ]
    );
    assert!(
        all[1].contains("help: did you mean \"f16\"? (`precision` is one of auto, f32, f16, bf16)"),
        "{}",
        all[1]
    );
    assert!(
        all[3].contains("help: use one of auto, eager, fused"),
        "{}",
        all[3]
    );
}

#[test]
fn precision_and_attention_actions_take_canonical_names() {
    let text = "policy \"x\" {\n    precision \"fp16\"\n}\n";
    assert!(error(text).contains("help: did you mean \"f16\"? (one of f32, f16, bf16)"));
    let text = "policy \"x\" {\n    attention \"sdpa\"\n}\n";
    assert!(error(text).contains("× unknown attention path `sdpa`"));
}

#[test]
fn an_unknown_device_asked_for_and_an_unknown_assumed_device() {
    let all = problems("cdua", "metla,cpu", None);
    assert_eq!(
        all,
        [
            "clarity::device::unknown

  × unknown device `cdua`
  help: did you mean `cuda`? (devices: auto, cpu, cpu:flex, cpu:candle, cuda, cuda:N, metal,
        vulkan, wgpu)
",
            "clarity::device::unknown

  × unknown device `metla`
  help: did you mean `metal`? (devices: auto, cpu, cpu:flex, cpu:candle, cuda, cuda:N, metal,
        vulkan, wgpu)
",
        ]
    );
}

#[test]
fn a_device_this_binary_lacks_names_the_cargo_feature() {
    let no_assumption = Ask {
        device: "metal",
        ..Ask::default()
    };
    let error = train(
        &default_placer(),
        "FacebookAI/roberta-base",
        "f32",
        &no_assumption,
    )
    .unwrap_err();
    assert_eq!(
        rendered(&error),
        "clarity::device::not_built

  × device `metal` needs the `wgpu` backend, which this binary was built without
  help: rebuild clarity with `--features wgpu` (this binary has: flex, candle)
"
    );
    let cuda = Ask {
        device: "cuda:1",
        ..Ask::default()
    };
    let error = train(&default_placer(), "FacebookAI/roberta-base", "f32", &cuda).unwrap_err();
    assert!(
        rendered(&error).contains("help: rebuild clarity with `--features cuda`"),
        "{}",
        rendered(&error)
    );
}

#[test]
fn a_device_the_assumed_machine_lacks() {
    let error = train(
        &default_placer(),
        "FacebookAI/roberta-base",
        "f32",
        &Ask::on("cuda", "metal"),
    )
    .unwrap_err();
    assert_eq!(
        rendered(&error),
        "clarity::device::absent

  × the assumed machine has no device `cuda:0` (it has: cpu, metal)
  help: add `cuda:0` to --assume-devices, or use --device auto
"
    );
}

#[test]
fn a_policy_that_refuses_points_at_its_refusal() {
    let text = "policy \"no-large-on-cpu\" {\n    when { model-size \"large\"; device \"cpu\"; }\n    refuse \"{model-repo} on the CPU takes days\" help=\"run it on a GPU machine\"\n}\n";
    let ask = Ask::on("cpu", "cpu").using("policies/mine.kdl", text);
    let error = train(&default_placer(), "microsoft/deberta-v3-large", "f32", &ask).unwrap_err();
    assert_eq!(
        rendered(&error),
        r#"clarity::policy::refused

  × policy `no-large-on-cpu` refuses stage `train`: microsoft/deberta-v3-large on the CPU takes
  │ days
   ╭─[policies/mine.kdl:3:5]
 2 │     when { model-size "large"; device "cpu"; }
 3 │     refuse "{model-repo} on the CPU takes days" help="run it on a GPU machine"
   ·     ─────────────────────────────────────┬────────────────────────────────────
   ·                                          ╰── refused here
 4 │ }
   ╰────
  help: run it on a GPU machine
"#
    );
}

#[test]
fn a_policy_switching_to_a_device_the_machine_lacks_cannot_apply() {
    let text = "policy \"always-cuda\" {\n    when { stage \"train\"; }\n    device \"cuda\"\n}\n";
    let ask = Ask::on("cpu", "metal").using("policies/mine.kdl", text);
    let error = train(&default_placer(), "FacebookAI/roberta-base", "f32", &ask).unwrap_err();
    assert_eq!(
        rendered(&error),
        r#"clarity::policy::cannot_apply

  × policy `always-cuda` cannot apply to stage `train`: the assumed machine has no device `cuda:0`
  │ (it has: cpu, metal)
   ╭─[policies/mine.kdl:3:5]
 2 │     when { stage "train"; }
 3 │     device "cuda"
   ·     ──────┬──────
   ·           ╰── switches to `cuda:0`
 4 │ }
   ╰────
  help: add `cuda:0` to --assume-devices, or use --device auto; or `disable "always-cuda"` in a
        policy file of the pipeline
"#
    );
}
