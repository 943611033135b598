//! Parse + validate + render arbitrary text as a pipeline: must never panic or hang.
#![no_main]

use std::path::Path;

use clarity_engine::fs::MemFs;
use clarity_engine::graph::{to_dot, to_mermaid};
use clarity_engine::lang::Source;
use clarity_engine::{
    ArtifactKind, Bound, Options, OutputSpec, ParamSpec, ParamType, Registry, Stage, StageContext,
    StageSchema, Style, Value,
};
use libfuzzer_sys::fuzz_target;

struct Fake(StageSchema);

impl Stage for Fake {
    fn schema(&self) -> &StageSchema {
        &self.0
    }

    fn run(&self, _: &mut StageContext<'_>) -> miette::Result<()> {
        Ok(())
    }
}

fn registry() -> Registry {
    let mut registry = Registry::new();
    registry.register(Fake(StageSchema {
        kind: "produce",
        version: 1,
        summary: "fake",
        params: vec![
            ParamSpec::required("text", ParamType::String, "text"),
            ParamSpec::with_default(
                "count",
                ParamType::Int {
                    min: Some(1),
                    max: Some(10),
                },
                Value::Int(1),
                "n",
            ),
            ParamSpec::optional("mode", ParamType::Choice(&["fast", "slow"]), "mode"),
            ParamSpec::optional(
                "rate",
                ParamType::Float {
                    min: Some(Bound::Inclusive(0.0)),
                    max: Some(Bound::Exclusive(1.0)),
                },
                "rate",
            ),
            ParamSpec::optional("flag", ParamType::Bool, "flag"),
            ParamSpec::optional("data", ParamType::Path, "path"),
            ParamSpec::optional("stop.patience", ParamType::INT, "group"),
        ],
        outputs: vec![
            OutputSpec::new("out", ArtifactKind::FILES, "out"),
            OutputSpec::new("extra", ArtifactKind::TABLE, "extra"),
        ],
        rules: Vec::new(),
        uses_device: false,
    }));
    registry.register(Fake(StageSchema {
        kind: "concat",
        version: 1,
        summary: "fake",
        params: vec![
            ParamSpec::required(
                "inputs",
                ParamType::list(ParamType::input(ArtifactKind::FILES)),
                "in",
            ),
            ParamSpec::optional("table", ParamType::input(ArtifactKind::TABLE), "table"),
        ],
        outputs: vec![OutputSpec::new("out", ArtifactKind::FILES, "out")],
        rules: Vec::new(),
        uses_device: true,
    }));
    registry.add_library("std/policies", "policy \"x\"");
    registry
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (sets, body): (Vec<String>, &str) = match text.split_once('\n') {
        Some((first, rest)) if first.starts_with("--set ") => {
            (first[6..].split(' ').map(str::to_owned).collect(), rest)
        }
        _ => (Vec::new(), &text),
    };
    let fs = MemFs::new()
        .with("frag.kdl", body.get(..body.len() / 2).unwrap_or(""))
        .with("self.kdl", "include \"self.kdl\"\n")
        .with("data.txt", "x");
    let registry = registry();
    let source = Source::new("fuzz.kdl", Some("fuzz.kdl".into()), body);
    let options = Options {
        registry: &registry,
        fs: &fs,
        project_dir: Path::new(""),
        sets: &sets,
        device: Some("auto"),
        assumed_devices: None,
    };
    match clarity_engine::analyse(&source, &options) {
        Ok(pipeline) => {
            let _ = to_dot(&pipeline);
            let _ = to_mermaid(&pipeline);
            let _ = pipeline.select(&["a".to_owned()]);
        }
        Err(diags) => {
            let _ = diags.render(Style::Plain);
        }
    }
});
