//! The stdlib's rules between params and open ranges are check-time errors (`clarity check`),
//! not failures at run time.

use clarity_engine::fs::RealFs;
use clarity_engine::lang::Source;
use clarity_engine::{Options, Registry};

/// The diagnostic codes of checking `text` with `sets`, in a project holding the directories
/// `model/` (with a tokenizer file, which `tokenize` checks for) and `tables/`.
fn codes(text: &str, sets: &[&str]) -> Vec<String> {
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir(project.path().join("model")).unwrap();
    std::fs::write(project.path().join("model/tokenizer.json"), "{}").unwrap();
    std::fs::create_dir(project.path().join("tables")).unwrap();
    let registry = clarity_stdlib::registry();
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let options = Options {
        registry: &registry,
        fs: &RealFs,
        project_dir: project.path(),
        sets: &sets,
        device: Some("cpu"),
        assumed_devices: None,
    };
    let source = Source::new("pipeline.kdl", None, text);
    match clarity_engine::analyse(&source, &options) {
        Ok(_) => Vec::new(),
        Err(diags) => diags.codes(),
    }
}

const PIPELINE: &str = r#"stage "data" fetch-dataset path="tables"
stage "weights" fetch-model path="model"
stage "split" split from="data.train"
stage "tokens" tokenize tokenizer="weights" {
    inputs "split.train" "split.validation" "data.test"
}
stage "train" train model="weights" {
    data train="tokens.train" validation="tokens.validation"
}
stage "predict" predict model="train.best" data="tokens.test"
"#;

#[test]
fn the_base_pipeline_checks() {
    assert_eq!(codes(PIPELINE, &[]), Vec::<String>::new());
}

#[test]
fn fetch_model_with_both_repo_and_path_is_a_check_error() {
    let text = PIPELINE.replace(
        r#"fetch-model path="model""#,
        r#"fetch-model repo="microsoft/deberta-v3-base" path="model""#,
    );
    assert_eq!(codes(&text, &[]), ["clarity::param::conflict"]);
}

#[test]
fn fetch_stages_with_neither_repo_nor_path_are_check_errors() {
    let text = PIPELINE
        .replace(r#"fetch-model path="model""#, "fetch-model")
        .replace(r#"fetch-dataset path="tables""#, "fetch-dataset");
    assert_eq!(
        codes(&text, &[]),
        ["clarity::param::one_of", "clarity::param::one_of"]
    );
}

#[test]
fn split_validation_of_0_or_1_is_a_check_error() {
    for fraction in ["0", "1", "0.0", "1.0"] {
        let text = PIPELINE.replace(
            r#"from="data.train""#,
            &format!(r#"from="data.train" validation={fraction}"#),
        );
        assert_eq!(codes(&text, &[]), ["clarity::param::range"], "{fraction}");
    }
    let inside = PIPELINE.replace(
        r#"from="data.train""#,
        r#"from="data.train" validation=0.5"#,
    );
    assert_eq!(codes(&inside, &[]), Vec::<String>::new());
}

#[test]
fn train_lr_of_0_is_a_check_error() {
    let text = PIPELINE.replace(r#"model="weights" {"#, r#"model="weights" lr=0 {"#);
    assert_eq!(codes(&text, &[]), ["clarity::param::range"]);
}

#[test]
fn the_other_exactly_one_rules_are_check_errors() {
    let both_tokenizers = PIPELINE.replace(
        r#"tokenizer="weights""#,
        r#"tokenizer="weights" tokenizer-path="model""#,
    );
    assert_eq!(codes(&both_tokenizers, &[]), ["clarity::param::conflict"]);
    let no_tokenizer = PIPELINE.replace(r#"tokenizer="weights" "#, "");
    assert_eq!(codes(&no_tokenizer, &[]), ["clarity::param::one_of"]);
    let both_models = PIPELINE.replace(
        r#"predict model="train.best""#,
        r#"predict model="train.best" models="train.last""#,
    );
    assert_eq!(codes(&both_models, &[]), ["clarity::param::conflict"]);
    let built = format!(
        "{PIPELINE}stage \"tiny\" build-model tokenizer=\"weights\" vocab-from=\"data.train\"\nstage \"tiny2\" build-model\n"
    );
    assert_eq!(
        codes(&built, &[]),
        ["clarity::param::conflict", "clarity::param::one_of"]
    );
}

#[test]
fn set_overrides_go_through_the_same_checks() {
    assert_eq!(
        codes(PIPELINE, &["weights.repo=microsoft/deberta-v3-base"]),
        ["clarity::param::conflict"]
    );
    assert_eq!(
        codes(PIPELINE, &["split.validation=1"]),
        ["clarity::param::range"]
    );
    assert_eq!(codes(PIPELINE, &["train.lr=0"]), ["clarity::param::range"]);
    assert_eq!(codes(PIPELINE, &["train.lr=2e-5"]), Vec::<String>::new());
}

#[test]
fn every_rule_names_params_of_its_kind() {
    let registry: Registry = clarity_stdlib::registry();
    let mut rules = 0;
    for kind in registry.kinds() {
        let schema = registry.get(kind).unwrap().schema();
        for rule in &schema.rules {
            for name in rule.params() {
                let spec = schema.param(name);
                assert!(spec.is_some(), "{kind}: rule names unknown param `{name}`");
                let spec = spec.unwrap();
                assert!(
                    !spec.required && spec.default.is_none(),
                    "{kind}: `{name}` is in a rule, so it must be optional without a default"
                );
            }
            rules += 1;
        }
    }
    assert!(rules >= 5, "only {rules} rules");
}

#[test]
fn open_ranges_show_in_the_schema() {
    let registry = clarity_stdlib::registry();
    let describe = |kind: &str, param: &str| {
        registry
            .get(kind)
            .unwrap()
            .schema()
            .param(param)
            .unwrap()
            .ty
            .describe()
    };
    assert_eq!(describe("split", "validation"), "number in (0, 1)");
    assert_eq!(describe("train", "lr"), "number > 0");
}
