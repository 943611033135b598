//! `clarity bench` without the rest of the binary, for quick release builds:
//! `cargo run --release -p clarity-models --features flex,candle --example bench -- --model-config deberta-v3-base --mode train`.

use clap::Parser;
use clarity_models::commands::{BenchArgs, BenchMode, bench};
use clarity_models::{Attention, ModelOptions, Precision};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value = "deberta-v3-base")]
    model_config: String,
    #[arg(long, default_value_t = 8)]
    batch: usize,
    #[arg(long, default_value_t = 128)]
    seq_len: usize,
    #[arg(long, default_value_t = 3)]
    steps: usize,
    #[arg(long, default_value = "train")]
    mode: BenchMode,
    #[arg(long, default_value = "cpu")]
    device: String,
    #[arg(long, default_value = "f32")]
    precision: Precision,
    #[arg(long, default_value = "auto")]
    attention: Attention,
}

fn main() -> miette::Result<()> {
    let args = Args::parse();
    let report = bench(&BenchArgs {
        model_config: args.model_config,
        batch: args.batch,
        seq_len: args.seq_len,
        steps: args.steps,
        mode: args.mode,
        device: args.device,
        options: ModelOptions::default()
            .with_attention(args.attention)
            .with_precision(args.precision),
        memory_every: 0,
    })?;
    println!(
        "{}",
        serde_json::to_string(&report).expect("the report serialises")
    );
    Ok(())
}
