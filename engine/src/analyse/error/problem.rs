//! A stage kind's own check of its params, under a code of the kind's own.

use std::fmt::Display;

use miette::{Diagnostic, LabeledSpan, SourceCode, SourceSpan};
use thiserror::Error;

use super::Src;

/// A problem a stage kind's check found and named with its own stable code (e.g.
/// `clarity::tokenize::unknown_column`); problems without one are
/// [`ParamCheckError::InvalidParam`](super::ParamCheckError::InvalidParam).
#[derive(Debug, Error)]
#[error("param `{param}`: {message}")]
pub struct CodedParamProblem {
    /// The diagnostic code.
    pub code: &'static str,
    /// The param.
    pub param: String,
    /// What is wrong.
    pub message: String,
    /// Source text.
    pub src: Src,
    /// The value.
    pub span: SourceSpan,
    /// How to fix it.
    pub help: String,
}

impl Diagnostic for CodedParamProblem {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let here = LabeledSpan::new_with_span(Some("here".to_owned()), self.span);
        Some(Box::new(std::iter::once(here)))
    }
}
