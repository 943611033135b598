//! Variables: `let` and `$name`.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use super::Src;

/// A variable defined twice, used without a definition, or expanded too far.
#[derive(Debug, Error, Diagnostic)]
pub enum VarError {
    /// A variable is defined twice.
    #[error("variable `{name}` is defined twice")]
    #[diagnostic(code(clarity::var::duplicate))]
    DuplicateVariable {
        /// The name.
        name: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The second definition.
        #[label("defined again here")]
        span: SourceSpan,
        /// Where the first is.
        #[help]
        help: String,
    },
    /// `$name` or `${name}` refers to no variable.
    #[error("unknown variable `{name}`")]
    #[diagnostic(code(clarity::var::unknown))]
    UnknownVariable {
        /// The name.
        name: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The use.
        #[label("not defined")]
        span: SourceSpan,
        /// Did you mean / how to define it.
        #[help]
        help: String,
    },
    /// A list variable used inside a string.
    #[error("variable `{name}` is a list and cannot be put into a string")]
    #[diagnostic(
        code(clarity::var::list_in_string),
        help("use `${name}` only for single values")
    )]
    ListInString {
        /// The name.
        name: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The string.
        #[label("in this string")]
        span: SourceSpan,
    },
    /// Variables expand to more than [`MAX_EXPANDED_BYTES`](crate::analyse::MAX_EXPANDED_BYTES).
    #[error("variables expand to more than {limit} bytes")]
    #[diagnostic(
        code(clarity::var::too_large),
        help(
            "a `let` that repeats another (`\"${{v}}${{v}}\"`) doubles it; no real pipeline needs values this large"
        )
    )]
    ExpansionTooLarge {
        /// The limit.
        limit: usize,
        /// Source text.
        #[source_code]
        src: Src,
        /// Where the limit was passed.
        #[label("the limit was passed here")]
        span: SourceSpan,
    },
}
