use std::path::Path;

use burn::module::Module;
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};

use crate::config::{ArchConfig, ModelConfig};
use crate::deberta_v2::DebertaV2ForSequenceClassification;
use crate::encoder::{Encoder, load_pretrained, to_precision};
use crate::roberta::RobertaForSequenceClassification;
use crate::weights::{
    LoadPlan, LoadReport, WeightsError, WeightsFormat, load_module, save_safetensors,
};
use crate::{ModelError, ModelOptions};

/// Logits and the encoder output of a forward pass.
#[derive(Debug, Clone)]
pub struct ClassifierOutput<B: Backend> {
    /// `[batch, num_labels]`.
    pub logits: Tensor<B, 2>,
    /// `[batch, seq, hidden]`.
    pub last_hidden_state: Tensor<B, 3>,
}

/// An HF `*ForSequenceClassification` model chosen by `model_type`.
// One model lives per run; boxing a variant would only add an indirection to every call.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum SequenceClassifier<B: Backend> {
    /// `RobertaForSequenceClassification`.
    Roberta(RobertaForSequenceClassification<B>),
    /// `DebertaV2ForSequenceClassification`.
    DebertaV2(DebertaV2ForSequenceClassification<B>),
}

impl<B: Backend> SequenceClassifier<B> {
    /// A randomly initialised model shaped by `config` (`config.num_labels()` classes).
    pub fn init(config: &ModelConfig, options: &ModelOptions, device: &B::Device) -> Self {
        let n = config.num_labels();
        let model = match &config.arch {
            ArchConfig::Roberta(c) => SequenceClassifier::Roberta(
                RobertaForSequenceClassification::init(c, n, options.attention, device),
            ),
            ArchConfig::DebertaV2(c) => SequenceClassifier::DebertaV2(
                DebertaV2ForSequenceClassification::init(c, n, options.attention, device),
            ),
        };
        to_precision(model, options, device)
    }

    /// `encoder` (pre-trained) with HF's classification head for its architecture, freshly
    /// initialised as HF's `_init_weights` does (`N(0, initializer_range)`, zero bias), for
    /// `config.num_labels()` classes; the head's dropout is `config`'s.
    pub fn with_fresh_head(
        encoder: Encoder<B>,
        config: &ModelConfig,
        options: &ModelOptions,
        device: &B::Device,
    ) -> Result<Self, ModelError> {
        let n = config.num_labels();
        let model = match (encoder, &config.arch) {
            (Encoder::Roberta(roberta), ArchConfig::Roberta(c)) => SequenceClassifier::Roberta(
                RobertaForSequenceClassification::with_fresh_head(roberta, c, n, device),
            ),
            (Encoder::DebertaV2(deberta), ArchConfig::DebertaV2(c)) => {
                SequenceClassifier::DebertaV2(DebertaV2ForSequenceClassification::with_fresh_head(
                    deberta, c, n, device,
                ))
            }
            (encoder, _) => {
                return Err(ModelError::ArchMismatch {
                    encoder: encoder.base_model_prefix(),
                    config: config.model_type(),
                });
            }
        };
        Ok(to_precision(model, options, device))
    }

    /// The model of an HF directory: `config.json` and `model.safetensors` or
    /// `pytorch_model.bin`. A head absent from the weights (a pre-trained encoder) is
    /// freshly initialised and listed in the report.
    pub fn from_pretrained(
        dir: &Path,
        options: &ModelOptions,
        device: &B::Device,
    ) -> Result<(Self, ModelConfig, LoadReport), ModelError> {
        load_pretrained(
            dir,
            |config| Self::init(config, options, device),
            |model, config, path, format| model.load_weights(config, path, format, options),
        )
    }

    /// Loads a weight file; only the head (`classifier.`, DeBERTa's `pooler.`) may be absent.
    pub fn load_weights(
        self,
        config: &ModelConfig,
        path: &Path,
        format: WeightsFormat,
        options: &ModelOptions,
    ) -> Result<(Self, LoadReport), WeightsError> {
        let plan = |optional: &'static [&'static str]| LoadPlan {
            optional_prefixes: optional,
            ..LoadPlan::new(options.dtype(), config.base_model_prefix())
        };
        match self {
            SequenceClassifier::Roberta(m) => load_module(m, path, format, &plan(&["classifier."]))
                .map(|(m, r)| (SequenceClassifier::Roberta(m), r)),
            SequenceClassifier::DebertaV2(m) => {
                load_module(m, path, format, &plan(&["classifier.", "pooler."]))
                    .map(|(m, r)| (SequenceClassifier::DebertaV2(m), r))
            }
        }
    }

    /// Writes an HF-compatible model directory: `config.json` and `model.safetensors`
    /// (HF key names), which [`SequenceClassifier::from_pretrained`] and transformers load.
    pub fn save_pretrained(&self, config: &ModelConfig, dir: &Path) -> Result<(), ModelError> {
        std::fs::create_dir_all(dir).map_err(|source| ModelError::Save {
            path: dir.to_path_buf(),
            source,
        })?;
        let identity = |k: &str| k.to_string();
        let weights = dir.join("model.safetensors");
        match self {
            SequenceClassifier::Roberta(m) => save_safetensors(m, &weights, &identity)?,
            SequenceClassifier::DebertaV2(m) => save_safetensors(m, &weights, &identity)?,
        }
        let config_path = dir.join("config.json");
        std::fs::write(&config_path, config.to_json_string()).map_err(|source| ModelError::Save {
            path: config_path,
            source,
        })
    }

    /// `input_ids`, `attention_mask` `[batch, seq]` to logits and `last_hidden_state`.
    pub fn forward(
        &self,
        input_ids: Tensor<B, 2, Int>,
        attention_mask: Tensor<B, 2, Int>,
    ) -> ClassifierOutput<B> {
        let (logits, last_hidden_state) = match self {
            SequenceClassifier::Roberta(m) => m.forward(input_ids, attention_mask),
            SequenceClassifier::DebertaV2(m) => m.forward(input_ids, attention_mask),
        };
        ClassifierOutput {
            logits,
            last_hidden_state,
        }
    }
}
