use std::path::{Path, PathBuf};

use burn::module::Param;
use burn::nn::Linear;
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use clarity_models::config::ModelConfig;
use clarity_models::{Encoder, ModelError, ModelOptions};
use miette::Diagnostic;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{ClarityClassifier, HeadKind, HeadSpec};
use crate::optim::to_f32;
use crate::tensor_file::{NamedTensor, TensorFile, TensorFileError, damaged};

/// `head.json`: what the heads of a checkpoint are.
pub const HEAD_FILE: &str = "head.json";
/// The heads' weights (PyTorch layout: `weight` is `[out, in]`).
pub const HEADS_WEIGHTS: &str = "heads.safetensors";
/// The encoder's weights, HF keys (`roberta.*` / `deberta.*`).
pub const ENCODER_WEIGHTS: &str = "model.safetensors";
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

/// The contents of `head.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadConfig {
    /// Which heads.
    pub head: HeadKind,
    /// Dropout before the heads.
    pub dropout: f64,
    /// Evasion class names, in class-index order.
    pub evasion_classes: Vec<String>,
    /// Clarity class names, in class-index order.
    pub clarity_classes: Vec<String>,
    /// `evasion_to_clarity[e]` = clarity class of evasion class `e`.
    pub evasion_to_clarity: Vec<usize>,
}

/// A checkpoint directory could not be written or read.
#[derive(Debug, Error, Diagnostic)]
pub enum CheckpointError {
    /// The encoder could not be saved or loaded.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Model(#[from] ModelError),
    /// The heads' weights are unusable.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Tensors(#[from] TensorFileError),
    /// A file of the checkpoint could not be read or written.
    #[error("cannot {action} {path}")]
    #[diagnostic(code(clarity::train::checkpoint_io))]
    Io {
        /// "read", "write" or "copy".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `head.json` is not valid.
    #[error("{path} is not a valid head description: {reason}")]
    #[diagnostic(
        code(clarity::train::bad_head_file),
        help(
            "a checkpoint directory holds head.json, heads.safetensors, config.json and model.safetensors as the train stage writes them"
        )
    )]
    BadHeadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl HeadConfig {
    /// The CLARITY heads of `head`: the 9 evasion and 3 clarity classes in their fixed order and
    /// the evasion -> clarity mapping.
    pub fn clarity(head: HeadKind, dropout: f64) -> Self {
        Self {
            head,
            dropout,
            evasion_classes: super::evasion_names()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            clarity_classes: super::clarity_names()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            evasion_to_clarity: super::evasion_to_clarity(),
        }
    }

    /// The spec that rebuilds these heads (initialisation is irrelevant: weights are loaded).
    pub fn spec(&self) -> HeadSpec {
        HeadSpec {
            kind: self.head,
            dropout: self.dropout,
            init_std: 0.02,
            evasion_classes: self.evasion_classes.len(),
            clarity_classes: self.clarity_classes.len(),
        }
    }
}

/// Writes a checkpoint directory: `config.json` and `model.safetensors` (the encoder, loadable
/// by transformers' `AutoModel`), `heads.safetensors`, `head.json`, and the tokenizer files
/// found in `tokenizer_dir`.
pub fn save_checkpoint<B: Backend>(
    model: &ClarityClassifier<B>,
    model_config: &ModelConfig,
    head: &HeadConfig,
    tokenizer_dir: Option<&Path>,
    dir: &Path,
) -> Result<(), CheckpointError> {
    std::fs::create_dir_all(dir).map_err(|source| CheckpointError::Io {
        action: "write",
        path: dir.to_path_buf(),
        source,
    })?;
    let config_path = dir.join("config.json");
    write(&config_path, model_config.to_json_string())?;
    model
        .encoder
        .save_safetensors(&dir.join(ENCODER_WEIGHTS))
        .map_err(ModelError::from)?;
    let mut heads = TensorFile::default();
    for (name, linear) in named_heads(model) {
        let weight = linear.weight.val();
        let [d_in, d_out] = weight.dims();
        heads.tensors.insert(
            format!("{name}.weight"),
            NamedTensor {
                shape: vec![d_out, d_in],
                values: to_f32(&weight.transpose()),
            },
        );
        if let Some(bias) = &linear.bias {
            heads.tensors.insert(
                format!("{name}.bias"),
                NamedTensor {
                    shape: vec![d_out],
                    values: to_f32(&bias.val()),
                },
            );
        }
    }
    heads.write(&dir.join(HEADS_WEIGHTS))?;
    let head_json = serde_json::to_string_pretty(head).expect("plain data serialises");
    write(&dir.join(HEAD_FILE), head_json)?;
    if let Some(source) = tokenizer_dir {
        copy_tokenizer_files(source, dir)?;
    }
    Ok(())
}

