use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use tokenizers::Tokenizer;

use super::error::TokenizeError;

/// The settings of `tokenizer_config.json` and `special_tokens_map.json` that building a tokenizer
/// needs (field names as transformers writes them). Absent files give the defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TokenizerConfig {
    /// Lower-case the text first (DeBERTa `do_lower_case`).
    pub do_lower_case: bool,
    /// Split punctuation before the SentencePiece model (DeBERTa `split_by_punct`).
    pub split_by_punct: bool,
    /// Add a space before the first word (RoBERTa `add_prefix_space`).
    pub add_prefix_space: Option<bool>,
    /// `[CLS]` / `<s>`.
    #[serde(deserialize_with = "token_content")]
    pub cls_token: Option<String>,
    /// `[SEP]` / `</s>`.
    #[serde(deserialize_with = "token_content")]
    pub sep_token: Option<String>,
    /// `[PAD]` / `<pad>`.
    #[serde(deserialize_with = "token_content")]
    pub pad_token: Option<String>,
    /// `[UNK]` / `<unk>`.
    #[serde(deserialize_with = "token_content")]
    pub unk_token: Option<String>,
    /// `[MASK]` / `<mask>`.
    #[serde(deserialize_with = "token_content")]
    pub mask_token: Option<String>,
}

/// A special token is written either as a string or as an `AddedToken` object with `content`.
fn token_content<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("content").and_then(Value::as_str).map(str::to_string),
        _ => None,
    })
}

impl TokenizerConfig {
    /// Reads `tokenizer_config.json`, then fills unset tokens from `special_tokens_map.json`.
    pub fn from_dir(dir: &Path) -> Result<Self, TokenizeError> {
        let mut config: TokenizerConfig =
            read_json(&dir.join("tokenizer_config.json"))?.unwrap_or_default();
        if let Some(map) = read_json::<TokenizerConfig>(&dir.join("special_tokens_map.json"))? {
            config.cls_token = config.cls_token.or(map.cls_token);
            config.sep_token = config.sep_token.or(map.sep_token);
            config.pad_token = config.pad_token.or(map.pad_token);
            config.unk_token = config.unk_token.or(map.unk_token);
            config.mask_token = config.mask_token.or(map.mask_token);
        }
        Ok(config)
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, TokenizeError> {
    let text = match crate::files::read_capped_string(path, crate::files::MAX_SETTINGS_BYTES) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(TokenizeError::read(path, e)),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| TokenizeError::BadTokenizer {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}

/// A configured special token, or the converter's `default` when the config names none.
pub(crate) fn token_or(configured: &Option<String>, default: &str) -> String {
    configured.clone().unwrap_or_else(|| default.to_string())
}

/// The id of special token `token` in `tokenizer` (built from `path`); a diagnostic naming
/// both when the vocabulary lacks it.
pub(crate) fn special_token_id(
    tokenizer: &Tokenizer,
    path: &Path,
    token: &str,
) -> Result<u32, TokenizeError> {
    tokenizer
        .token_to_id(token)
        .ok_or_else(|| TokenizeError::MissingSpecialToken {
            path: path.to_path_buf(),
            token: token.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::TokenizerConfig;

    #[test]
    fn reads_tokens_as_strings_or_objects() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("tokenizer_config.json"),
            r#"{"do_lower_case": true, "cls_token": "[CLS]", "model_max_length": 1e30}"#,
        )
        .unwrap();
        std::fs::write(
            tmp.path().join("special_tokens_map.json"),
            r#"{"cls_token": "X", "unk_token": {"content": "[UNK]", "normalized": true}}"#,
        )
        .unwrap();
        let c = TokenizerConfig::from_dir(tmp.path()).unwrap();
        assert!(c.do_lower_case);
        assert_eq!(c.cls_token.as_deref(), Some("[CLS]"));
        assert_eq!(c.unk_token.as_deref(), Some("[UNK]"));
        assert_eq!(c.pad_token, None);
    }
}
