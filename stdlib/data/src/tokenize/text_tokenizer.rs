use std::path::{Path, PathBuf};

use tokenizers::Tokenizer;

use super::deberta_spm::deberta_v2_from_spm;
use super::error::TokenizeError;
use super::roberta_bpe::roberta_from_vocab_merges;
use super::tokenizer_config::TokenizerConfig;

/// Which files a tokenizer was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenizerSource {
    /// A `tokenizer.json` (the `tokenizers` library's own format).
    TokenizerJson,
    /// A SentencePiece `spm.model` (DeBERTa-v2/v3).
    SentencePiece,
    /// `vocab.json` + `merges.txt` (RoBERTa's byte-level BPE).
    VocabMerges,
}

impl TokenizerSource {
    /// What to put in a model directory, for messages.
    pub const EXPECTED: &'static str = "tokenizer.json, spm.model, or vocab.json + merges.txt";

    /// The files of `dir` a tokenizer is built from, by [`TextTokenizer::from_dir`]'s rule
    /// (first found: `tokenizer.json`, `spm.model`, `vocab.json` + `merges.txt`); `None` when
    /// it has none. Any entry by those names counts (not only regular files), so that a FIFO
    /// or a device is refused by the capped read, not skipped.
    pub fn find(dir: &Path) -> Option<Self> {
        if dir.join("tokenizer.json").exists() {
            Some(Self::TokenizerJson)
        } else if dir.join("spm.model").exists() {
            Some(Self::SentencePiece)
        } else if dir.join("vocab.json").exists() && dir.join("merges.txt").exists() {
            Some(Self::VocabMerges)
        } else {
            None
        }
    }
}

/// A fast tokenizer for a model, with the pad id batching needs.
#[derive(Clone)]
pub struct TextTokenizer {
    inner: Tokenizer,
    source: TokenizerSource,
    path: PathBuf,
    pad_id: u32,
}

impl std::fmt::Debug for TextTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextTokenizer")
            .field("source", &self.source)
            .field("path", &self.path)
            .finish()
    }
}

impl TextTokenizer {
    /// Loads the tokenizer of a model directory: `tokenizer.json` when present, else `spm.model`,
    /// else `vocab.json` + `merges.txt`; `tokenizer_config.json` and `special_tokens_map.json`
    /// supply the settings and special tokens.
    pub fn from_dir(dir: &Path) -> Result<Self, TokenizeError> {
        match TokenizerSource::find(dir) {
            Some(TokenizerSource::TokenizerJson) => {
                Self::from_tokenizer_json(&dir.join("tokenizer.json"), dir)
            }
            Some(TokenizerSource::SentencePiece) => Self::from_spm(&dir.join("spm.model"), dir),
            Some(TokenizerSource::VocabMerges) => {
                let (vocab, merges) = (dir.join("vocab.json"), dir.join("merges.txt"));
                Self::from_vocab_merges(&vocab, &merges, dir)
            }
            None => Err(TokenizeError::NoTokenizer {
                dir: dir.to_path_buf(),
            }),
        }
    }

    /// Loads a `tokenizer.json`; `config_dir` holds its `tokenizer_config.json`, if any.
    pub fn from_tokenizer_json(path: &Path, config_dir: &Path) -> Result<Self, TokenizeError> {
        let config = TokenizerConfig::from_dir(config_dir)?;
        let bytes = crate::files::read_capped(path, crate::files::MAX_TOKENIZER_BYTES)
            .map_err(|e| TokenizeError::read(path, e))?;
        let inner = Tokenizer::from_bytes(bytes).map_err(|e| TokenizeError::BadTokenizer {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(Self::finish(
            inner,
            TokenizerSource::TokenizerJson,
            path,
            &config,
        ))
    }

    /// Builds DeBERTa-v3's tokenizer from a SentencePiece model (see [`super::deberta_v2_from_spm`]).
    pub fn from_spm(path: &Path, config_dir: &Path) -> Result<Self, TokenizeError> {
        let config = TokenizerConfig::from_dir(config_dir)?;
        let inner = deberta_v2_from_spm(path, &config)?;
        Ok(Self::finish(
            inner,
            TokenizerSource::SentencePiece,
            path,
            &config,
        ))
    }

    /// Builds RoBERTa's tokenizer from `vocab.json` + `merges.txt`.
    pub fn from_vocab_merges(
        vocab: &Path,
        merges: &Path,
        config_dir: &Path,
    ) -> Result<Self, TokenizeError> {
        let config = TokenizerConfig::from_dir(config_dir)?;
        let inner = roberta_from_vocab_merges(vocab, merges, &config)?;
        Ok(Self::finish(
            inner,
            TokenizerSource::VocabMerges,
            vocab,
            &config,
        ))
    }

    fn finish(
        mut inner: Tokenizer,
        source: TokenizerSource,
        path: &Path,
        config: &TokenizerConfig,
    ) -> Self {
        inner.with_padding(None);
        let _ = inner.with_truncation(None);
        let pad_id = config
            .pad_token
            .iter()
            .map(String::as_str)
            .chain(["[PAD]", "<pad>"])
            .find_map(|t| inner.token_to_id(t))
            .unwrap_or(0);
        Self {
            inner,
            source,
            path: path.to_path_buf(),
            pad_id,
        }
    }

    /// The `tokenizers` tokenizer (no truncation or padding set).
    pub fn inner(&self) -> &Tokenizer {
        &self.inner
    }

    /// Which files it was built from.
    pub fn source(&self) -> TokenizerSource {
        self.source
    }

    /// The main file it was built from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The padding token's id.
    pub fn pad_id(&self) -> u32 {
        self.pad_id
    }

    /// The token text of an id.
    pub fn id_to_token(&self, id: u32) -> Option<String> {
        self.inner.id_to_token(id)
    }
}
