//! The device policies through the `clarity` binary: `plan` shows what fired and why,
//! `--assume-devices` plans for another machine, policy files get diagnostics, `run` refuses
//! an assumed machine.

use std::path::Path;
use std::process::{Command, Output};

mod common;

/// Runs `clarity ARGS` in `dir` with a clean environment for the policies: no HF or
/// tokenizer variables, `HOME` as given.
fn clarity(dir: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clarity"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env_remove("HF_HOME")
        .env_remove("HF_HUB_CACHE")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("TOKENIZERS_PARALLELISM")
        .output()
        .expect("the clarity binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const PIPELINE: &str = r#"
pipeline "policies" {
    use "std/policies"
    stage "weights" fetch-model repo="microsoft/deberta-v3-large"
    stage "data" fetch-dataset repo="ailsntua/QEvasion"
    stage "tokens" tokenize tokenizer="weights" max-length=384 {
        inputs "data.train"
    }
}
"#;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), PIPELINE).unwrap();
    dir
}

#[test]
fn plan_shows_each_policy_that_fired_with_its_reason() {
    let dir = project();
    let out = clarity(
        dir.path(),
        dir.path(),
        &[
            "plan",
            "p.kdl",
            "--device",
            "metal",
            "--assume-devices",
            "metal,cpu",
        ],
    );
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        shown.contains(
            "      device cpu | precision f32 | attention auto\n      policy tokenizers-parallel-in-tokenize: env TOKENIZERS_PARALLELISM=true (because stage=tokenize, env.TOKENIZERS_PARALLELISM unset)\n"
        ),
        "{shown}"
    );
    assert!(!shown.contains("hf-cache-fallback"), "{shown}");
}

#[test]
fn an_unwritable_huggingface_cache_is_replaced_by_a_writable_one() {
    let dir = project();
    let home = dir.path().join("not-a-directory");
    std::fs::write(&home, "").unwrap();
    let out = clarity(dir.path(), &home, &["plan", "p.kdl"]);
    let shown = text(&out.stdout);
    let fallback = dir.path().join(".clarity/huggingface");
    let line = format!(
        "      policy hf-cache-fallback: env HF_HOME={} (because stage=fetch-model, hf-cache-writable=#false, env.HF_HOME unset, env.HF_HUB_CACHE unset)\n        warning: the HuggingFace cache {}/.cache/huggingface/hub is not writable; downloading to {} (set HF_HOME to choose)\n",
        fallback.display(),
        home.display(),
        fallback.display()
    );
    assert!(shown.contains(&line), "{shown}");
}

#[test]
fn a_bad_policy_file_is_a_configuration_error_with_every_mistake() {
    let dir = project();
    std::fs::write(
        dir.path().join("team.kdl"),
        "policy \"mine\" {\n    when { modle \"deberta-v3\"; }\n    device \"cdua\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("q.kdl"),
        PIPELINE.replace("use \"std/policies\"", "use \"team.kdl\""),
    )
    .unwrap();
    let out = clarity(dir.path(), dir.path(), &["check", "q.kdl"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "clarity::policy::unknown_fact\n\n  × unknown fact `modle`\n   ╭─[team.kdl:2:12]"
        ),
        "{err}"
    );
    assert!(err.contains("  help: did you mean `model`?"), "{err}");
    assert!(
        err.contains(
            "clarity::policy::bad_value\n\n  × unknown device `cdua`\n   ╭─[team.kdl:3:12]"
        ),
        "{err}"
    );
    assert!(err.ends_with("error: 2 problems in q.kdl\n"), "{err}");
}

