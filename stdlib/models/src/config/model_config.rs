use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::limits::{SIZE_LIMITS, SizeViolation, check_raw_sizes, check_total};
use super::source_text::SourceText;
use super::{ConfigError, DebertaV2Config, LabelConfig, RobertaConfig};

/// The most bytes a `config.json` may have (real ones have a few KiB; a big `id2label` a
/// few hundred).
pub const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// The architecture-specific part of a config, chosen by `model_type`.
#[derive(Debug, Clone, PartialEq)]
pub enum ArchConfig {
    /// `model_type: "roberta"`.
    Roberta(RobertaConfig),
    /// `model_type: "deberta-v2"` (DeBERTa-v2 and DeBERTa-v3).
    DebertaV2(DebertaV2Config),
}

/// A model's HF `config.json`: the architecture, the labels, and every field verbatim.
///
/// Two configs are equal when their architecture and labels are (fields this crate does
/// not read do not count).
#[derive(Debug, Clone)]
pub struct ModelConfig {
    /// The architecture and its hyper-parameters.
    pub arch: ArchConfig,
    /// The classification labels.
    pub labels: LabelConfig,
    raw: serde_json::Map<String, serde_json::Value>,
}

impl PartialEq for ModelConfig {
    fn eq(&self, other: &Self) -> bool {
        self.arch == other.arch && self.labels == other.labels
    }
}

#[derive(Deserialize)]
struct ModelTypeOnly {
    model_type: Option<String>,
}

