//! What the pipeline targets share: fake stage kinds covering every param type.

use clarity_engine::{
    ArtifactKind, Bound, OutputSpec, ParamSpec, ParamType, Registry, Stage, StageContext,
    StageSchema, Value,
};

pub struct Fake(pub StageSchema);

impl Stage for Fake {
    fn schema(&self) -> StageSchema {
        self.0.clone()
    }

    fn run(&self, _: &mut StageContext<'_>) -> miette::Result<()> {
        Ok(())
    }
}

/// `produce` and `concat`, and `std/policies` as a one-policy library (no placer).
pub fn registry() -> Registry {
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
