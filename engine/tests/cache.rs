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
fn an_upstream_stage_that_rewrites_the_same_outputs_stops_the_re_running() {
    let project = Project::new();
    project.write("input.txt", "1");
    project.run(TEXT, &[], RunOpts::default());
    // `mode` changes `a`'s key but not what it writes: `ab` reads the same bytes.
    let report = project.run(TEXT, &["a.mode=slow"], RunOpts::default());
    assert_eq!(project.log.ran(), ["a"]);
    assert_eq!(
        statuses(&report),
        ["a=ran", "ab=cached", "b2=cached", "b=cached"]
    );
    assert_eq!(project.value(&report, "ab"), "A1,B");
}

#[test]
fn a_stage_reading_an_unchanged_output_of_a_changed_stage_stays_cached() {
    let text = format!("{TEXT}stage \"t\" use-table table=\"a.extra\"\n");
    let project = Project::new();
    project.write("input.txt", "1");
    project.run(&text, &[], RunOpts::default());
    project.write("input.txt", "2");
    let report = project.run(&text, &[], RunOpts::default());
    // `a.out` changed, `a.extra` did not: only what reads `a.out` runs again.
    assert_eq!(project.log.ran(), ["a", "ab"]);
    assert!(statuses(&report).contains(&"t=cached".to_owned()));
}

#[test]
fn force_stage_reruns_that_stage_and_what_its_changed_outputs_feed() {
    let project = Project::new();
    project.write("input.txt", "1");
    project.run(TEXT, &[], RunOpts::default());
    let force_a = RunOpts {
        force_stages: &["a"],
        ..RunOpts::default()
    };
    // Same outputs again: nothing downstream runs.
    project.run(TEXT, &[], force_a);
    assert_eq!(project.log.ran(), ["a"]);
    // Forced while its input changed: its dependents see new content and run too.
    project.write("input.txt", "2");
    project.run(TEXT, &[], force_a);
    assert_eq!(project.log.ran(), ["a", "ab"]);
}

#[test]
fn the_plan_says_what_waits_on_new_outputs_and_why_each_stage_runs() {
    let project = Project::new();
    project.write("input.txt", "1");
    let first = render(&project, TEXT, &[]);
    assert!(
        first.contains("why: no earlier run of this stage"),
        "{first}"
    );
    project.run(TEXT, &[], RunOpts::default());
    project.write("input.txt", "2");
    let plan = render(&project, TEXT, &["b.count=2"]);
    let line = |name: &str| {
        let start = plan.find(&format!("  {name} ")).unwrap();
        plan[start..].lines().take(2).collect::<Vec<_>>().join("\n")
    };
    assert!(
        line("a").contains("run") && line("a").contains("file `input.txt` changed"),
        "{plan}"
    );
    assert!(line("b").contains("param `count` changed"), "{plan}");
    assert!(
        line("ab").contains("pending")
            && line("ab").contains("runs if the outputs it reads from `a`, `b` change"),
        "{plan}"
    );
    assert!(line("b2").contains("pending"), "{plan}");
}

/// `clarity plan`'s text for `text` in `project`.
fn render(project: &Project, text: &str, sets: &[&str]) -> String {
    let pipeline = project.pipeline(text, sets);
    let selected = pipeline.select(&[]).unwrap();
    let cache = project.cache();
    let plan = clarity_engine::run::make_plan(
        &pipeline,
        &cache,
        &selected,
        &Default::default(),
        project.path(),
    )
    .unwrap();
    clarity_engine::cli::render_plan(&pipeline, &plan)
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
fn stages_without_a_device_share_entries_across_devices_and_gpus_of_one_kind_too() {
    let project = Project::new();
    let text =
        "stage \"prep\" produce text=\"A\"\nstage \"fit\" device-wait ms=0 after=\"prep.out\"\n";
    let on = |device| RunOpts {
        device: Some(device),
        ..RunOpts::default()
    };
    let first = project.run(text, &[], on("cuda:0"));
    assert_eq!(statuses(&first), ["fit=ran", "prep=ran"]);
    // Another GPU of the same kind: the same results.
    let other_gpu = project.run(text, &[], on("cuda:1"));
    assert_eq!(statuses(&other_gpu), ["fit=cached", "prep=cached"]);
    // Another backend: the device stage runs again, the device-free one stays cached.
    let cpu = project.run(text, &[], on("cpu"));
    assert_eq!(statuses(&cpu), ["fit=ran", "prep=cached"]);
}

/// A run's manifest as JSON, and its record of stage `stage`.
fn manifest(
    report: &clarity_engine::run::RunReport,
    stage: &str,
) -> (serde_json::Value, serde_json::Value) {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report.manifest_path).unwrap()).unwrap();
    let record = json["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == stage)
        .unwrap()
        .clone();
    (json, record)
}

