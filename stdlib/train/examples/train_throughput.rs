//! Training throughput of this crate's loop (forward, backward, clipping, AdamW) on a randomly
//! initialised encoder of a given size over random token ids, on the CPU backend.
//!
//! ```sh
//! cargo run --release -p clarity-train --example train_throughput -- deberta-v3-base 8 128 6
//! ```
//! Arguments: model config (a built-in name of `clarity bench` or a model directory), batch
//! size, sequence length, optimiser steps. Prints one JSON line.

use burn::backend::{Autodiff, Flex};
use clarity_data::clarity::{ClarityLabel, EvasionLabel, ExampleLabels};
use clarity_data::tokenize::{Record, TokenizedDataset, TokensMeta};
use clarity_models::commands::bench_config;
use clarity_models::{Encoder, ModelOptions};
use clarity_train::heads::{ClarityClassifier, HeadConfig, HeadKind};
use clarity_train::train::{ModelSource, NullObserver, TrainConfig, TrainData, TrainPaths, train};

type B = Autodiff<Flex>;

fn main() -> miette::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.to_string());
    let name = arg(0, "deberta-v3-base");
    let parse = |i: usize, default: &str| -> miette::Result<usize> {
        arg(i, default)
            .parse()
            .map_err(|e| miette::miette!("argument {}: {e}", i + 1))
    };
    let (batch, seq, steps) = (parse(1, "8")?, parse(2, "128")?, parse(3, "6")?);
    let config = bench_config(&name)?;
    let device = Default::default();
    let model = Encoder::<B>::init(&config, &ModelOptions::default(), &device);
    let head = HeadConfig::clarity(HeadKind::Hierarchical, 0.1);
    let model = ClarityClassifier::new(
        model,
        &head.model_config(&config),
        &head.spec(),
        &ModelOptions::default(),
        &device,
    )?;
    let data = random_tokens(batch * steps, seq, config.vocab_size() as u64);
    let dir = tempfile::tempdir().map_err(|e| miette::miette!("{e}"))?;
    let paths = TrainPaths {
        best: dir.path().join("best"),
        last: Some(dir.path().join("last")),
        reports: dir.path().join("reports"),
        resume: None,
    };
    let train_config = TrainConfig {
        epochs: 1,
        batch_size: batch,
        early_stopping: None,
        ..TrainConfig::default()
    };
    let source = ModelSource {
        config: &config,
        head: &head,
        options: ModelOptions::default(),
        tokenizer_dir: None,
        template: None,
    };
    let data = TrainData {
        train: &data,
        validation: None,
    };
    let summary = train(
        model,
        &source,
        data,
        &train_config,
        &paths,
        &mut NullObserver,
        &device,
    )?;
    println!(
        "{}",
        serde_json::json!({
            "model": name,
            "batch": batch,
            "seq_len": seq,
            "steps": summary.steps,
            "samples_per_s": summary.samples_per_second,
            "device": "cpu:flex",
            "precision": "f32",
        })
    );
    Ok(())
}

fn random_tokens(records: usize, seq: usize, vocab: u64) -> TokenizedDataset {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |below: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % below
    };
    let rows = (0..records)
        .map(|example| {
            let evasion = EvasionLabel::from_index(next(9) as usize).expect("below 9");
            let labels = ExampleLabels {
                evasion: Some(evasion),
                clarity: Some(evasion.clarity()),
                annotators: Default::default(),
            };
            let ids = (0..seq)
                .map(|_| 5 + next(vocab - 5) as u32)
                .collect::<Vec<_>>();
            let record = Record {
                example: example as u32,
                type0_len: seq as u32,
                window: 0,
                labels,
                votes: Default::default(),
            };
            (record, ids)
        })
        .collect();
    let meta = TokensMeta {
        format: "clarity-tokens".into(),
        version: clarity_data::tokenize::FORMAT_VERSION,
        examples: records,
        records: 0,
        tokens: 0,
        example_ids: (0..records).map(|i| i.to_string()).collect(),
        pad_id: 0,
        max_length: seq,
        truncation: "longest_first".into(),
        stride: None,
        template: "random".into(),
        pair_template: None,
        tokenizer: "random".into(),
        source: "random".into(),
        has_evasion: true,
        has_clarity: true,
        has_annotators: false,
        evasion_classes: EvasionLabel::class_names(),
        clarity_classes: ClarityLabel::class_names(),
        truncated_examples: 0,
    };
    TokenizedDataset::new(meta, rows)
}
