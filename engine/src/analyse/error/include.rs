//! Reading the included files.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use super::Src;

/// An included file that cannot be read, or includes that go round in a cycle.
#[derive(Debug, Error, Diagnostic)]
pub enum IncludeError {
    /// An included file cannot be read.
    #[error("cannot read included file `{path}`: {reason}")]
    #[diagnostic(
        code(clarity::include::missing),
        help("paths are relative to the including file")
    )]
    IncludeMissing {
        /// The path as resolved.
        path: String,
        /// The OS error.
        reason: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The include's path.
        #[label("included here")]
        span: SourceSpan,
    },
    /// A file includes itself, directly or through others.
    #[error("`{path}` includes itself: {chain}")]
    #[diagnostic(
        code(clarity::include::cycle),
        help("remove one of the includes on this chain")
    )]
    IncludeCycle {
        /// The file included again.
        path: String,
        /// The include chain, `a.kdl -> b.kdl -> a.kdl`.
        chain: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The include that closes the cycle.
        #[label("included again here")]
        span: SourceSpan,
    },
}