#[test]
fn the_manifest_records_the_run() {
    let project = Project::new();
    project.write("input.txt", "1");
    let report = project.run(TEXT, &[], RunOpts::default());
    let (json, a) = manifest(&report, "a");
    assert_eq!(json["status"], "ok");
    assert_eq!(a["params"]["text"], "A");
    assert_eq!(a["metrics"]["length"], 1.0);
    assert_eq!(a["placement"]["device"], "auto");
    assert_eq!(a["fingerprint"].as_str().unwrap().len(), 64);
    // A cached run records the metrics the stage reported when it ran.
    let cached = project.run(TEXT, &[], RunOpts::default());
    let (_, a) = manifest(&cached, "a");
    assert_eq!(a["status"], "cached");
    assert_eq!(a["metrics"]["length"], 1.0);
}

/// The fingerprint format is part of the cache: changing it silently would invalidate (or
/// worse, alias) every user's cache. This hash may only change on purpose.
#[test]
fn fingerprint_golden_hash() {
    let fingerprint = Fingerprint {
        clarity: "0.1.0".into(),
        kind: "train".into(),
        version: 3,
        params: BTreeMap::from([
            ("epochs".into(), Value::Int(4)),
            ("lr".into(), Value::Float(2e-5)),
        ]),
        inputs: BTreeMap::from([(
            "data".into(),
            vec![InputKey {
                output: "train".into(),
                content: "ab".repeat(32),
            }],
        )]),
        files: BTreeMap::from([("data.csv".into(), "cd".repeat(32))]),
        // Left out of the JSON when empty: stages without secrets keep their hashes.
        secrets: BTreeMap::new(),
        outputs: vec!["best".into(), "final".into()],
        placement: Some(PlacementKey {
            device: "cpu".into(),
            precision: "f32".into(),
            attention: "auto".into(),
        }),
    };
    let json = serde_json::to_string(&fingerprint).unwrap();
    assert_eq!(
        json,
        format!(
            "{{\"clarity\":\"0.1.0\",\"kind\":\"train\",\"version\":3,\"params\":{{\"epochs\":4,\"lr\":0.00002}},\"inputs\":{{\"data\":[{{\"output\":\"train\",\"content\":\"{}\"}}]}},\"files\":{{\"data.csv\":\"{}\"}},\"outputs\":[\"best\",\"final\"],\"placement\":{{\"device\":\"cpu\",\"precision\":\"f32\",\"attention\":\"auto\"}}}}",
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
        "d325221afc4a090d3ef7addd00bef077899378c9f4fb0931d97816692d1ae3e6"
    );
}

/// The output file `value.txt` of stage `stage` in the last report.
fn value_file(report: &clarity_engine::run::RunReport, stage: &str) -> std::path::PathBuf {
    let record = report
        .manifest
        .stages
        .iter()
        .find(|r| r.name == stage)
        .unwrap();
    record.outputs["out"].join("value.txt")
}

#[test]
fn each_entry_records_its_outputs_content() {
    let project = Project::new();
    project.write("input.txt", "1");
    let report = project.run(TEXT, &[], RunOpts::default());
    let record = report
        .manifest
        .stages
        .iter()
        .find(|r| r.name == "a")
        .unwrap();
    let meta =
        clarity_engine::cache::read_meta(&project.cache().entry_dir(&record.fingerprint)).unwrap();
    assert_eq!(meta.schema, clarity_engine::cache::ENTRY_SCHEMA);
    assert_eq!(meta.fingerprint, record.fingerprint);
    let file = &meta.outputs["out"].files["value.txt"];
    assert_eq!(file.size, 2);
    assert_eq!(file.blake3, blake3::hash(b"A1").to_hex().to_string());
    // Byte-identical outputs have the same output hash whatever made them.
    let b = report
        .manifest
        .stages
        .iter()
        .find(|r| r.name == "b")
        .unwrap();
    let b_meta =
        clarity_engine::cache::read_meta(&project.cache().entry_dir(&b.fingerprint)).unwrap();
    assert_ne!(b_meta.outputs["out"].hash, meta.outputs["out"].hash);
    assert_eq!(b_meta.outputs["extra"].hash, meta.outputs["extra"].hash);
}

#[test]
fn an_edited_entry_is_not_trusted_and_its_stage_runs_again() {
    let project = Project::new();
    project.write("input.txt", "1");
    let first = project.run(TEXT, &[], RunOpts::default());
    std::fs::write(value_file(&first, "b"), "XX").unwrap();
    let second = project.run(TEXT, &[], RunOpts::default());
    // Only `b` re-runs; its fingerprint is unchanged, so its dependents stay cached.
    assert_eq!(project.log.ran(), ["b"]);
    assert_eq!(
        statuses(&second),
        ["a=cached", "ab=cached", "b2=cached", "b=ran"]
    );
    assert_eq!(
        std::fs::read_to_string(value_file(&second, "b")).unwrap(),
        "B"
    );
}

#[test]
fn missing_extra_and_unrecorded_files_are_not_trusted() {
    let project = Project::new();
    project.write("input.txt", "1");
    let first = project.run(TEXT, &[], RunOpts::default());
    // A file removed from an output.
    std::fs::remove_file(value_file(&first, "b2")).unwrap();
    // An entry written before content hashes existed.
    let ab = first
        .manifest
        .stages
        .iter()
        .find(|r| r.name == "ab")
        .unwrap();
    let meta = project
        .cache()
        .entry_dir(&ab.fingerprint)
        .join("stage.json");
    std::fs::write(&meta, r#"{"stage":"ab","kind":"concat","version":1}"#).unwrap();
    let untrusted = plan_of(&project);
    assert_eq!(untrusted("b2"), "`out/value.txt` is missing");
    assert!(
        untrusted("ab").contains("older clarity"),
        "{}",
        untrusted("ab")
    );
    project.run(TEXT, &[], RunOpts::default());
    assert_eq!(project.log.ran(), ["ab", "b2"]);
    // A file added to an output of a stage others read: it runs again, and since it writes
    // what it wrote before, they stay cached.
    let second = project.run(TEXT, &[], RunOpts::default());
    assert!(project.log.ran().is_empty(), "{:?}", statuses(&second));
    let extra = value_file(&second, "a").with_file_name("added.txt");
    std::fs::write(&extra, "").unwrap();
    assert_eq!(plan_of(&project)("a"), "`out/added.txt` was not part of it");
    project.run(TEXT, &[], RunOpts::default());
    assert_eq!(project.log.ran(), ["a"]);
    let third = project.run(TEXT, &[], RunOpts::default());
    assert!(project.log.ran().is_empty(), "{:?}", statuses(&third));
}

/// Plans `TEXT` in `project`; the returned function gives why a stage's entry is not trusted
/// (and fails if it is trusted).
fn plan_of(project: &Project) -> impl Fn(&str) -> String {
    let pipeline = project.pipeline(TEXT, &[]);
    let all = pipeline.select(&[]).unwrap();
    let plan = clarity_engine::run::make_plan(
        &pipeline,
        &project.cache(),
        &all,
        &Default::default(),
        project.path(),
    )
    .unwrap();
    move |stage: &str| {
        let p = plan.stages[pipeline.index(stage).unwrap()]
            .as_ref()
            .unwrap();
        assert_eq!(
            p.status,
            clarity_engine::run::CacheStatus::Untrusted,
            "{stage}"
        );
        p.untrusted.as_ref().unwrap().to_string()
    }
}
