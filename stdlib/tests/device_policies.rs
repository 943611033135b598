//! The device policies in a planned pipeline, as `clarity plan` shows them.
//!
//! The stdlib has no `train` or `predict` stage yet, so these tests register stand-ins with
//! the same shape (a `model` input, a `precision` choice, `uses_device`) next to the real
//! stdlib stages, and plan a DeBERTa-v3-large pipeline for a simulated Apple Silicon machine
//! (`--device metal --assume-devices metal,cpu`).

use clarity_engine::cache::Cache;
use clarity_engine::cli::render_plan;
use clarity_engine::fs::RealFs;
use clarity_engine::lang::Source;
use clarity_engine::{
    ArtifactKind, Options, OutputSpec, ParamSpec, ParamType, Registry, Stage, StageContext,
    StageSchema, Value,
};
use clarity_policy::facts::MemoryHost;
use clarity_policy::{Backend, Inventory, PolicyPlacer};

/// A device-bound stage kind shaped like the coming `train` and `predict` stages.
struct StandIn {
    schema: StageSchema,
}

impl StandIn {
    fn new(kind: &'static str) -> Self {
        let precisions = &["auto", "f32", "f16", "bf16"];
        Self {
            schema: StageSchema {
                kind,
                version: 1,
                summary: "stand-in for a device-bound stage",
                params: vec![
                    ParamSpec::required(
                        "model",
                        ParamType::input(ArtifactKind::FILES),
                        "the model",
                    ),
                    ParamSpec::with_default(
                        "precision",
                        ParamType::Choice(precisions),
                        Value::from("auto"),
                        "precision",
                    ),
                ],
                outputs: vec![OutputSpec::new("best", ArtifactKind::MODEL, "a checkpoint")],
                uses_device: true,
            },
        }
    }
}

impl Stage for StandIn {
    fn schema(&self) -> &StageSchema {
        &self.schema
    }

    fn run(&self, _ctx: &mut StageContext<'_>) -> miette::Result<()> {
        Err(miette::miette!("a stand-in does not run"))
    }
}

const DEBERTA_LARGE: &str = r#"
pipeline "deberta-v3-large" {
    stage "weights" fetch-model repo="microsoft/deberta-v3-large"
    stage "train" train model="weights" {
        precision "auto"
    }
    stage "predict" predict model="train.best"
}
"#;

fn registry(placer: Option<PolicyPlacer>) -> Registry {
    let mut registry = clarity_stdlib::registry();
    registry.register(StandIn::new("train"));
    registry.register(StandIn::new("predict"));
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
    let planned =
        clarity_engine::run::make_plan(&pipeline, &cache, &all, false, project.path()).unwrap();
    render_plan(&pipeline, &planned)
}

/// The plan without the fingerprints (they change with every stage version).
fn without_fingerprints(plan: &str) -> String {
    plan.lines()
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
        DEBERTA_LARGE,
        "metal",
        &["metal,cpu"],
    );
    let reason = "model=deberta-v3, model-size=large, device=metal; model facts from the repo name `microsoft/deberta-v3-large`";
    let warning = "DeBERTa-v3-large crashes on the Apple GPU; stage `{}` runs on the CPU instead (much slower)";
    let expected = format!(
        r#"pipeline "deberta-v3-large": 3 of 3 stages
  weights  fetch-model  run     <fingerprint>
  train    train        run     <fingerprint>  <- weights.model
      device cpu | precision f32 | attention auto
      policy deberta-v3-large-metal-to-cpu: device=cpu (because {reason})
        warning: {train_warning}
      policy auto-precision-f32: precision=f32 (because precision=auto, device=cpu (not cuda))
      policy tokenizers-serial-beside-a-model: env TOKENIZERS_PARALLELISM=false (because uses-device=#true, env.TOKENIZERS_PARALLELISM unset)
  predict  predict      run     <fingerprint>  <- train.best
      device cpu | precision f32 | attention auto
      policy deberta-v3-large-metal-to-cpu: device=cpu (because {reason})
        warning: {predict_warning}
      policy auto-precision-f32: precision=f32 (because precision=auto, device=cpu (not cuda))
      policy tokenizers-serial-beside-a-model: env TOKENIZERS_PARALLELISM=false (because uses-device=#true, env.TOKENIZERS_PARALLELISM unset)"#,
        train_warning = warning.replace("{}", "train"),
        predict_warning = warning.replace("{}", "predict"),
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
    let shown = plan(&registry, DEBERTA_LARGE, "metal", &["metal,cpu"]);
    assert!(shown.contains("      device cpu | precision f32 | attention auto\n      policy deberta-v3-large-metal-to-cpu: device=cpu (because model=deberta-v3, model-size=large, device=metal; model facts from "), "{shown}");
    let on_cuda = plan(&registry, DEBERTA_LARGE, "auto", &["cuda,metal"]);
    assert!(on_cuda.contains("      device cuda:0 | precision bf16 | attention auto\n      policy auto-precision-bf16-on-cuda"), "{on_cuda}");
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
    let source = Source::new("pipelines/deberta_large.kdl", None, DEBERTA_LARGE);
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
