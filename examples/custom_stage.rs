//! A user-defined stage registered into your own `clarity`-like binary.
//!
//! ```sh
//! cargo run --example custom_stage -- run            # runs the pipeline below
//! cargo run --example custom_stage -- stages shout   # shows the new kind's schema
//! ```

use std::process::ExitCode;

use clarity_engine::cli::{self, EmbeddedPipeline};
use clarity_engine::{
    ArtifactKind, OutputSpec, ParamSpec, ParamType, Stage, StageContext, StageSchema, Value,
};
use miette::IntoDiagnostic;

/// `shout`: writes its `text` upper-cased, `times` times, into `out/shout.txt`.
struct Shout {
    schema: StageSchema,
}

impl Shout {
    fn new() -> Self {
        let schema = StageSchema {
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
        };
        Self { schema }
    }
}

impl Stage for Shout {
    fn schema(&self) -> &StageSchema {
        &self.schema
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        let text = ctx.params().get_str("text")?.to_uppercase();
        let times = usize::try_from(ctx.params().get_i64("times")?).into_diagnostic()?;
        let line = format!("{text}\n").repeat(times);
        std::fs::write(ctx.output_dir("out")?.join("shout.txt"), line).into_diagnostic()?;
        ctx.record_metric("characters", (text.len() * times) as f64);
        Ok(())
    }
}

const PIPELINE: EmbeddedPipeline = EmbeddedPipeline {
    name: "shout.kdl",
    text: r#"
pipeline "shout" {
    stage "loud" shout text="hello" times=2
    stage "copy" exec {
        command "sh" "-c" "cp \"$CLARITY_IN_0/shout.txt\" \"$CLARITY_OUT_OUT/\""
        inputs "loud"
    }
}
"#,
};

fn main() -> ExitCode {
    let mut registry = clarity_stdlib::registry();
    registry.register(Shout::new());
    cli::main(registry, &PIPELINE)
}
