//! Stages: names, `foreach`, kinds and outputs.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use super::Src;

/// A stage named twice or badly, of an unknown kind, or with unusable outputs.
#[derive(Debug, Error, Diagnostic)]
pub enum StageError {
    /// Two stages share a name.
    #[error("stage `{name}` is defined twice")]
    #[diagnostic(code(clarity::stage::duplicate))]
    DuplicateStage {
        /// The name.
        name: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The second stage's name.
        #[label("second definition")]
        span: SourceSpan,
        /// Where the first is.
        #[help]
        help: String,
    },
    /// A `foreach` value cannot be part of a stage name.
    #[error("`foreach` value {value} cannot name a stage")]
    #[diagnostic(
        code(clarity::stage::foreach),
        help("use integers or names of letters, digits, `-` and `_`")
    )]
    ForeachValue {
        /// The value.
        value: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value's span.
        #[label("not usable in a name")]
        span: SourceSpan,
    },
    /// A `foreach` with more members than [`MAX_FOREACH_MEMBERS`](crate::analyse::MAX_FOREACH_MEMBERS).
    #[error("`foreach` makes {count} stages; at most {limit} are allowed")]
    #[diagnostic(
        code(clarity::stage::foreach_size),
        help(
            "an ensemble or sweep this large is almost certainly a mistake (a list variable repeated into itself?)"
        )
    )]
    ForeachTooLarge {
        /// Members it would make.
        count: usize,
        /// The limit.
        limit: usize,
        /// Source text.
        #[source_code]
        src: Src,
        /// The `foreach`.
        #[label("here")]
        span: SourceSpan,
    },
    /// No stage kind of that name.
    #[error("unknown stage kind `{kind}`")]
    #[diagnostic(code(clarity::stage::unknown_kind))]
    UnknownKind {
        /// The kind.
        kind: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The kind's span.
        #[label("no such kind")]
        span: SourceSpan,
        /// Did you mean / `clarity stages`.
        #[help]
        help: String,
    },
    /// An output name that is not a plain name, is reserved, or is used twice.
    #[error("stage `{stage}` cannot have an output called `{output}`: {reason}")]
    #[diagnostic(
        code(clarity::stage::output_name),
        help(
            "output names are single names of letters, digits, `-` and `_` (not `scratch`), each used once: they become directories in the cache"
        )
    )]
    OutputName {
        /// The stage.
        stage: String,
        /// The name.
        output: String,
        /// Why not.
        reason: &'static str,
        /// Source text.
        #[source_code]
        src: Src,
        /// Where it was named.
        #[label("here")]
        span: SourceSpan,
    },
}
