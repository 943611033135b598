use serde::{Deserialize, Serialize};
use tokenizers::{
    EncodeInput, Encoding, Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy,
};

use super::error::TokenizeError;
use super::text_tokenizer::TextTokenizer;

/// How a pair longer than the maximum length is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Truncation {
    /// Remove tokens from the longer of the two texts, one at a time (HF `longest_first`).
    LongestFirst,
    /// Remove tokens from the second text only (HF `only_second`); a first text that alone
    /// exceeds the limit is an error.
    OnlySecond,
}

impl Truncation {
    /// Parses `longest_first` / `only_second` (also with `-`).
    pub fn parse(text: &str) -> Option<Self> {
        match text.replace('-', "_").as_str() {
            "longest_first" => Some(Self::LongestFirst),
            "only_second" => Some(Self::OnlySecond),
            _ => None,
        }
    }

    /// The snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::LongestFirst => "longest_first",
            Self::OnlySecond => "only_second",
        }
    }
}

/// Encoding settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodeOptions {
    /// Maximum length including special tokens.
    pub max_length: usize,
    /// How to cut over-long inputs.
    pub truncation: Truncation,
    /// `Some(stride)`: keep the cut-off rest as extra windows that overlap the previous one by
    /// `stride` tokens (HF `return_overflowing_tokens` with `stride`); `None`: drop it.
    pub stride: Option<usize>,
}

/// One encoded window of an example: token ids with special tokens, and how many of them belong
/// to the first segment (token type 0; the rest are type 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedWindow {
    /// Token ids.
    pub ids: Vec<u32>,
    /// Number of leading type-0 tokens.
    pub type0_len: u32,
}

/// One window's ids and their vocabulary tokens.
pub type WindowTokens = (Vec<u32>, Vec<String>);

/// The windows of one encoded text or pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedExample {
    /// One window, or several with a stride.
    pub windows: Vec<EncodedWindow>,
    /// Whether the text did not fit into the first window.
    pub truncated: bool,
}

/// Encodes texts or text pairs as the HF fast tokenizers do (`tokenizer(text, text_pair,
/// truncation=..., max_length=...)`), including HF's rule that an empty second text means none.
#[derive(Clone)]
pub struct PairEncoder {
    tokenizer: Tokenizer,
    options: EncodeOptions,
}

impl PairEncoder {
    /// An encoder with the given settings.
    pub fn new(tokenizer: &TextTokenizer, options: EncodeOptions) -> Result<Self, TokenizeError> {
        let mut inner = tokenizer.inner().clone();
        let added = inner
            .get_post_processor()
            .map_or(0, |p| tokenizers::PostProcessor::added_tokens(p, true));
        let stride = options.stride.unwrap_or(0);
        if options.max_length < added + 1 + stride {
            return Err(TokenizeError::Settings {
                message: format!(
                    "max-length {} leaves no room for text (the tokenizer adds {added} special tokens{})",
                    options.max_length,
                    if stride > 0 {
                        format!(" and the stride is {stride}")
                    } else {
                        String::new()
                    }
                ),
                help: Some("use a larger max-length or a smaller stride".into()),
            });
        }
        let strategy = match options.truncation {
            Truncation::LongestFirst => TruncationStrategy::LongestFirst,
            Truncation::OnlySecond => TruncationStrategy::OnlySecond,
        };
        let params = TruncationParams {
            direction: TruncationDirection::Right,
            max_length: options.max_length,
            strategy,
            stride,
        };
        inner
            .with_truncation(Some(params))
            .map_err(|e| TokenizeError::Settings {
                message: e.to_string(),
                help: None,
            })?;
        inner.with_padding(None);
        Ok(Self {
            tokenizer: inner,
            options,
        })
    }

    /// The settings.
    pub fn options(&self) -> &EncodeOptions {
        &self.options
    }

    /// Encodes one text or pair: one window, or several with a stride.
    pub fn encode(&self, text: &str, pair: Option<&str>) -> Result<EncodedExample, TokenizeError> {
        let encoding = self
            .tokenizer
            .encode(input(text, pair), true)
            .map_err(TokenizeError::encode)?;
        Ok(self.windows(encoding))
    }

    /// Encodes many texts or pairs in parallel; the result is in input order.
    pub fn encode_batch(
        &self,
        inputs: &[(String, Option<String>)],
    ) -> Result<Vec<EncodedExample>, TokenizeError> {
        let batch: Vec<EncodeInput<'_>> =
            inputs.iter().map(|(a, b)| input(a, b.as_deref())).collect();
        let encodings = self
            .tokenizer
            .encode_batch(batch, true)
            .map_err(TokenizeError::encode)?;
        Ok(encodings.into_iter().map(|e| self.windows(e)).collect())
    }

    /// The ids of one text or pair (first window) and their vocabulary tokens (as HF's
    /// `convert_ids_to_tokens` gives them: an unknown piece reads as the unknown token).
    pub fn tokens(&self, text: &str, pair: Option<&str>) -> Result<WindowTokens, TokenizeError> {
        let mut windows = self.window_tokens(text, pair)?;
        Ok(windows.swap_remove(0))
    }

    /// [`Self::tokens`] of every window: one, or several with a stride.
    pub fn window_tokens(
        &self,
        text: &str,
        pair: Option<&str>,
    ) -> Result<Vec<WindowTokens>, TokenizeError> {
        let encoding = self
            .tokenizer
            .encode(input(text, pair), true)
            .map_err(TokenizeError::encode)?;
        let example = self.windows(encoding);
        Ok(example
            .windows
            .into_iter()
            .map(|window| {
                let tokens = window
                    .ids
                    .iter()
                    .map(|&id| self.tokenizer.id_to_token(id).unwrap_or_default())
                    .collect();
                (window.ids, tokens)
            })
            .collect())
    }

    fn windows(&self, mut encoding: Encoding) -> EncodedExample {
        let overflowing = encoding.take_overflowing();
        let truncated = !overflowing.is_empty();
        let extra = if self.options.stride.is_some() {
            overflowing
        } else {
            Vec::new()
        };
        let windows = std::iter::once(encoding)
            .chain(extra)
            .map(|e| window(&e))
            .collect();
        EncodedExample { windows, truncated }
    }
}

fn input<'s>(text: &'s str, pair: Option<&'s str>) -> EncodeInput<'s> {
    match pair.filter(|p| !p.is_empty()) {
        Some(pair) => EncodeInput::Dual(text.into(), pair.into()),
        None => EncodeInput::Single(text.into()),
    }
}

fn window(encoding: &Encoding) -> EncodedWindow {
    let type0_len = encoding
        .get_type_ids()
        .iter()
        .take_while(|&&t| t == 0)
        .count() as u32;
    EncodedWindow {
        ids: encoding.get_ids().to_vec(),
        type0_len,
    }
}
