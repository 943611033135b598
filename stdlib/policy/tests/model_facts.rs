//! Where the model facts of a stage come from: its model's config.json when it can be read
//! at plan time (a local directory, or a Hub repo already in the HuggingFace cache), else
//! the repo name; found by following `model` references upstream.

mod support;

use clarity_policy::facts::MemoryHost;
use support::{Ask, default_placer, fired, place_in, placer, settings, stage};

const LARGE_CONFIG: &str = r#"{"model_type": "deberta-v2", "hidden_size": 1024, "num_hidden_layers": 24, "vocab_size": 128100}"#;

#[test]
fn a_predict_stage_finds_its_model_through_the_train_stage() {
    let weights = stage(
        "weights",
        "fetch-model",
        false,
        &[("repo", "microsoft/deberta-v3-large")],
    );
    let data = stage(
        "data",
        "fetch-dataset",
        false,
        &[("repo", "ailsntua/QEvasion")],
    );
    let tokens = stage("tokens", "tokenize", false, &[("tokenizer", "weights")]);
    let train = stage(
        "train",
        "train",
        true,
        &[("model", "weights"), ("precision", "f32")],
    );
    let predict = stage(
        "predict",
        "predict",
        true,
        &[("model", "train.best"), ("data", "tokens.test")],
    );
    let upstream = [
        ("predict", "model", &train),
        ("predict", "data", &tokens),
        ("train", "model", &weights),
        ("tokens", "tokenizer", &weights),
        ("tokens", "inputs", &data),
    ];
    let placement = place_in(
        &default_placer(),
        &predict,
        &upstream,
        &Ask::on("metal", "metal"),
    )
    .unwrap();
    assert_eq!(settings(&placement), "cpu | f32 | auto");
    assert_eq!(fired(&placement)[0], "deberta-v3-large-metal-to-cpu");
    assert!(
        placement.fired[0]
            .reason
            .ends_with("model facts from the repo name `microsoft/deberta-v3-large`")
    );
}

#[test]
fn a_local_model_directory_is_read_from_its_config() {
    let host = MemoryHost::new().file("/work/project/models/mine/config.json", LARGE_CONFIG);
    let weights = stage("weights", "fetch-model", false, &[("path", "models/mine")]);
    let train = stage("train", "train", true, &[("model", "weights")]);
    let placement = place_in(
        &placer(host),
        &train,
        &[("train", "model", &weights)],
        &Ask::on("metal", "metal"),
    )
    .unwrap();
    assert_eq!(settings(&placement), "cpu | f32 | auto");
    assert_eq!(
        placement.fired[0].reason,
        "model=deberta-v3, model-size=large, device=metal; model facts from the config.json at /work/project/models/mine/config.json"
    );
}

#[test]
fn a_hub_model_in_the_huggingface_cache_is_read_from_its_cached_config() {
    let repo = "/home/user/.cache/huggingface/hub/models--lab--clarity-classifier";
    let host = MemoryHost::new()
        .file(format!("{repo}/refs/main"), "0123\n")
        .file(format!("{repo}/snapshots/0123/config.json"), LARGE_CONFIG);
    let weights = stage(
        "weights",
        "fetch-model",
        false,
        &[("repo", "lab/clarity-classifier"), ("revision", "main")],
    );
    let train = stage("train", "train", true, &[("model", "weights")]);
    let upstream = [("train", "model", &weights)];
    let placement = place_in(&placer(host), &train, &upstream, &Ask::on("metal", "metal")).unwrap();
    assert_eq!(fired(&placement)[0], "deberta-v3-large-metal-to-cpu");
    assert!(placement.fired[0].reason.ends_with(&format!(
        "the config.json at {repo}/snapshots/0123/config.json"
    )));
    let not_cached = place_in(
        &default_placer(),
        &train,
        &upstream,
        &Ask::on("metal", "metal"),
    )
    .unwrap();
    assert_eq!(
        settings(&not_cached),
        "metal | f32 | auto",
        "the repo name says nothing of the model"
    );
}

#[test]
fn model_conditions_do_not_hold_without_a_model_but_null_matches() {
    let mine = r#"policy "no-model" { when { model #null; }; warn "stage {stage-name} has no model I can see"; }"#;
    let ask = Ask::on("metal", "metal").using("mine.kdl", mine);
    let placement = place_in(
        &default_placer(),
        &stage("train", "train", true, &[]),
        &[],
        &ask,
    )
    .unwrap();
    assert_eq!(settings(&placement), "metal | f32 | auto");
    assert_eq!(
        fired(&placement),
        ["tokenizers-serial-beside-a-model", "no-model"]
    );
    assert_eq!(placement.fired[1].reason, "model unset");
    assert_eq!(placement.fired[1].action, "warn");
    assert_eq!(
        placement.fired[1].warning.as_deref(),
        Some("stage train has no model I can see")
    );
}

#[test]
fn facts_about_the_machine_and_the_request_can_be_tested() {
    let mine = r#"
        policy "mac-explicit" {
            when { os "macos"; requested-device "metal"; stage-name "train"; model-repo "microsoft/*"; }
            attention "fused"
        }
    "#;
    let train = |device| {
        let weights = stage(
            "weights",
            "fetch-model",
            false,
            &[("repo", "microsoft/deberta-v3-small")],
        );
        let train = stage("train", "train", true, &[("model", "weights")]);
        let ask = Ask::on(device, "metal").using("mine.kdl", mine);
        place_in(
            &default_placer(),
            &train,
            &[("train", "model", &weights)],
            &ask,
        )
        .unwrap()
    };
    assert_eq!(settings(&train("metal")), "metal | f32 | fused");
    assert_eq!(
        settings(&train("auto")),
        "metal | f32 | auto",
        "asked for auto, not metal"
    );
}
