//! `shout`: a stage kind with params and a files output.

use clarity_engine::{
    ArtifactKind, OutputSpec, ParamSpec, ParamType, Stage, StageContext, StageSchema, Value,
};
use miette::IntoDiagnostic;

/// `shout`: writes its `text` upper-cased, `times` times, into `out/shout.txt`.
#[derive(Default)]
pub struct Shout;

impl Stage for Shout {
    fn schema(&self) -> StageSchema {
        StageSchema {
            kind: "shout",
            version: 1,
            summary: "Write a text in capitals",
            params: vec![
                ParamSpec::required("text", ParamType::String, "what to shout"),
                ParamSpec::with_default(
                    "times",
                    ParamType::Int {
                        min: Some(1),
                        max: Some(100),
                    },
                    Value::Int(1),
                    "how many times",
                ),
            ],
            outputs: vec![OutputSpec::new("out", ArtifactKind::FILES, "shout.txt")],
            rules: Vec::new(),
            uses_device: false,
        }
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        let text = ctx.params().get_str("text")?.to_uppercase();
        let times = ctx.params().get_usize("times")?;
        let out = ctx.output_dir("out")?.join("shout.txt");
        std::fs::write(out, format!("{text}\n").repeat(times)).into_diagnostic()?;
        ctx.record_metric("characters", (text.len() * times) as f64);
        Ok(())
    }
}
