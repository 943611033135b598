//! The command line: `--set` and `--only`.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use super::Src;

/// A malformed `--set`, or `--set`/`--only` naming a stage the pipeline lacks.
#[derive(Debug, Error, Diagnostic)]
pub enum ArgError {
    /// A malformed `--set`.
    #[error("bad --set `{arg}`: {message}")]
    #[diagnostic(
        code(clarity::set::syntax),
        help("write --set STAGE.PARAM=VALUE or --set VARIABLE=VALUE")
    )]
    BadSet {
        /// The argument.
        arg: String,
        /// What is wrong.
        message: String,
    },
    /// `--set` names an unknown stage.
    #[error("--set names unknown stage `{stage}`")]
    #[diagnostic(code(clarity::set::unknown_stage))]
    SetUnknownStage {
        /// The stage.
        stage: String,
        /// Source text (the argument).
        #[source_code]
        src: Src,
        /// The stage part.
        #[label("no such stage")]
        span: SourceSpan,
        /// Did you mean.
        #[help]
        help: String,
    },
    /// `--only` names an unknown stage.
    #[error("--only names unknown stage `{stage}`")]
    #[diagnostic(code(clarity::only::unknown_stage))]
    OnlyUnknownStage {
        /// The stage.
        stage: String,
        /// Did you mean.
        #[help]
        help: String,
    },
    /// `--force=STAGE` names no stage.
    #[error("--force names unknown stage `{stage}`")]
    #[diagnostic(code(clarity::force::unknown_stage))]
    ForceUnknownStage {
        /// The stage.
        stage: String,
        /// Did you mean.
        #[help]
        help: String,
    },
}
