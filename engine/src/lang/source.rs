use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::SourceSpan;

use super::SourceText;

/// One source text (a pipeline file, an included fragment, a `--set` argument) shared by
/// every span into it.
#[derive(Clone, Debug)]
pub struct Source {
    inner: Arc<SourceInner>,
}

#[derive(Debug)]
struct SourceInner {
    name: String,
    path: Option<PathBuf>,
    text: Arc<String>,
}

impl Source {
    /// A source called `name` (shown in diagnostics), read from `path` if it is a file.
    pub fn new(name: impl Into<String>, path: Option<PathBuf>, text: impl Into<String>) -> Self {
        let inner = SourceInner {
            name: name.into(),
            path,
            text: Arc::new(text.into()),
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The name shown in diagnostics.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The file it was read from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.inner.text
    }

    /// The text as miette source code, named.
    pub fn named(&self) -> SourceText {
        self.source_text()
    }

    /// The text as miette source code that reads only the lines around a span (fast on
    /// large files); the engine's diagnostics use it.
    pub fn source_text(&self) -> SourceText {
        SourceText::new(self.name(), Arc::clone(&self.inner.text))
    }

    /// A span covering `range` of this source.
    pub fn span(&self, range: impl Into<SourceSpan>) -> Span {
        Span {
            source: self.clone(),
            range: range.into(),
        }
    }
}

/// A place in a [`Source`].
#[derive(Clone, Debug)]
pub struct Span {
    /// The source it points into.
    pub source: Source,
    /// Byte offset and length.
    pub range: SourceSpan,
}

/// A value and where it was written.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// `value` written at `span`.
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }

    /// The same span with another value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned {
            value: f(self.value),
            span: self.span,
        }
    }

    /// A reference to the value, with the same span.
    pub fn as_ref(&self) -> Spanned<&T> {
        Spanned {
            value: &self.value,
            span: self.span.clone(),
        }
    }
}
