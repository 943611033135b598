use std::path::Path;

use burn::tensor::backend::AutodiffBackend;
use clarity_data::tokenize::TokenizedDataset;
use clarity_models::config::{ArchConfig, ModelConfig};
use clarity_models::device::BackendTask;
use clarity_models::weights::find_weights;
use clarity_models::{Attention, Encoder, ModelOptions, Precision};

use super::{JobError, check_tokens};
use crate::heads::{ClarityClassifier, HeadConfig, HeadKind, InputTemplate};
use crate::train::{
    ModelSource, TrainConfig, TrainData, TrainObserver, TrainPaths, TrainSummary, seed_backend,
    train,
};

/// Fine-tunes a pre-trained HF model directory with CLARITY heads: the `train` stage's work,
/// runnable on any backend through [`clarity_models::device::Device::run`].
pub struct TrainJob<'a> {
    /// The pre-trained model (`config.json`, weights, tokenizer files).
    pub model_dir: &'a Path,
    /// What warnings call the model (e.g. "the model of stage `weights`").
    pub model_name: &'a str,
    /// Training records.
    pub train: &'a TokenizedDataset,
    /// Validation records.
    pub validation: Option<&'a TokenizedDataset>,
    /// Which heads.
    pub head: HeadKind,
    /// Dropout of the encoder (hidden and attention) and before the heads.
    pub dropout: f64,
    /// Attention path.
    pub attention: Attention,
    /// The run's settings (precision included).
    pub config: TrainConfig,
    /// Where it writes.
    pub paths: TrainPaths,
    /// Progress and cancellation.
    pub observer: &'a mut dyn TrainObserver,
}

impl TrainJob<'_> {
    /// Dropout where none is given: HF's `hidden_dropout_prob` of BERT-family configs.
    pub const DROPOUT: f64 = 0.1;
}

/// What a training job gives back.
#[derive(Debug)]
pub struct TrainOutcome {
    /// How training went.
    pub summary: TrainSummary,
    /// Notes from loading the pre-trained weights (unused or freshly initialised tensors).
    pub load_warnings: Vec<String>,
}

impl BackendTask for TrainJob<'_> {
    type Output = Result<TrainOutcome, JobError>;

    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let mut config =
            ModelConfig::from_dir(self.model_dir).map_err(clarity_models::ModelError::from)?;
        config.set_dropout(self.dropout);
        check_tokens(&config, self.train, "training records")?;
        if let Some(validation) = self.validation {
            check_tokens(&config, validation, "validation records")?;
        }
        let options = ModelOptions {
            attention: self.attention,
            precision: Precision::F32,
        };
        seed_backend::<B>(&device, self.config.seed);
        let (path, format) = find_weights(self.model_dir)?;
        let (encoder, report) = Encoder::<B>::init(&config, &options, &device)
            .load_weights(&config, &path, format, &options)?;
        let head = HeadConfig::clarity(self.head, self.dropout);
        let spec = crate::heads::HeadSpec {
            init_std: initializer_range(&config),
            ..head.spec()
        };
        let model = ClarityClassifier::new(
            encoder,
            &head.model_config(&config),
            &spec,
            &options,
            &device,
        )?;
        let template = InputTemplate::of(self.train.meta());
        let source = ModelSource {
            config: &config,
            head: &head,
            options,
            tokenizer_dir: Some(self.model_dir),
            template: Some(&template),
        };
        let data = TrainData {
            train: self.train,
            validation: self.validation,
        };
        let summary = train(
            model,
            &source,
            data,
            &self.config,
            &self.paths,
            self.observer,
            &device,
        )?;
        Ok(TrainOutcome {
            summary,
            load_warnings: report.warnings_for(self.model_name),
        })
    }
}

/// HF's `initializer_range` (the std of fresh head weights).
pub fn initializer_range(config: &ModelConfig) -> f64 {
    match &config.arch {
        ArchConfig::Roberta(c) => c.initializer_range,
        ArchConfig::DebertaV2(c) => c.initializer_range,
    }
}
