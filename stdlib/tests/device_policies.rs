//! The device policies in the shipped pipelines, as `clarity plan` shows them: the
//! DeBERTa-v3-large pipeline planned for a simulated Apple Silicon machine
//! (`--device metal --assume-devices metal,cpu`) trains and predicts on the CPU, and says why.

use clarity_device::{Backend, Inventory};
use clarity_engine::cache::Cache;
use clarity_engine::cli::render_plan;
use clarity_engine::fs::RealFs;
use clarity_engine::lang::Source;
use clarity_engine::{Options, Registry};
use clarity_policy::PolicyPlacer;
use clarity_policy::facts::MemoryHost;

fn deberta_large() -> String {
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("../pipelines/deberta_large.kdl");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn registry(placer: Option<PolicyPlacer>) -> Registry {
    let mut registry = clarity_stdlib::registry();
    if let Some(placer) = placer {
        clarity_policy::install(&mut registry, placer);
    }
    registry
}

/// `clarity plan` of `text` with `--device DEVICE --assume-devices ASSUME`.
fn plan(registry: &Registry, text: &str, device: &str, assume: &[&str]) -> String {
    let project = tempfile::tempdir().unwrap();
    let assumed: Vec<String> = assume.iter().map(|s| s.to_string()).collect();
    let options = Options {
        registry,
        fs: &RealFs,
        project_dir: project.path(),
        sets: &[],
        device: Some(device),
        assumed_devices: (!assumed.is_empty()).then_some(&assumed[..]),
    };
    let source = Source::new("pipelines/deberta_large.kdl", None, text);
    let pipeline = match clarity_engine::analyse(&source, &options) {
        Ok(p) => p,
        Err(diags) => panic!("{}", diags.render(clarity_engine::Style::Plain)),
    };
    let cache = Cache::open(project.path().join(".clarity")).unwrap();
    let all = (0..pipeline.stages.len()).collect();
    let planned = clarity_engine::run::make_plan(
        &pipeline,
        &cache,
        &all,
        &Default::default(),
        project.path(),
    )
    .unwrap();
    render_plan(&pipeline, &planned)
}

/// The plan without the fingerprints (they change with every stage version) and without the
/// lines saying why each stage runs.
fn without_fingerprints(plan: &str) -> String {
    plan.lines()
        .filter(|line| !line.trim_start().starts_with("why: "))
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [_, _, "run" | "cached", hash, ..] if hash.len() == 12 => {
                    line.replace(hash, "<fingerprint>")
                }
                _ => line.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn deberta_v3_large_planned_for_a_simulated_apple_gpu_trains_on_the_cpu_and_says_why() {
    let cpu = [Backend::Flex, Backend::Candle];
    let placer = PolicyPlacer::new(cpu, move || Inventory::new([], cpu, "linux"))
        .with_host(MemoryHost::new());
    let shown = plan(
        &registry(Some(placer)),
        &deberta_large(),
        "metal",
        &["metal,cpu"],
    );
    let reason = "model=deberta-v3, model-size=large, device=metal; model facts from the repo name `microsoft/deberta-v3-large`";
    let warning = |stage: &str| {
        format!(
            "DeBERTa-v3-large crashes on the Apple GPU; stage `{stage}` runs on the CPU instead (much slower)"
        )
    };
    let on_cpu = format!(
        r#"      device cpu | precision f32 | attention auto
      policy deberta-v3-large-metal-to-cpu: device=cpu (because {reason})
        warning: {{warning}}
      policy auto-precision-f32: precision=f32 (because precision=auto, device=cpu (not cuda))
      policy tokenizers-serial-beside-a-model: env TOKENIZERS_PARALLELISM=false (because uses-device=#true, env.TOKENIZERS_PARALLELISM unset)"#
    );
    let expected = format!(
        r#"pipeline "deberta-v3-large": 7 of 7 stages
  data      fetch-dataset  run      <fingerprint>
  split     split          pending  -             <- data.train
  weights   fetch-model    run      <fingerprint>
  tokens    tokenize       pending  -             <- weights.model, split.train, split.validation, data.test
      device cpu | precision f32 | attention auto
      policy tokenizers-parallel-in-tokenize: env TOKENIZERS_PARALLELISM=true (because stage=tokenize, env.TOKENIZERS_PARALLELISM unset)
  train     train          pending  -             <- weights.model, tokens.train, tokens.validation
{train}
  predict   predict        pending  -             <- train.best, tokens.test
{predict}
  evaluate  evaluate       pending  -             <- predict.predictions, data.test"#,
        train = on_cpu.replace("{warning}", &warning("train")),
        predict = on_cpu.replace("{warning}", &warning("predict")),
    );
    assert_eq!(without_fingerprints(&shown), expected);
}

#[test]
fn the_stdlib_registry_carries_the_policy_layer() {
    let registry = registry(None);
    assert!(
        registry
            .library("std/policies")
            .is_some_and(|text| text.contains("deberta-v3-large-metal-to-cpu"))
    );
    let shown = plan(&registry, &deberta_large(), "metal", &["metal,cpu"]);
    let moved = "      device cpu | precision f32 | attention auto\n      policy deberta-v3-large-metal-to-cpu: device=cpu (because model=deberta-v3, model-size=large, device=metal; model facts from ";
    assert_eq!(shown.matches(moved).count(), 2, "{shown}");
    let on_cuda = plan(&registry, &deberta_large(), "auto", &["cuda,metal"]);
    let bf16 = "      device cuda:0 | precision bf16 | attention auto\n      policy auto-precision-bf16-on-cuda";
    assert_eq!(on_cuda.matches(bf16).count(), 2, "{on_cuda}");
}

#[test]
fn a_device_this_binary_lacks_is_a_configuration_error_naming_the_feature() {
    let registry = registry(None);
    let options = Options {
        registry: &registry,
        fs: &RealFs,
        project_dir: std::path::Path::new("."),
        sets: &[],
        device: Some("metal"),
        assumed_devices: None,
    };
    let source = Source::new("pipelines/deberta_large.kdl", None, deberta_large());
    let Err(diags) = clarity_engine::analyse(&source, &options) else {
        if cfg!(feature = "wgpu") {
            return;
        }
        panic!("a binary without wgpu placed a stage on metal");
    };
    let shown = diags.render(clarity_engine::Style::Plain);
    assert_eq!(
        diags.codes(),
        ["clarity::placement", "clarity::placement"],
        "{shown}"
    );
    let message = "× cannot place stage `train`: device `metal` needs the `wgpu` backend, which this binary was\n  │ built without";
    assert!(shown.contains(message), "{shown}");
    assert!(
        shown.contains("help: rebuild clarity with `--features wgpu`"),
        "{shown}"
    );
}

/// The book's custom stage kind that reads a model through a param named neither `model`
/// nor `tokenizer` (the example binary's own file).
#[path = "../../examples/custom_stage/model_card.rs"]
mod model_card;

#[test]
fn a_custom_kind_with_a_model_input_gets_the_model_facts_whatever_its_param_is_called() {
    let mut registry = registry(None);
    registry.register(model_card::ModelCard);
    let pipeline = r#"
pipeline "scores" {
    stage "large" fetch-model repo="microsoft/deberta-v3-large"
    stage "card" model-card weights="large"
}
"#;
    let shown = plan(&registry, pipeline, "metal", &["metal,cpu"]);
    let moved = "  card   model-card   pending  -             <- large.model\n      device cpu | precision f32 | attention auto\n      policy deberta-v3-large-metal-to-cpu: device=cpu (because model=deberta-v3, model-size=large, device=metal; model facts from the repo name `microsoft/deberta-v3-large`)\n        warning: DeBERTa-v3-large crashes on the Apple GPU; stage `card` runs on the CPU instead (much slower)";
    assert!(without_fingerprints(&shown).contains(moved), "{shown}");
}
