//! Resource requests and the pipeline's `executor` block.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use super::Src;

/// A `resources` or `executor` setting the executor does not take, or an executor kind
/// that does not exist.
#[derive(Debug, Error, Diagnostic)]
pub enum ResourceError {
    /// A setting no executor takes.
    #[error("unknown resource `{key}`")]
    #[diagnostic(code(clarity::resources::unknown))]
    UnknownSetting {
        /// The key as written.
        key: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The key.
        #[label("not a resource")]
        span: SourceSpan,
        /// What exists.
        #[help]
        help: String,
    },
    /// A setting's value of the wrong type.
    #[error("resource `{key}` takes {expected}, not {found}")]
    #[diagnostic(code(clarity::resources::wrong_type))]
    WrongType {
        /// The key.
        key: String,
        /// What it takes.
        expected: &'static str,
        /// What was given.
        found: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value.
        #[label("here")]
        span: SourceSpan,
    },
    /// An executor kind that does not exist.
    #[error("unknown executor `{kind}`")]
    #[diagnostic(code(clarity::executor::unknown))]
    UnknownExecutor {
        /// The kind as written.
        kind: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The kind.
        #[label("not an executor")]
        span: SourceSpan,
        /// What exists.
        #[help]
        help: String,
    },
    /// An item other than `executor` in the user's config file.
    #[error("the user config file holds only `executor` blocks, not `{item}`")]
    #[diagnostic(
        code(clarity::config::item),
        help("put stages, variables and the rest into the pipeline file")
    )]
    NotInConfig {
        /// The item.
        item: &'static str,
        /// Source text.
        #[source_code]
        src: Src,
        /// Where.
        #[label("not in a config file")]
        span: SourceSpan,
    },
    /// Two `executor` blocks.
    #[error("a pipeline has at most one `executor`")]
    #[diagnostic(
        code(clarity::executor::duplicate),
        help("put every setting into one `executor` block")
    )]
    DuplicateExecutor {
        /// Source text.
        #[source_code]
        src: Src,
        /// The second block's kind.
        #[label("second executor")]
        span: SourceSpan,
    },
}