/// A loaded checkpoint.
#[derive(Debug)]
pub struct Checkpoint<B: Backend> {
    /// The model.
    pub model: ClarityClassifier<B>,
    /// The encoder's `config.json`.
    pub model_config: ModelConfig,
    /// `head.json`.
    pub head: HeadConfig,
}

/// Reads a directory written by [`save_checkpoint`].
pub fn load_checkpoint<B: Backend>(
    dir: &Path,
    options: &ModelOptions,
    device: &B::Device,
) -> Result<Checkpoint<B>, CheckpointError> {
    let head = read_head_config(dir)?;
    let (encoder, model_config, _) = Encoder::<B>::from_pretrained(dir, options, device)?;
    let mut model = ClarityClassifier::new(encoder, &head.spec(), device);
    let heads_path = dir.join(HEADS_WEIGHTS);
    let mut file = TensorFile::read(&heads_path)?;
    let hidden = model.encoder.hidden_size();
    if let Some(linear) = model.evasion_classifier.take() {
        model.evasion_classifier = Some(load_linear(
            linear,
            "evasion_classifier",
            hidden,
            &mut file,
            &heads_path,
            device,
        )?);
    }
    if let Some(linear) = model.clarity_classifier.take() {
        model.clarity_classifier = Some(load_linear(
            linear,
            "clarity_classifier",
            hidden,
            &mut file,
            &heads_path,
            device,
        )?);
    }
    Ok(Checkpoint {
        model,
        model_config,
        head,
    })
}

/// Reads and checks `head.json`.
pub fn read_head_config(dir: &Path) -> Result<HeadConfig, CheckpointError> {
    let path = dir.join(HEAD_FILE);
    let text = std::fs::read_to_string(&path).map_err(|source| CheckpointError::Io {
        action: "read",
        path: path.clone(),
        source,
    })?;
    let bad = |reason: String| CheckpointError::BadHeadFile {
        path: path.clone(),
        reason,
    };
    let head: HeadConfig = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if head.evasion_to_clarity.len() != head.evasion_classes.len() {
        return Err(bad(format!(
            "{} evasion classes but {} mapping entries",
            head.evasion_classes.len(),
            head.evasion_to_clarity.len()
        )));
    }
    if let Some(&c) = head
        .evasion_to_clarity
        .iter()
        .find(|&&c| c >= head.clarity_classes.len())
    {
        return Err(bad(format!(
            "mapping names clarity class {c}, which does not exist"
        )));
    }
    Ok(head)
}

fn named_heads<B: Backend>(model: &ClarityClassifier<B>) -> Vec<(&'static str, &Linear<B>)> {
    let mut heads = Vec::new();
    if let Some(l) = &model.evasion_classifier {
        heads.push(("evasion_classifier", l));
    }
    if let Some(l) = &model.clarity_classifier {
        heads.push(("clarity_classifier", l));
    }
    heads
}

fn load_linear<B: Backend>(
    mut linear: Linear<B>,
    name: &str,
    hidden: usize,
    file: &mut TensorFile,
    path: &Path,
    device: &B::Device,
) -> Result<Linear<B>, CheckpointError> {
    let weight = file.take(&format!("{name}.weight"), path)?;
    let [d_out, d_in] = weight.shape[..] else {
        return Err(damaged(path, format!("`{name}.weight` is not a matrix")).into());
    };
    let expected_out = linear.weight.val().dims()[1];
    if d_in != hidden || d_out != expected_out {
        return Err(damaged(
            path,
            format!(
                "`{name}.weight` is [{d_out}, {d_in}], the model needs [{expected_out}, {hidden}]"
            ),
        )
        .into());
    }
    let mut burn_layout = vec![0f32; d_in * d_out];
    for (o, row) in weight.values.chunks_exact(d_in).enumerate() {
        for (i, &v) in row.iter().enumerate() {
            burn_layout[i * d_out + o] = v;
        }
    }
    let w = Tensor::<B, 2>::from_data(TensorData::new(burn_layout, [d_in, d_out]), device);
    linear.weight = Param::from_tensor(w);
    let bias = file.take(&format!("{name}.bias"), path)?;
    if bias.shape != [d_out] {
        return Err(damaged(path, format!("`{name}.bias` has shape {:?}", bias.shape)).into());
    }
    linear.bias = Some(Param::from_tensor(Tensor::from_data(
        TensorData::new(bias.values, [d_out]),
        device,
    )));
    Ok(linear)
}

fn write(path: &Path, text: String) -> Result<(), CheckpointError> {
    std::fs::write(path, text).map_err(|source| CheckpointError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    })
}

fn copy_tokenizer_files(source: &Path, dir: &Path) -> Result<(), CheckpointError> {
    for name in TOKENIZER_FILES {
        let from = source.join(name);
        if from.is_file() {
            std::fs::copy(&from, dir.join(name)).map_err(|source| CheckpointError::Io {
                action: "copy",
                path: from.clone(),
                source,
            })?;
        }
    }
    Ok(())
}
