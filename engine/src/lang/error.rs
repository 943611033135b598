use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// Errors found while reading a pipeline file into its syntax tree.
#[derive(Debug, Error, Diagnostic)]
pub enum LangError {
    /// The KDL parser rejected the text.
    #[error("{message}")]
    #[diagnostic(code(clarity::syntax))]
    Syntax {
        /// What is wrong.
        message: String,
        /// Source text.
        #[source_code]
        src: crate::lang::SourceText,
        /// Where.
        #[label("{label}")]
        span: SourceSpan,
        /// Label text.
        label: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// The file is too large to be a pipeline.
    #[error("`{name}` is {size} bytes; a pipeline file may be at most {limit} bytes")]
    #[diagnostic(
        code(clarity::syntax::too_large),
        help("split generated data out of the pipeline file")
    )]
    TooLarge {
        /// File name.
        name: String,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Braces nest too deeply.
    #[error("blocks nest more than {limit} levels deep")]
    #[diagnostic(
        code(clarity::syntax::too_deep),
        help("pipelines need only a few levels: pipeline, stage, param group")
    )]
    TooDeep {
        /// Source text.
        #[source_code]
        src: crate::lang::SourceText,
        /// Where the limit is passed.
        #[label("too deep")]
        span: SourceSpan,
        /// The limit.
        limit: usize,
    },
    /// A top-level node that is not an item.
    #[error("unknown item `{name}`")]
    #[diagnostic(code(clarity::syntax::unknown_item))]
    UnknownItem {
        /// The node name.
        name: String,
        /// Source text.
        #[source_code]
        src: crate::lang::SourceText,
        /// The node name's span.
        #[label("not an item")]
        span: SourceSpan,
        /// Did you mean / what items exist.
        #[help]
        help: String,
    },
    /// `true`, `false` or `null` without the `#` of KDL v2.
    #[error("`{word}` is not a value in KDL v2")]
    #[diagnostic(code(clarity::syntax::bare_keyword))]
    BareKeyword {
        /// The word.
        word: String,
        /// Source text.
        #[source_code]
        src: crate::lang::SourceText,
        /// The word's span.
        #[label("write `#{word}`")]
        span: SourceSpan,
        /// How KDL v2 writes it.
        #[help]
        help: String,
    },
    /// A comment started with `#`.
    #[error("`#` does not start a comment in KDL")]
    #[diagnostic(
        code(clarity::syntax::hash_comment),
        help("KDL comments are `//` (to the end of the line) and `/* */`")
    )]
    HashComment {
        /// Source text.
        #[source_code]
        src: crate::lang::SourceText,
        /// The comment.
        #[label("not a comment")]
        span: SourceSpan,
    },
    /// `key=value` written as a node of its own.
    #[error("`{key}=...` cannot stand on a line of its own")]
    #[diagnostic(code(clarity::syntax::key_value_node))]
    KeyValueNode {
        /// The key.
        key: String,
        /// Source text.
        #[source_code]
        src: crate::lang::SourceText,
        /// The whole `key=value`.
        #[label("key=value as a line")]
        span: SourceSpan,
        /// The two ways to write it.
        #[help]
        help: String,
    },
    /// A node of the right name but the wrong shape.
    #[error("{message}")]
    #[diagnostic(code(clarity::syntax::malformed))]
    Malformed {
        /// What is wrong.
        message: String,
        /// Source text.
        #[source_code]
        src: crate::lang::SourceText,
        /// Where.
        #[label("{label}")]
        span: SourceSpan,
        /// Label text.
        label: String,
        /// How to write it.
        #[help]
        help: String,
    },
}
