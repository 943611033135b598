use std::fmt;
use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// A named source text for diagnostics that reads only the lines around a span, so
/// rendering a diagnostic costs the size of its context, not of the whole file.
#[derive(Clone)]
pub struct SourceText {
    name: String,
    text: Arc<String>,
}

impl SourceText {
    /// `text`, shown as `name`.
    pub fn new(name: impl Into<String>, text: Arc<String>) -> Self {
        Self {
            name: name.into(),
            text,
        }
    }
}

impl fmt::Debug for SourceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceText")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl SourceCode for SourceText {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let bytes = self.text.as_bytes();
        let end = span.offset().saturating_add(span.len());
        if end > bytes.len() {
            return Err(MietteError::OutOfBounds);
        }
        let start = back_lines(bytes, span.offset(), context_lines_before + 1);
        let stop = forward_lines(bytes, end, context_lines_after + 1);
        let base_line = bytecount_newlines(&bytes[..start]);
        let window = &bytes[start..stop];
        let local = SourceSpan::from((span.offset() - start, span.len()));
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        let offset = inner.span().offset() + start;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &bytes[offset..offset + inner.span().len()],
            SourceSpan::from((offset, inner.span().len())),
            inner.line() + base_line,
            inner.column(),
            inner.line_count() + base_line,
        )))
    }
}

/// The start of the line `lines` lines above the one holding `at` (or 0).
fn back_lines(bytes: &[u8], at: usize, lines: usize) -> usize {
    let mut seen = 0;
    let mut i = at.min(bytes.len());
    while i > 0 {
        if bytes[i - 1] == b'\n' {
            seen += 1;
            if seen > lines {
                return i;
            }
        }
        i -= 1;
    }
    0
}

/// The end of the line `lines` lines below the one holding `at` (or the end).
fn forward_lines(bytes: &[u8], at: usize, lines: usize) -> usize {
    let mut seen = 0;
    for (i, &b) in bytes.iter().enumerate().skip(at) {
        if b == b'\n' {
            seen += 1;
            if seen > lines {
                return i + 1;
            }
        }
    }
    bytes.len()
}

fn bytecount_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}
