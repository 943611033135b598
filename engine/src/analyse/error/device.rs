//! The pipeline's device and policy libraries, and placing stages with them.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use super::Src;

/// A mistake in the pipeline's `device` or `use` items, or a stage the device policies cannot place.
#[derive(Debug, Error, Diagnostic)]
pub enum DeviceError {
    /// `use` names a library this binary does not have.
    #[error("unknown library `{name}`")]
    #[diagnostic(code(clarity::library::unknown))]
    UnknownLibrary {
        /// The name.
        name: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The name's span.
        #[label("no such library")]
        span: SourceSpan,
        /// Did you mean / what exists.
        #[help]
        help: String,
    },
    /// A pipeline names its device twice.
    #[error("the pipeline's `device` is given twice")]
    #[diagnostic(code(clarity::device::duplicate))]
    DuplicateDevice {
        /// Source text.
        #[source_code]
        src: Src,
        /// The second `device`.
        #[label("given again here")]
        span: SourceSpan,
        /// What the first says.
        #[help]
        help: String,
    },
    /// The placement hook (device policies) rejected a stage.
    #[error("cannot place stage `{stage}`: {reason}")]
    #[diagnostic(code(clarity::placement))]
    Placement {
        /// The stage.
        stage: String,
        /// The hook's message.
        reason: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The stage.
        #[label("this stage")]
        span: SourceSpan,
        /// The hook's help.
        #[help]
        help: Option<String>,
    },
}
