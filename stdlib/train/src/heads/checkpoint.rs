//! Checkpoint directories (layout 2):
//!
//! ```text
//! config.json            the model's HF config (single heads: id2label/label2id, architectures)
//! model.safetensors      every weight, HF names: single heads exactly HF's
//!                        *ForSequenceClassification (roberta.* + classifier.*, or deberta.* +
//!                        pooler.* + classifier.*); multitask the encoder (roberta.*/deberta.*)
//!                        plus evasion_classifier.* and clarity_classifier.*
//! head.json              the head kind, class names, evasion -> clarity mapping, layout
//! clarity_template.json  how texts were made and tokenized (when known)
//! tokenizer files        copied from the source model
//! ```

use std::path::Path;

use burn::tensor::backend::Backend;
use clarity_models::config::ModelConfig;
use clarity_models::weights::{LoadPlan, find_weights, load_module, save_safetensors};
use clarity_models::{Encoder, ModelOptions, SequenceClassifier};

use super::error::io;
use super::{
    CheckpointError, ClarityClassifier, HEAD_FILE, HeadConfig, HeadKind, InputTemplate,
    MultitaskClassifier, read_head_config,
};

/// Every weight of a checkpoint, HF key names.
pub const MODEL_WEIGHTS: &str = "model.safetensors";
/// Tokenizer files copied from the source model so a checkpoint is a complete model directory.
pub const TOKENIZER_FILES: [&str; 7] = [
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "spm.model",
    "vocab.json",
    "merges.txt",
    "added_tokens.json",
];

/// What a checkpoint holds besides the weights.
#[derive(Debug, Clone, Copy)]
pub struct CheckpointFiles<'a> {
    /// The encoder's HF config (the heads' labels are added on writing).
    pub config: &'a ModelConfig,
    /// The heads.
    pub head: &'a HeadConfig,
    /// Where the tokenizer files are copied from.
    pub tokenizer_dir: Option<&'a Path>,
    /// How the training texts were made.
    pub template: Option<&'a InputTemplate>,
}

/// Writes a checkpoint directory (see the module docs).
pub fn save_checkpoint<B: Backend>(
    model: &ClarityClassifier<B>,
    files: &CheckpointFiles<'_>,
    dir: &Path,
) -> Result<(), CheckpointError> {
    std::fs::create_dir_all(dir).map_err(io("write", dir))?;
    let config = files.head.model_config(files.config);
    let config_path = dir.join("config.json");
    std::fs::write(&config_path, config.to_json_string()).map_err(io("write", &config_path))?;
    let weights = dir.join(MODEL_WEIGHTS);
    match model {
        ClarityClassifier::Direct(m) | ClarityClassifier::Hierarchical(m) => {
            save_safetensors(m, &weights, &|k| k.to_string())?
        }
        ClarityClassifier::Multitask(m) => {
            let prefix = m.encoder.base_model_prefix();
            let rename = |k: &str| match k.strip_prefix("encoder.") {
                Some(rest) => format!("{prefix}.{rest}"),
                None => k.to_string(),
            };
            save_safetensors(m, &weights, &rename)?
        }
    }
    let head_path = dir.join(HEAD_FILE);
    let head_json = serde_json::to_string_pretty(files.head).expect("plain data serialises");
    std::fs::write(&head_path, head_json).map_err(io("write", &head_path))?;
    if let Some(template) = files.template {
        template.write(dir)?;
    }
    if let Some(source) = files.tokenizer_dir {
        copy_tokenizer_files(source, dir)?;
    }
    Ok(())
}

/// A loaded checkpoint.
#[derive(Debug)]
pub struct Checkpoint<B: Backend> {
    /// The model.
    pub model: ClarityClassifier<B>,
    /// The model's `config.json`.
    pub model_config: ModelConfig,
    /// `head.json`.
    pub head: HeadConfig,
}

/// Reads a directory written by [`save_checkpoint`] (or `clarity export`).
pub fn load_checkpoint<B: Backend>(
    dir: &Path,
    options: &ModelOptions,
    device: &B::Device,
) -> Result<Checkpoint<B>, CheckpointError> {
    let head = read_head_config(dir)?;
    let model_config = ModelConfig::from_dir(dir).map_err(clarity_models::ModelError::from)?;
    check_labels(dir, &head, &model_config)?;
    let (path, format) = find_weights(dir)?;
    let mut plan = LoadPlan::new(options.dtype(), model_config.base_model_prefix());
    let model = match head.head {
        HeadKind::Direct | HeadKind::Hierarchical => {
            let model = SequenceClassifier::<B>::init(&model_config, options, device);
            let (model, _) = load_module(model, &path, format, &plan)?;
            match head.head {
                HeadKind::Direct => ClarityClassifier::Direct(model),
                _ => ClarityClassifier::Hierarchical(model),
            }
        }
        HeadKind::Multitask => {
            let encoder = Encoder::<B>::init(&model_config, options, device);
            let model = MultitaskClassifier::new(encoder, &head.spec(), options, device);
            plan.prefix_renames = &[("roberta.", "encoder."), ("deberta.", "encoder.")];
            let (model, _) = load_module(model, &path, format, &plan)?;
            ClarityClassifier::Multitask(model)
        }
    };
    Ok(Checkpoint {
        model,
        model_config,
        head,
    })
}

/// A single head's `config.json` has as many labels as `head.json` has classes.
pub(crate) fn check_labels(
    dir: &Path,
    head: &HeadConfig,
    config: &ModelConfig,
) -> Result<(), CheckpointError> {
    let Some(labels) = head.single_head_labels() else {
        return Ok(());
    };
    if config.num_labels() == labels.len() {
        return Ok(());
    }
    Err(CheckpointError::BadHeadFile {
        path: dir.join(HEAD_FILE),
        reason: format!(
            "a {} head has {} classes but config.json has {} labels",
            head.head,
            labels.len(),
            config.num_labels()
        ),
    })
}

/// Copies the tokenizer files `source` has into `dir`.
pub fn copy_tokenizer_files(source: &Path, dir: &Path) -> Result<(), CheckpointError> {
    for name in TOKENIZER_FILES {
        let from = source.join(name);
        if from.is_file() {
            std::fs::copy(&from, dir.join(name)).map_err(io("copy", &from))?;
        }
    }
    Ok(())
}