impl ModelConfig {
    /// The `model_type` values this crate implements.
    pub const SUPPORTED_MODEL_TYPES: [&'static str; 2] = ["roberta", "deberta-v2"];

    /// Parses `config.json` text; `name` names the source in diagnostics.
    pub fn from_json(text: &str, name: &str) -> Result<Self, ConfigError> {
        let src = SourceText::new(name, text);
        let raw: serde_json::Map<String, serde_json::Value> = parse(&src)?;
        check_raw_sizes(&raw).map_err(|v| too_large(&src, v))?;
        let head: ModelTypeOnly = parse(&src)?;
        let Some(model_type) = head.model_type else {
            return Err(ConfigError::MissingModelType {
                src: src.named(),
                span: src.whole(),
            });
        };
        let arch = match model_type.as_str() {
            "roberta" => ArchConfig::Roberta(parse(&src)?),
            "deberta-v2" => ArchConfig::DebertaV2(parse(&src)?),
            _ => {
                return Err(ConfigError::UnsupportedArchitecture {
                    model_type,
                    src: src.named(),
                    span: src.field_span("model_type"),
                });
            }
        };
        let labels: LabelConfig = parse(&src)?;
        let config = Self { arch, labels, raw };
        config.validate(&src)?;
        check_total(&config).map_err(|v| too_large(&src, v))?;
        Ok(config)
    }

    /// Reads and parses a `config.json` file (a regular file of at most
    /// [`MAX_CONFIG_BYTES`]).
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text =
            clarity_engine::fs::read_capped_string(path, MAX_CONFIG_BYTES).map_err(|source| {
                ConfigError::Io {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// Reads `config.json` from a model directory.
    pub fn from_dir(dir: &Path) -> Result<Self, ConfigError> {
        Self::from_file(&dir.join("config.json"))
    }

    /// The HF `model_type`.
    pub fn model_type(&self) -> &'static str {
        match self.arch {
            ArchConfig::Roberta(_) => "roberta",
            ArchConfig::DebertaV2(_) => "deberta-v2",
        }
    }

    /// The HF `base_model_prefix`: the key prefix of the encoder in task checkpoints.
    pub fn base_model_prefix(&self) -> &'static str {
        match self.arch {
            ArchConfig::Roberta(_) => "roberta",
            ArchConfig::DebertaV2(_) => "deberta",
        }
    }

    /// Width of the encoder's hidden states.
    pub fn hidden_size(&self) -> usize {
        match &self.arch {
            ArchConfig::Roberta(c) => c.hidden_size,
            ArchConfig::DebertaV2(c) => c.hidden_size,
        }
    }

    /// `hidden_dropout_prob`, the dropout HF heads use by default.
    pub fn hidden_dropout_prob(&self) -> f64 {
        match &self.arch {
            ArchConfig::Roberta(c) => c.hidden_dropout_prob,
            ArchConfig::DebertaV2(c) => c.hidden_dropout_prob,
        }
    }

    /// Padding token id.
    pub fn pad_token_id(&self) -> i64 {
        match &self.arch {
            ArchConfig::Roberta(c) => c.pad_token_id,
            ArchConfig::DebertaV2(c) => c.pad_token_id,
        }
    }

    /// Vocabulary size.
    pub fn vocab_size(&self) -> usize {
        match &self.arch {
            ArchConfig::Roberta(c) => c.vocab_size,
            ArchConfig::DebertaV2(c) => c.vocab_size,
        }
    }

    /// The longest input the model accepts (RoBERTa loses `pad_token_id + 1` positions).
    pub fn max_sequence_length(&self) -> usize {
        match &self.arch {
            ArchConfig::Roberta(c) => c
                .max_position_embeddings
                .saturating_sub(c.pad_token_id.max(0) as usize + 1),
            ArchConfig::DebertaV2(c) => c.max_position_embeddings,
        }
    }

    /// The longest input the model accepts, or `None` when it has no absolute position table
    /// (DeBERTa-v3, `position_biased_input = false`, uses only bucketed relative positions).
    pub fn max_input_length(&self) -> Option<usize> {
        let positional = match &self.arch {
            ArchConfig::Roberta(_) => true,
            ArchConfig::DebertaV2(c) => c.position_biased_input,
        };
        positional.then(|| self.max_sequence_length())
    }

    /// Number of classes of the sequence-classification head.
    pub fn num_labels(&self) -> usize {
        self.labels.num_labels()
    }

    /// Sets every dropout probability of the encoder and the HF head to `p` (as the
    /// Python tool's `dropout` option does through `from_pretrained(..., hidden_dropout_prob=p,
    /// attention_probs_dropout_prob=p)`).
    pub fn set_dropout(&mut self, p: f64) {
        match &mut self.arch {
            ArchConfig::Roberta(c) => {
                c.hidden_dropout_prob = p;
                c.attention_probs_dropout_prob = p;
            }
            ArchConfig::DebertaV2(c) => {
                c.hidden_dropout_prob = p;
                c.attention_probs_dropout_prob = p;
            }
        }
    }

    /// Sets `architectures` (the transformers classes `Auto*` classes pick, e.g.
    /// `RobertaForSequenceClassification`).
    pub fn set_architectures(&mut self, names: &[&str]) {
        self.raw.insert("architectures".into(), names.into());
    }

    /// Drops the classification labels (`id2label`, `label2id`, `num_labels`): a config of a
    /// model without a sequence-classification head.
    pub fn clear_labels(&mut self) {
        self.labels = LabelConfig::default();
        for field in ["id2label", "label2id", "num_labels"] {
            self.raw.remove(field);
        }
    }

    /// The config as `config.json` text: the original fields, updated with the typed values.
    pub fn to_json_string(&self) -> String {
        let mut out = self.raw.clone();
        let typed = match &self.arch {
            ArchConfig::Roberta(c) => serde_json::to_value(c),
            ArchConfig::DebertaV2(c) => serde_json::to_value(c),
        };
        let labels = serde_json::to_value(&self.labels);
        for value in [typed, labels].into_iter().flatten() {
            let serde_json::Value::Object(map) = value else {
                continue;
            };
            for (key, value) in map {
                // An unset optional field is left out: transformers takes a `null` as the
                // value (DeBERTa's `embedding_size: null` breaks its embeddings), not as unset.
                if value.is_null() {
                    out.remove(&key);
                } else {
                    out.insert(key, value);
                }
            }
        }
        if self.labels.num_labels.is_none() {
            out.remove("num_labels");
        }
        out.insert("model_type".into(), self.model_type().into());
        serde_json::to_string_pretty(&out).expect("a JSON map always serialises")
    }

    /// Checks what the typed fields cannot express: heads and labels, then per architecture.
    fn validate(&self, src: &SourceText) -> Result<(), ConfigError> {
        let invalid =
            |field: &str, message: String, help: Option<&str>| ConfigError::InvalidField {
                field: field.to_string(),
                span: src.field_span(field),
                message,
                src: src.named(),
                help: help.map(str::to_string),
            };
        let heads = match &self.arch {
            ArchConfig::Roberta(c) => c.num_attention_heads,
            ArchConfig::DebertaV2(c) => c.num_attention_heads,
        };
        if heads == 0 {
            return Err(invalid(
                "num_attention_heads",
                "must be at least 1".into(),
                None,
            ));
        }
        self.validate_labels(&invalid)?;
        match &self.arch {
            ArchConfig::Roberta(c) => validate_roberta(c, &invalid),
            ArchConfig::DebertaV2(c) => validate_deberta_v2(c, &invalid),
        }
    }

    /// At least one label and no more than the size limit allows.
    fn validate_labels(&self, invalid: Invalid<'_>) -> Result<(), ConfigError> {
        if self.num_labels() == 0 {
            return Err(invalid("num_labels", "must be at least 1".into(), None));
        }
        let max_labels = SIZE_LIMITS
            .iter()
            .find(|l| l.field == "num_labels")
            .map_or(i64::MAX, |l| l.max);
        if self.num_labels() as u64 > max_labels as u64 {
            let field = if self.labels.num_labels.is_some() {
                "num_labels"
            } else {
                "id2label"
            };
            return Err(invalid(
                field,
                format!(
                    "{} labels are above the limit of {max_labels}",
                    self.num_labels()
                ),
                None,
            ));
        }
        Ok(())
    }
}

/// Builds a [`ConfigError::InvalidField`] for a field, a message and an optional help.
type Invalid<'a> = &'a dyn Fn(&str, String, Option<&str>) -> ConfigError;

/// `hidden_size` splits evenly across the heads.
fn check_heads_divide(
    hidden: usize,
    heads: usize,
    invalid: Invalid<'_>,
) -> Result<(), ConfigError> {
    if !hidden.is_multiple_of(heads) {
        return Err(invalid(
            "hidden_size",
            format!("{hidden} is not a multiple of num_attention_heads ({heads})"),
            None,
        ));
    }
    Ok(())
}

/// An absolute-position encoder whose positions fit past the pad id; dropouts in range.
fn validate_roberta(c: &RobertaConfig, invalid: Invalid<'_>) -> Result<(), ConfigError> {
    check_heads_divide(c.hidden_size, c.num_attention_heads, invalid)?;
    if c.position_embedding_type != "absolute" {
        return Err(invalid(
            "position_embedding_type",
            format!("`{}` is not implemented", c.position_embedding_type),
            Some("only \"absolute\" position embeddings are supported"),
        ));
    }
    if c.is_decoder {
        return Err(invalid(
            "is_decoder",
            "decoder RoBERTa is not implemented".into(),
            Some("use an encoder checkpoint (is_decoder: false)"),
        ));
    }
    if c.max_position_embeddings <= c.pad_token_id.max(0) as usize + 1 {
        return Err(invalid(
            "max_position_embeddings",
            "must exceed pad_token_id + 1 (RoBERTa positions start after the pad id)".into(),
            None,
        ));
    }
    check_dropouts(
        invalid,
        &[
            ("hidden_dropout_prob", c.hidden_dropout_prob),
            (
                "attention_probs_dropout_prob",
                c.attention_probs_dropout_prob,
            ),
            ("classifier_dropout", c.classifier_dropout_prob()),
        ],
    )
}

/// No conv layer, a supported relative-embedding norm, buckets that fit the relative span;
/// dropouts in range.
fn validate_deberta_v2(c: &DebertaV2Config, invalid: Invalid<'_>) -> Result<(), ConfigError> {
    if c.attention_head_size.is_none() {
        check_heads_divide(c.hidden_size, c.num_attention_heads, invalid)?;
    }
    if c.conv_kernel_size > 0 {
        return Err(invalid(
            "conv_kernel_size",
            "the DeBERTa-v2 convolution layer is not implemented".into(),
            Some("DeBERTa-v3 checkpoints have no conv layer (conv_kernel_size 0)"),
        ));
    }
    let norm = c.norm_rel_ebd.to_lowercase();
    if norm
        .split('|')
        .any(|s| !matches!(s.trim(), "none" | "layer_norm"))
    {
        return Err(invalid(
            "norm_rel_ebd",
            format!("`{}` is not implemented", c.norm_rel_ebd),
            Some("supported: \"none\", \"layer_norm\""),
        ));
    }
    if let Some(buckets) = c.position_buckets() {
        let mid = buckets / 2;
        if mid < 2 || c.max_relative_positions() <= mid + 1 {
            return Err(invalid(
                "position_buckets",
                format!(
                    "{buckets} buckets do not fit a relative span of {}",
                    c.max_relative_positions()
                ),
                Some(
                    "position_buckets / 2 must be at least 2 and below max_relative_positions - 1",
                ),
            ));
        }
    }
    check_dropouts(
        invalid,
        &[
            ("hidden_dropout_prob", c.hidden_dropout_prob),
            (
                "attention_probs_dropout_prob",
                c.attention_probs_dropout_prob,
            ),
            ("pooler_dropout", c.pooler_dropout),
            ("cls_dropout", c.cls_dropout_prob()),
        ],
    )
}

/// A size field out of its limit, or sizes describing too large a model.
fn too_large(src: &SourceText, violation: SizeViolation) -> ConfigError {
    ConfigError::TooLarge {
        field: violation.field.to_string(),
        span: src.field_span(violation.field),
        message: violation.message,
        src: src.named(),
        help: violation.help,
    }
}

fn check_dropouts(invalid: Invalid<'_>, probs: &[(&str, f64)]) -> Result<(), ConfigError> {
    for (field, p) in probs {
        if !(0.0..1.0).contains(p) {
            return Err(invalid(
                field,
                format!("dropout probability {p} is outside [0, 1)"),
                None,
            ));
        }
    }
    Ok(())
}

fn parse<T: DeserializeOwned>(src: &SourceText) -> Result<T, ConfigError> {
    serde_json::from_str(src.text()).map_err(|e| ConfigError::Json {
        message: e.to_string(),
        span: src.span_at(e.line(), e.column()),
        src: src.named(),
    })
}
