use std::path::PathBuf;
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// Why a `config.json` could not be used.
#[derive(Debug, Error, Diagnostic)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read model config {path}")]
    #[diagnostic(
        code(clarity::models::config::io),
        help("a model directory holds config.json next to the weights")
    )]
    Io {
        /// The config path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The JSON is malformed or a field has the wrong type.
    #[error("invalid model config: {message}")]
    #[diagnostic(
        code(clarity::models::config::json),
        help("the config must be a HuggingFace config.json for a supported model_type")
    )]
    Json {
        /// What serde reported.
        message: String,
        /// The config text.
        #[source_code]
        src: Arc<NamedSource<String>>,
        /// Where in the text.
        #[label("here")]
        span: SourceSpan,
    },

    /// The config has no `model_type`.
    #[error("model config has no `model_type`")]
    #[diagnostic(
        code(clarity::models::config::no_model_type),
        help("add \"model_type\": \"roberta\" or \"deberta-v2\" (DeBERTa-v3 uses \"deberta-v2\")")
    )]
    MissingModelType {
        /// The config text.
        #[source_code]
        src: Arc<NamedSource<String>>,
        /// The whole object.
        #[label("no model_type in this object")]
        span: SourceSpan,
    },

    /// The architecture is not implemented.
    #[error("unsupported model_type `{model_type}`")]
    #[diagnostic(
        code(clarity::models::config::unsupported_architecture),
        help("supported model types: \"roberta\" (RoBERTa), \"deberta-v2\" (DeBERTa-v2/v3)")
    )]
    UnsupportedArchitecture {
        /// The `model_type` found.
        model_type: String,
        /// The config text.
        #[source_code]
        src: Arc<NamedSource<String>>,
        /// The `model_type` entry.
        #[label("this architecture is not implemented")]
        span: SourceSpan,
    },

    /// A field value that parses but cannot be built or is not implemented.
    #[error("model config field `{field}`: {message}")]
    #[diagnostic(code(clarity::models::config::invalid_field))]
    InvalidField {
        /// The field name as in `config.json`.
        field: String,
        /// What is wrong.
        message: String,
        /// The config text.
        #[source_code]
        src: Arc<NamedSource<String>>,
        /// The field entry (empty when the field is absent).
        #[label("{message}")]
        span: SourceSpan,
        /// What to do.
        #[help]
        help: Option<String>,
    },

    /// A size field is outside its documented limit, or the sizes together describe a model
    /// too large to build (checked before anything is allocated).
    #[error("model config field `{field}`: {message}")]
    #[diagnostic(code(clarity::models::config::too_large))]
    TooLarge {
        /// The field name as in `config.json`.
        field: String,
        /// What is wrong.
        message: String,
        /// The config text.
        #[source_code]
        src: Arc<NamedSource<String>>,
        /// The field entry (empty when the field is absent).
        #[label("{message}")]
        span: SourceSpan,
        /// The limit and the estimated size.
        #[help]
        help: String,
    },
}
