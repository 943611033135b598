use std::path::Path;

use clarity_data::table::Table;
use clarity_data::tokenize::{
    EncodeOptions, PairEncoder, TextInputs, TextTemplate, TextTokenizer, TokenizeError,
    TokenizedDataset, TokensMeta, Truncation, tokenize_table,
};
use serde::{Deserialize, Serialize};

use super::CheckpointError;
use super::error::io;

/// `clarity_template.json`: how a checkpoint's model saw its inputs.
pub const TEMPLATE_FILE: &str = "clarity_template.json";

/// How the training texts were made and tokenized, kept beside the model so it can be run on
/// new rows the same way (`clarity predict --checkpoint`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputTemplate {
    /// The text template (`"Question: {interview_question}\nAnswer: {interview_answer}"`).
    pub template: String,
    /// The second segment's template, when inputs are pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pair_template: Option<String>,
    /// Tokens per record.
    pub max_length: usize,
    /// The truncation strategy (`longest_first`, `only_first`, `only_second`).
    pub truncation: String,
    /// Sliding-window overlap, when long inputs were split into windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stride: Option<usize>,
}

impl InputTemplate {
    /// The template of tokenized records.
    pub fn of(meta: &TokensMeta) -> Self {
        Self {
            template: meta.template.clone(),
            pair_template: meta.pair_template.clone(),
            max_length: meta.max_length,
            truncation: meta.truncation.clone(),
            stride: meta.stride,
        }
    }

    /// Writes `dir/clarity_template.json`.
    pub fn write(&self, dir: &Path) -> Result<(), CheckpointError> {
        let path = dir.join(TEMPLATE_FILE);
        let text = serde_json::to_string_pretty(self).expect("plain data serialises");
        std::fs::write(&path, text + "\n").map_err(io("write", &path))
    }

    /// Reads `dir/clarity_template.json`; `None` when the checkpoint has none.
    pub fn read(dir: &Path) -> Result<Option<Self>, CheckpointError> {
        let path = dir.join(TEMPLATE_FILE);
        if !path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).map_err(io("read", &path))?;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| CheckpointError::BadHeadFile {
                path,
                reason: e.to_string(),
            })
    }

    /// Tokenizes `table`'s rows as the training texts were, with the tokenizer of
    /// `tokenizer_dir` (a checkpoint keeps its model's tokenizer files).
    pub fn tokenize(
        &self,
        table: &Table,
        tokenizer_dir: &Path,
    ) -> Result<TokenizedDataset, TokenizeError> {
        let truncation =
            Truncation::parse(&self.truncation).ok_or_else(|| TokenizeError::Settings {
                message: format!("unknown truncation `{}`", self.truncation),
                help: Some(format!(
                    "{TEMPLATE_FILE} names longest_first, only_first or only_second"
                )),
            })?;
        let inputs = TextInputs {
            text: TextTemplate::parse(&self.template)?,
            pair: self
                .pair_template
                .as_deref()
                .map(TextTemplate::parse)
                .transpose()?,
        };
        let tokenizer = TextTokenizer::from_dir(tokenizer_dir)?;
        let encoder = PairEncoder::new(
            &tokenizer,
            EncodeOptions {
                max_length: self.max_length,
                truncation,
                stride: self.stride,
            },
        )?;
        tokenize_table(table, &tokenizer, &encoder, &inputs)
    }
}
