//! User-defined stage kinds registered into your own `clarity`-like binary.
//!
//! ```sh
//! cargo run --example custom_stage -- run             # runs the pipeline below
//! cargo run --example custom_stage -- plan            # shows where model-card runs, and why
//! cargo run --example custom_stage -- stages shout    # shows the new kind's schema
//! ```

mod model_card;
mod shout;

use std::process::ExitCode;

use clarity_engine::cli::{self, EmbeddedPipeline};

use model_card::ModelCard;
use shout::Shout;

const PIPELINE: EmbeddedPipeline = EmbeddedPipeline {
    name: "custom.kdl",
    text: r#"
pipeline "custom" {
    stage "loud" shout text="hello" times=2
    stage "copy" exec {
        command "sh" "-c" "cp \"$CLARITY_IN_0/shout.txt\" \"$CLARITY_OUT_OUT/\""
        inputs "loud"
    }
    stage "data" synthetic-dataset train-rows=40 test-rows=10
    stage "weights" build-model preset="tiny-roberta" {
        vocab-from "data.train"
    }
    stage "card" model-card weights="weights"
}
"#,
};

fn main() -> ExitCode {
    let mut registry = clarity_stdlib::registry();
    registry.register(Shout).register(ModelCard);
    cli::main(registry, &PIPELINE)
}
