use std::sync::Arc;

use miette::{NamedSource, SourceSpan};

/// The text of a `config.json` with its name, for diagnostics that point into it.
#[derive(Debug, Clone)]
pub(crate) struct SourceText {
    name: String,
    text: String,
}

impl SourceText {
    pub(crate) fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn named(&self) -> Arc<NamedSource<String>> {
        Arc::new(NamedSource::new(self.name.clone(), self.text.clone()).with_language("json"))
    }

    /// The span of serde_json's error position (1-based line and column).
    pub(crate) fn span_at(&self, line: usize, column: usize) -> SourceSpan {
        let mut offset = 0;
        for (i, l) in self.text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                offset += column.saturating_sub(1).min(l.len());
                break;
            }
            offset += l.len();
        }
        let offset = offset.min(self.text.len().saturating_sub(1));
        let len = usize::from(offset < self.text.len());
        (offset, len).into()
    }

    /// The span of the `"field": value` entry (up to the end of its line), or an empty span
    /// at the start when the field is absent.
    pub(crate) fn field_span(&self, field: &str) -> SourceSpan {
        let key = format!("\"{field}\"");
        match self.text.find(&key) {
            Some(start) => {
                let rest = &self.text[start..];
                let end = rest.find('\n').unwrap_or(rest.len());
                let entry = rest[..end].trim_end().trim_end_matches(',');
                (start, entry.len()).into()
            }
            None => (0, 0).into(),
        }
    }

    /// The span of the whole text.
    pub(crate) fn whole(&self) -> SourceSpan {
        (0, self.text.len()).into()
    }
}
