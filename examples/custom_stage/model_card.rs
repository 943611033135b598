//! `model-card`: a stage kind that reads a model, so the device policies place it.

use clarity_engine::{
    ArtifactKind, OutputSpec, ParamSpec, ParamType, Stage, StageContext, StageSchema,
};
use miette::{Context, IntoDiagnostic};

/// `model-card`: writes `card/card.md` describing the model in `weights` and the device
/// the policies chose for it.
#[derive(Default)]
pub struct ModelCard;

impl Stage for ModelCard {
    fn schema(&self) -> StageSchema {
        StageSchema {
            kind: "model-card",
            version: 1,
            summary: "Describe a model and where it would run",
            params: vec![ParamSpec::required(
                "weights",
                ParamType::input(ArtifactKind::MODEL),
                "the model, e.g. \"weights\"",
            )],
            outputs: vec![OutputSpec::new("card", ArtifactKind::FILES, "card.md")],
            rules: Vec::new(),
            uses_device: true,
        }
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        let path = ctx.input("weights")?.join("config.json");
        let text = std::fs::read_to_string(&path)
            .into_diagnostic()
            .wrap_err_with(|| format!("reading {}", path.display()))?;
        let config: serde_json::Value = serde_json::from_str(&text).into_diagnostic()?;
        let field = |name: &str| match config.get(name) {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(value) => value.to_string(),
            None => "?".to_string(),
        };
        let card = format!(
            "# Model card\n\n- type: {}\n- layers: {}\n- hidden size: {}\n- placed on: {}\n",
            field("model_type"),
            field("num_hidden_layers"),
            field("hidden_size"),
            ctx.placement().device,
        );
        std::fs::write(ctx.output_dir("card")?.join("card.md"), card).into_diagnostic()?;
        Ok(())
    }
}
