//! Shared helpers of the integration tests: fixtures, a tiny labelled token set, models.
#![allow(dead_code)]

use std::path::PathBuf;

use burn::backend::{Autodiff, Flex};
use clarity_data::clarity::{ClarityLabel, EvasionLabel, ExampleLabels};
use clarity_data::table::{Cell, Column};
use clarity_data::tokenize::{
    AnnotatorVotes, FORMAT_VERSION, Record, TokenizedDataset, TokensMeta,
};
use clarity_models::config::ModelConfig;
use clarity_models::{Encoder, ModelOptions};
use clarity_train::heads::{
    CheckpointError, CheckpointFiles, ClarityClassifier, HeadConfig, HeadKind, HeadSpec,
    evasion_names, save_checkpoint,
};

pub type B = Autodiff<Flex>;

/// Burn's CPU random generator is process-global: tests that seed it or draw from it (model
/// initialisation, dropout) run one at a time, holding this guard.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("tests/fixtures")
    .join(name)
}

/// The CLARITY head description of `kind`.
pub fn head_config(kind: HeadKind, dropout: f64) -> HeadConfig {
    HeadConfig::clarity(kind, dropout)
}

/// The tiny RoBERTa encoder of the fixtures with fresh heads (seeded).
pub fn tiny_model(
    kind: HeadKind,
    dropout: f64,
    seed: u64,
) -> (ClarityClassifier<B>, ModelConfig, HeadConfig) {
    let device = Default::default();
    clarity_train::train::seed_backend::<B>(&device, seed);
    let (encoder, config, _) =
        Encoder::<B>::from_pretrained(&fixture("tiny_roberta"), &ModelOptions::default(), &device)
            .unwrap();
    let head = head_config(kind, dropout);
    let spec = HeadSpec {
        init_std: 0.02,
        ..head.spec()
    };
    let options = ModelOptions::default();
    let model = ClarityClassifier::new(
        encoder,
        &head.model_config(&config),
        &spec,
        &options,
        &device,
    )
    .unwrap();
    (model, config, head)
}

/// Writes `model` as a checkpoint directory (no template).
pub fn save<Bk: burn::tensor::backend::Backend>(
    model: &ClarityClassifier<Bk>,
    config: &ModelConfig,
    head: &HeadConfig,
    tokenizer_dir: Option<&std::path::Path>,
    dir: &std::path::Path,
) -> Result<(), CheckpointError> {
    let files = CheckpointFiles {
        config,
        head,
        tokenizer_dir,
        template: None,
    };
    save_checkpoint(model, &files, dir)
}

/// A deterministic stream of numbers.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// `n` examples whose evasion label shows in their ids (half of them come from a range of the
/// label's own), so a model can learn it. Every `window_every`-th example
/// gets two records (a sliding window) when given.
pub fn tokens(n: usize, seed: u64, window_every: Option<usize>) -> TokenizedDataset {
    let mut rng = Lcg(seed);
    let mut records = Vec::new();
    let mut ids_of_examples = Vec::new();
    for example in 0..n {
        let evasion = EvasionLabel::from_index(rng.next(9) as usize).unwrap();
        let other = EvasionLabel::from_index(rng.next(9) as usize).unwrap();
        // Two of three annotators agree with the label: the majority vote is the label.
        let votes = AnnotatorVotes::new([Some(evasion), Some(other), Some(evasion)]);
        let labels = ExampleLabels {
            evasion: Some(evasion),
            clarity: Some(evasion.clarity()),
            annotators: votes.set(),
        };
        let windows = if window_every.is_some_and(|k| example % k == 0) {
            2
        } else {
            1
        };
        for window in 0..windows {
            let len = 6 + rng.next(10) as usize;
            let mut ids = vec![0u32];
            for i in 0..len {
                // Even positions come from a range of 25 ids of the label's own; the rest are
                // random filler, so a bag of tokens tells the label.
                let id = if i % 2 == 0 {
                    50 + 25 * evasion.index() as u64 + rng.next(25)
                } else {
                    50 + rng.next(250)
                };
                ids.push(id as u32);
            }
            ids.push(2);
            records.push((
                Record {
                    example: example as u32,
                    type0_len: ids.len() as u32,
                    window,
                    labels,
                    votes,
                },
                ids,
            ));
        }
        ids_of_examples.push(format!("ex{example}"));
    }
    let meta = TokensMeta {
        format: "clarity-tokens".into(),
        version: FORMAT_VERSION,
        examples: n,
        records: 0,
        tokens: 0,
        example_ids: ids_of_examples,
        pad_id: 1,
        max_length: 64,
        truncation: "longest_first".into(),
        stride: window_every.map(|_| 8),
        template: "{text}".into(),
        pair_template: None,
        tokenizer: "synthetic".into(),
        source: format!("synthetic seed {seed}"),
        has_evasion: true,
        has_clarity: true,
        has_annotators: true,
        evasion_classes: evasion_names().iter().map(|s| s.to_string()).collect(),
        clarity_classes: ClarityLabel::ALL
            .iter()
            .map(|c| c.name().to_string())
            .collect(),
        truncated_examples: 0,
    };
    TokenizedDataset::new(meta, records)
}

/// A text column; an empty string is a missing (null) cell.
pub fn column(name: &str, cells: &[&str]) -> Column {
    Column {
        name: name.into(),
        cells: cells
            .iter()
            .map(|c| {
                if c.is_empty() {
                    Cell::Null
                } else {
                    Cell::Str((*c).into())
                }
            })
            .collect(),
    }
}
