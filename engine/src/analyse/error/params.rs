//! Params checked against the stage kind's schema.

use miette::{Diagnostic, LabeledSpan, SourceSpan};
use thiserror::Error;

use super::Src;

/// A param the schema does not take, or a value it does not accept.
#[derive(Debug, Error, Diagnostic)]
pub enum ParamCheckError {
    /// A param the kind does not declare.
    #[error("stage kind `{kind}` has no param `{param}`")]
    #[diagnostic(code(clarity::param::unknown))]
    UnknownParam {
        /// The kind.
        kind: String,
        /// The param.
        param: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The param's name.
        #[label("unknown param")]
        span: SourceSpan,
        /// Did you mean / `clarity stages KIND`.
        #[help]
        help: String,
    },
    /// A stage kind's own check of its params failed.
    #[error("param `{param}`: {message}")]
    #[diagnostic(code(clarity::param::invalid))]
    InvalidParam {
        /// The param.
        param: String,
        /// What is wrong.
        message: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value.
        #[label("here")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },
    /// A param given twice in one stage.
    #[error("param `{param}` is given twice")]
    #[diagnostic(code(clarity::param::duplicate), help("keep one of them"))]
    DuplicateParam {
        /// The param.
        param: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The second one.
        #[label("given again here")]
        span: SourceSpan,
    },
    /// A value of the wrong type.
    #[error("param `{param}` expects {expected}, found {found}")]
    #[diagnostic(code(clarity::param::wrong_type))]
    WrongType {
        /// The param.
        param: String,
        /// The expected type.
        expected: String,
        /// The type found.
        found: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value.
        #[label("{found}")]
        span: SourceSpan,
        /// The param's doc.
        #[help]
        help: String,
    },
    /// A number out of its allowed range.
    #[error("param `{param}` is {value}, outside its range")]
    #[diagnostic(code(clarity::param::range))]
    OutOfRange {
        /// The param.
        param: String,
        /// The value.
        value: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value.
        #[label("out of range")]
        span: SourceSpan,
        /// The allowed range.
        #[help]
        help: String,
    },
    /// A string not among the allowed choices.
    #[error("param `{param}` cannot be \"{value}\"")]
    #[diagnostic(code(clarity::param::choice))]
    NotAChoice {
        /// The param.
        param: String,
        /// The value.
        value: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value.
        #[label("not allowed")]
        span: SourceSpan,
        /// Did you mean / the choices.
        #[help]
        help: String,
    },
    /// A required param is missing.
    #[error("stage `{stage}` is missing required param `{param}`")]
    #[diagnostic(code(clarity::param::missing))]
    MissingParam {
        /// The stage.
        stage: String,
        /// The param.
        param: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The stage's name.
        #[label("needs `{param}`")]
        span: SourceSpan,
        /// How to add it.
        #[help]
        help: String,
    },
    /// Params of which at most one may be given are given together.
    #[error("stage `{stage}` takes {rule}, but gives {given}")]
    #[diagnostic(code(clarity::param::conflict))]
    ParamConflict {
        /// The stage.
        stage: String,
        /// The params given: `both`, or `` `a`, `b` and `c` ``.
        given: String,
        /// The rule, `` exactly one of `repo`, `path` ``.
        rule: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// One label per conflicting param.
        #[label(collection)]
        labels: Vec<LabeledSpan>,
        /// Which to keep.
        #[help]
        help: String,
    },
    /// None of the params of which exactly one is needed is given.
    #[error("stage `{stage}` needs {rule}")]
    #[diagnostic(code(clarity::param::one_of))]
    MissingOneOf {
        /// The stage.
        stage: String,
        /// The rule, `` exactly one of `repo`, `path` ``.
        rule: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The stage's name.
        #[label("gives none of them")]
        span: SourceSpan,
        /// The params, with their docs.
        #[help]
        help: String,
    },
    /// A local path that does not exist.
    #[error("path `{path}` does not exist")]
    #[diagnostic(
        code(clarity::param::path),
        help("relative paths resolve against the directory clarity runs in")
    )]
    PathMissing {
        /// The path.
        path: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value.
        #[label("not found")]
        span: SourceSpan,
    },
}
