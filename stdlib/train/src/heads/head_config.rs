use std::path::Path;

use clarity_models::config::{ArchConfig, ModelConfig};
use serde::{Deserialize, Serialize};

use super::error::io;
use super::{CheckpointError, HeadKind, HeadSpec};

/// `head.json`: what the heads of a checkpoint are.
pub const HEAD_FILE: &str = "head.json";

/// The checkpoint layout this build writes and reads: 2 keeps every weight in
/// `model.safetensors` (single heads as HF's `*ForSequenceClassification`); 1 (before
/// `layout` was written) kept one-linear heads in `heads.safetensors`.
pub const CHECKPOINT_LAYOUT: u32 = 2;

/// The contents of `head.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadConfig {
    /// The checkpoint layout ([`CHECKPOINT_LAYOUT`]; absent in layout-1 files).
    #[serde(default)]
    pub layout: u32,
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

impl HeadConfig {
    /// The CLARITY heads of `head`: the 9 evasion and 3 clarity classes in their fixed order and
    /// the evasion -> clarity mapping.
    pub fn clarity(head: HeadKind, dropout: f64) -> Self {
        let names = |v: Vec<&str>| v.iter().map(|s| s.to_string()).collect();
        Self {
            layout: CHECKPOINT_LAYOUT,
            head,
            dropout,
            evasion_classes: names(super::evasion_names()),
            clarity_classes: names(super::clarity_names()),
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

    /// The class names of a single head (`None` for multitask): clarity for direct, evasion
    /// for hierarchical.
    pub fn single_head_labels(&self) -> Option<&[String]> {
        match self.head {
            HeadKind::Direct => Some(&self.clarity_classes),
            HeadKind::Hierarchical => Some(&self.evasion_classes),
            HeadKind::Multitask => None,
        }
    }

    /// `encoder`'s config as the checkpoint's `config.json`: a single head's labels as
    /// `id2label`/`label2id` and `architectures` naming HF's `*ForSequenceClassification`;
    /// for multitask no labels and the bare model class (`RobertaModel`, `DebertaV2Model`).
    pub fn model_config(&self, encoder: &ModelConfig) -> ModelConfig {
        let mut config = encoder.clone();
        let (bare, classifier) = hf_classes(&config);
        match self.single_head_labels() {
            Some(labels) => {
                config.labels.set_label_names(labels);
                config.set_architectures(&[classifier]);
            }
            None => {
                config.clear_labels();
                config.set_architectures(&[bare]);
            }
        }
        config
    }
}

/// transformers' class names of `config`'s architecture: the bare model and the sequence
/// classifier.
pub fn hf_classes(config: &ModelConfig) -> (&'static str, &'static str) {
    match config.arch {
        ArchConfig::Roberta(_) => ("RobertaModel", "RobertaForSequenceClassification"),
        ArchConfig::DebertaV2(_) => ("DebertaV2Model", "DebertaV2ForSequenceClassification"),
    }
}

/// Reads and checks `head.json` of checkpoint `dir`: present, of this layout, consistent.
pub fn read_head_config(dir: &Path) -> Result<HeadConfig, CheckpointError> {
    let path = dir.join(HEAD_FILE);
    let text = match std::fs::read_to_string(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CheckpointError::NotACheckpoint {
                dir: dir.to_path_buf(),
                file: HEAD_FILE,
            });
        }
        other => other.map_err(io("read", &path))?,
    };
    let bad = |reason: String| CheckpointError::BadHeadFile {
        path: path.clone(),
        reason,
    };
    let head: HeadConfig = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if head.layout != CHECKPOINT_LAYOUT {
        return Err(CheckpointError::OldLayout {
            path,
            found: head.layout.max(1),
            expected: CHECKPOINT_LAYOUT,
        });
    }
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
