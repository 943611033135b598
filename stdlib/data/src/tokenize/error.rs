use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

/// Loading a tokenizer, encoding text, or reading/writing token files failed.
#[derive(Debug, Error, Diagnostic)]
pub enum TokenizeError {
    /// No tokenizer files in the directory.
    #[error("{} has no tokenizer (tokenizer.json, spm.model, or vocab.json + merges.txt)", dir.display())]
    #[diagnostic(
        code(clarity::tokenize::no_tokenizer),
        help("point `tokenizer` at a model directory or a fetch-model stage")
    )]
    NoTokenizer {
        /// The directory.
        dir: PathBuf,
    },
    /// A tokenizer file could not be read or is invalid.
    #[error("cannot load the tokenizer from {}: {message}", path.display())]
    #[diagnostic(code(clarity::tokenize::bad_tokenizer))]
    BadTokenizer {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A special token the tokenizer needs is not in its vocabulary.
    #[error("the tokenizer in {} has no {token:?} token", path.display())]
    #[diagnostic(
        code(clarity::tokenize::missing_special_token),
        help("check tokenizer_config.json / special_tokens_map.json")
    )]
    MissingSpecialToken {
        /// The tokenizer file.
        path: PathBuf,
        /// The token.
        token: String,
    },
    /// The table does not fit the inputs (missing column, empty text, unknown label).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Schema(#[from] crate::clarity::SchemaError),
    /// The tokenizers library failed on some input.
    #[error("tokenizing failed: {message}")]
    #[diagnostic(code(clarity::tokenize::encode))]
    Encode {
        /// What failed.
        message: String,
    },
    /// The settings are inconsistent.
    #[error("{message}")]
    #[diagnostic(code(clarity::tokenize::settings))]
    Settings {
        /// What is wrong.
        message: String,
        /// What to do.
        #[help]
        help: Option<String>,
    },
    /// A template is malformed.
    #[error("template {template:?}: {message}")]
    #[diagnostic(
        code(clarity::tokenize::template),
        help(
            "write columns as {{column_name}}; double a brace ({{{{ or }}}}) to write it literally"
        )
    )]
    Template {
        /// The template.
        template: String,
        /// What is wrong.
        message: String,
    },
    /// A token file could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    #[diagnostic(code(clarity::tokenize::io))]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A token file in a format version this build does not read.
    #[error(
        "{} describes a version {found} token file; this build reads version {expected} only",
        path.display()
    )]
    #[diagnostic(
        code(clarity::tokenize::format_version),
        help(
            "token files of another version cannot be read: re-run the tokenize stage \
             (clarity run --force) to write the current version"
        )
    )]
    FormatVersion {
        /// The token directory's meta.json.
        path: PathBuf,
        /// The version it describes.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// A token file is not in the expected format.
    #[error("{} is not a valid token file: {message}", path.display())]
    #[diagnostic(
        code(clarity::tokenize::corrupt),
        help("re-run the tokenize stage (clarity run --force)")
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl TokenizeError {
    pub(crate) fn encode(e: impl std::fmt::Display) -> Self {
        Self::Encode {
            message: e.to_string(),
        }
    }
}

io_error_constructors!(TokenizeError);
