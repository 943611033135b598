//! `clarity tokenize --tokenizer DIR --text A [--pair B] [--max-length N] [--stride S]`:
//! prints `{"input_ids": [...], "tokens": [...]}` for one text or pair (with `--stride`, also
//! `"windows": [{"input_ids": [...], "tokens": [...]}, ...]`, the first being the top level's).

use std::path::PathBuf;

use clap::Args;
use clarity_data::tokenize::{EncodeOptions, PairEncoder, TextTokenizer, Truncation};

use super::ToolError;

/// Tokenize one text (or pair) with a model's tokenizer and print the ids and tokens as JSON.
#[derive(Debug, Args)]
pub struct TokenizeCommand {
    /// A model directory with tokenizer.json, spm.model or vocab.json + merges.txt.
    #[arg(long, value_name = "DIR")]
    pub tokenizer: PathBuf,
    /// The (first) text.
    #[arg(long)]
    pub text: String,
    /// The second text of a pair.
    #[arg(long)]
    pub pair: Option<String>,
    /// Maximum length, special tokens included.
    #[arg(long, default_value_t = 512, value_name = "N")]
    pub max_length: usize,
    /// How to cut over-long pairs: longest_first or only_second.
    #[arg(long, default_value = "longest_first", value_parser = ["longest_first", "only_second"])]
    pub truncation: String,
    /// Keep what does not fit as extra windows overlapping the previous one by this many
    /// tokens (the tokenize stage's `stride`), printed under `windows`.
    #[arg(long, value_name = "S")]
    pub stride: Option<usize>,
}

impl TokenizeCommand {
    /// Runs the command.
    pub fn run(self) -> Result<(), ToolError> {
        let tokenizer = TextTokenizer::from_dir(&self.tokenizer).map_err(ToolError::usage)?;
        let truncation = Truncation::parse(&self.truncation).unwrap_or(Truncation::LongestFirst);
        let encoder = PairEncoder::new(
            &tokenizer,
            EncodeOptions {
                max_length: self.max_length,
                truncation,
                stride: self.stride,
            },
        )
        .map_err(ToolError::usage)?;
        let windows = encoder
            .window_tokens(&self.text, self.pair.as_deref())
            .map_err(ToolError::runtime)?;
        let json = |(ids, tokens): &(Vec<u32>, Vec<String>)| serde_json::json!({ "input_ids": ids, "tokens": tokens });
        let mut out = json(&windows[0]);
        if self.stride.is_some() {
            out["windows"] = windows.iter().map(json).collect();
        }
        println!("{out}");
        Ok(())
    }
}
