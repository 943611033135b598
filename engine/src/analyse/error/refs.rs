//! References between stages, and the cycles they make.

use miette::{Diagnostic, LabeledSpan, SourceSpan};
use thiserror::Error;

use super::Src;

/// A reference to a stage or output that does not exist or does not fit, or a dependency cycle.
#[derive(Debug, Error, Diagnostic)]
pub enum ReferenceError {
    /// A reference to an unknown stage.
    #[error("reference to unknown stage `{stage}`")]
    #[diagnostic(code(clarity::reference::unknown_stage))]
    UnknownStage {
        /// The stage named.
        stage: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The reference.
        #[label("no such stage")]
        span: SourceSpan,
        /// Did you mean.
        #[help]
        help: String,
    },
    /// A reference to an output the stage does not have (or `stage` alone for a stage with
    /// several outputs).
    #[error("stage `{stage}` has no output `{output}`")]
    #[diagnostic(code(clarity::reference::unknown_output))]
    UnknownOutput {
        /// The stage.
        stage: String,
        /// The output named.
        output: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The reference.
        #[label("no such output")]
        span: SourceSpan,
        /// Did you mean / the outputs.
        #[help]
        help: String,
    },
    /// A reference to an output of the wrong artifact kind.
    #[error("`{reference}` is a {produced} output, but param `{param}` expects a {expected}")]
    #[diagnostic(
        code(clarity::reference::kind),
        help("pick an output of kind {expected}")
    )]
    KindMismatch {
        /// The reference.
        reference: String,
        /// The param.
        param: String,
        /// Kind produced.
        produced: String,
        /// Kind expected.
        expected: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The reference.
        #[label("{produced}")]
        span: SourceSpan,
    },
    /// An ensemble referenced where a single artifact is expected.
    #[error("`{reference}` names the {count} stages of an ensemble, but param `{param}` takes one")]
    #[diagnostic(code(clarity::reference::ensemble))]
    EnsembleInSingle {
        /// The reference.
        reference: String,
        /// The param.
        param: String,
        /// Number of members.
        count: usize,
        /// Source text.
        #[source_code]
        src: Src,
        /// The reference.
        #[label("an ensemble")]
        span: SourceSpan,
        /// Members.
        #[help]
        help: String,
    },
    /// The stages depend on each other in a cycle.
    #[error("dependency cycle: {path}")]
    #[diagnostic(
        code(clarity::graph::cycle),
        help("a stage cannot depend on its own outputs; remove one of these references")
    )]
    Cycle {
        /// `a -> b -> a`.
        path: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// One label per edge of the cycle.
        #[label(collection)]
        edges: Vec<LabeledSpan>,
    },
}
