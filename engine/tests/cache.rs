//! The content-addressed cache: skip what is current, re-run exactly what changed.
mod common;

use std::collections::BTreeMap;

use clarity_engine::Value;
use clarity_engine::cache::{Fingerprint, InputKey, PlacementKey};
use common::{Project, RunOpts, statuses};

const TEXT: &str = "\
stage \"a\" produce text=\"A\" data=\"input.txt\"
stage \"b\" produce text=\"B\"
stage \"ab\" concat {
    inputs \"a.out\" \"b.out\"
}
stage \"b2\" concat inputs=\"b.out\"
";

#[test]
fn a_second_run_skips_everything() {
    let project = Project::new();
    project.write("input.txt", "1");
    let first = project.run(TEXT, &[], RunOpts::default());
    assert_eq!(statuses(&first), ["a=ran", "ab=ran", "b2=ran", "b=ran"]);
    assert_eq!(project.value(&first, "ab"), "A1,B");
    let second = project.run(TEXT, &[], RunOpts::default());
    assert_eq!(
        statuses(&second),
        ["a=cached", "ab=cached", "b2=cached", "b=cached"]
    );
    assert!(project.log.ran().is_empty());
}

#[test]
fn a_changed_param_reruns_exactly_its_dependents() {
    let project = Project::new();
    project.write("input.txt", "1");
    project.run(TEXT, &[], RunOpts::default());
    let report = project.run(TEXT, &["b.count=2"], RunOpts::default());
    assert_eq!(project.log.ran(), ["ab", "b", "b2"]);
    assert_eq!(project.value(&report, "ab"), "A1,BB");
}

#[test]
fn a_changed_input_file_reruns_exactly_its_dependents() {
    let project = Project::new();
    project.write("input.txt", "1");
    project.run(TEXT, &[], RunOpts::default());
    project.write("input.txt", "2");
    let report = project.run(TEXT, &[], RunOpts::default());
    assert_eq!(project.log.ran(), ["a", "ab"]);
    assert_eq!(project.value(&report, "ab"), "A2,B");
}

#[test]
fn renaming_a_stage_keeps_its_cache() {
    let project = Project::new();
    project.write("input.txt", "1");
    project.run(TEXT, &[], RunOpts::default());
    project.run(
        &TEXT.replace("\"b2\"", "\"renamed\""),
        &[],
        RunOpts::default(),
    );
    assert!(project.log.ran().is_empty());
}

#[test]
fn force_reruns_the_selection() {
    let project = Project::new();
    project.write("input.txt", "1");
    project.run(TEXT, &[], RunOpts::default());
    let report = project.run(
        TEXT,
        &[],
        RunOpts {
            force: true,
            only: &["b2"],
            ..RunOpts::default()
        },
    );
    assert_eq!(statuses(&report), ["b2=ran", "b=ran"]);
}

#[test]
fn the_manifest_records_the_run() {
    let project = Project::new();
    project.write("input.txt", "1");
    let report = project.run(TEXT, &[], RunOpts::default());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report.manifest_path).unwrap()).unwrap();
    assert_eq!(json["status"], "ok");
    let a = json["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "a")
        .unwrap();
    assert_eq!(a["params"]["text"], "A");
    assert_eq!(a["metrics"]["length"], 1.0);
    assert_eq!(a["placement"]["device"], "auto");
    assert_eq!(a["fingerprint"].as_str().unwrap().len(), 64);
}

/// The fingerprint format is part of the cache: changing it silently would invalidate (or
/// worse, alias) every user's cache. This hash may only change on purpose.
#[test]
fn fingerprint_golden_hash() {
    let fingerprint = Fingerprint {
        kind: "train".into(),
        version: 3,
        params: BTreeMap::from([
            ("epochs".into(), Value::Int(4)),
            ("lr".into(), Value::Float(2e-5)),
        ]),
        inputs: BTreeMap::from([(
            "data".into(),
            vec![InputKey {
                fingerprint: "ab".repeat(32),
                output: "train".into(),
            }],
        )]),
        files: BTreeMap::from([("data.csv".into(), "cd".repeat(32))]),
        outputs: vec!["best".into(), "final".into()],
        placement: PlacementKey {
            device: "cpu".into(),
            precision: "f32".into(),
            attention: "auto".into(),
        },
    };
    let json = serde_json::to_string(&fingerprint).unwrap();
    assert_eq!(
        json,
        format!(
            "{{\"kind\":\"train\",\"version\":3,\"params\":{{\"epochs\":4,\"lr\":0.00002}},\"inputs\":{{\"data\":[{{\"fingerprint\":\"{}\",\"output\":\"train\"}}]}},\"files\":{{\"data.csv\":\"{}\"}},\"outputs\":[\"best\",\"final\"],\"placement\":{{\"device\":\"cpu\",\"precision\":\"f32\",\"attention\":\"auto\"}}}}",
            "ab".repeat(32),
            "cd".repeat(32)
        )
    );
    assert_eq!(
        fingerprint.hash(),
        blake3::hash(json.as_bytes()).to_hex().to_string()
    );
    assert_eq!(
        fingerprint.hash(),
        "a5593070ac1132353236973a53189800347ab193e347b8b2c8612abfb01e71c0"
    );
}