#[test]
fn an_unknown_assumed_device_is_a_configuration_error() {
    let dir = project();
    let out = clarity(
        dir.path(),
        dir.path(),
        &["plan", "p.kdl", "--assume-devices", "metla"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(
            "clarity::device::unknown\n\n  × unknown device `metla`\n  help: did you mean `metal`?"
        ),
        "{err}"
    );
}

#[test]
fn run_refuses_an_assumed_machine() {
    let dir = project();
    let out = clarity(
        dir.path(),
        dir.path(),
        &["run", "p.kdl", "--assume-devices", "cuda"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("× `clarity run` cannot run on assumed devices"));
}

#[test]
fn run_prints_the_policy_warnings_before_it_starts() {
    let dir = project();
    let home = dir.path().join("not-a-directory");
    std::fs::write(&home, "").unwrap();
    let out = clarity(
        dir.path(),
        &home,
        &[
            "run",
            "p.kdl",
            "--offline",
            "--only",
            "weights",
            "--jobs",
            "1",
        ],
    );
    let err = text(&out.stderr);
    let warning = format!(
        "running pipeline \"policies\" (1 jobs)\n  warning  weights: the HuggingFace cache {}/.cache/huggingface/hub is not writable; downloading to {} (set HF_HOME to choose) (policy `hf-cache-fallback`)\n  start    weights (fetch-model)\n",
        home.display(),
        dir.path().join(".clarity/huggingface").display()
    );
    assert!(err.contains(&warning), "{err}");
}

#[test]
fn devices_and_plan_agree_on_auto() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = common::small_pipeline(
        r#"    stage "train" train model="model" {
        data train="tokens.train" validation="tokens.validation"
        epochs 1
    }"#,
    );
    std::fs::write(dir.path().join("p.kdl"), pipeline).unwrap();
    let devices = clarity(dir.path(), dir.path(), &["devices", "--json"]);
    assert_eq!(devices.status.code(), Some(0), "{}", text(&devices.stderr));
    let report: serde_json::Value = serde_json::from_slice(&devices.stdout).unwrap();
    let auto = report["auto"].as_str().unwrap().to_owned();
    let plan = clarity(
        dir.path(),
        dir.path(),
        &["plan", "p.kdl", "--device", "auto"],
    );
    let shown = text(&plan.stdout);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan.stderr));
    let train = shown
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("train "))
        .collect::<Vec<_>>()
        .join("\n");
    let placed = train
        .lines()
        .find_map(|l| l.trim().strip_prefix("device "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_else(|| panic!("{shown}"));
    // `devices` names the backend of a CPU (`cpu:flex`); a placement names the device.
    assert!(
        auto == placed || auto.starts_with(&format!("{placed}:")),
        "clarity devices says auto -> {auto}, clarity plan places train on {placed}\n{shown}"
    );
}

/// The `device …` line under stage `stage` in a plan.
fn device_of(plan: &str, stage: &str) -> String {
    let mut lines = plan
        .lines()
        .skip_while(|l| !l.starts_with(&format!("  {stage} ")));
    lines.next();
    lines
        .find(|l| l.trim_start().starts_with("device "))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[test]
fn plan_on_two_assumed_gpus_shares_the_ensemble_members_out() {
    let dir = tempfile::tempdir().unwrap();
    let file = common::root().join("pipelines/ensemble.kdl");
    let args = [
        "plan",
        file.to_str().unwrap(),
        "--assume-devices",
        "cuda:0,cuda:1,cpu",
    ];
    let out = clarity(dir.path(), dir.path(), &args);
    let plan = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        device_of(&plan, "train-42").starts_with("device cuda:0 |"),
        "{plan}"
    );
    assert!(
        device_of(&plan, "train-123").starts_with("device cuda:1 |"),
        "{plan}"
    );
    assert!(
        device_of(&plan, "train-2026").starts_with("device cuda:0 |"),
        "{plan}"
    );
}

#[test]
fn devices_that_serve_no_stage_are_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = clarity(
        dir.path(),
        dir.path(),
        &["run", "--devices", "cuda:0,cuda:1"],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("clarity::cli::devices"), "{err}");
    assert!(
        err.contains(
            "stage `train` is placed on `cpu`, which --devices does not list (cuda:0,cuda:1)"
        ),
        "{err}"
    );
    assert!(!dir.path().join(".clarity/runs").exists());
}
