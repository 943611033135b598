//! Collected diagnostics and how they are rendered.

mod render;

pub use render::{Style, render};

use std::fmt;

use miette::Diagnostic;

/// The most diagnostics kept (and rendered) from one pass; the rest are only counted, so a
/// file with thousands of mistakes is reported quickly.
pub const MAX_KEPT: usize = 100;

/// Every diagnostic found in one pass over a pipeline, in the order found (the first
/// [`MAX_KEPT`] of them; the rest are counted).
#[derive(Default)]
pub struct Diagnostics {
    items: Vec<Box<dyn Diagnostic + Send + Sync + 'static>>,
    dropped: usize,
}

impl Diagnostics {
    /// None yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one.
    pub fn push(&mut self, diagnostic: impl Diagnostic + Send + Sync + 'static) {
        if self.items.len() < MAX_KEPT {
            self.items.push(Box::new(diagnostic));
        } else {
            self.dropped += 1;
        }
    }

    /// Whether no more diagnostics are kept (callers may skip costly suggestions).
    pub fn is_full(&self) -> bool {
        self.items.len() >= MAX_KEPT
    }

    /// Adds one that arrived as a report (e.g. from a stage or the placement hook).
    pub fn push_report(&mut self, report: miette::Report) {
        if self.items.len() < MAX_KEPT {
            self.items.push(report.into());
        } else {
            self.dropped += 1;
        }
    }

    /// Adds several.
    pub fn extend<D: Diagnostic + Send + Sync + 'static>(
        &mut self,
        items: impl IntoIterator<Item = D>,
    ) {
        for item in items {
            self.push(item);
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many were found (kept or not).
    pub fn len(&self) -> usize {
        self.items.len() + self.dropped
    }

    /// Each diagnostic.
    pub fn iter(&self) -> impl Iterator<Item = &(dyn Diagnostic + Send + Sync + 'static)> {
        self.items.iter().map(AsRef::as_ref)
    }

    /// Their codes, in order (handy in tests).
    pub fn codes(&self) -> Vec<String> {
        self.iter()
            .map(|d| d.code().map(|c| c.to_string()).unwrap_or_default())
            .collect()
    }

    /// All of them rendered in `style`, separated by blank lines.
    pub fn render(&self, style: Style) -> String {
        let mut out = self
            .iter()
            .map(|d| render(d, style))
            .collect::<Vec<_>>()
            .join("\n");
        if self.dropped > 0 {
            out.push_str(&format!("\n... and {} more not shown\n", self.dropped));
        }
        out
    }
}

impl fmt::Debug for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|d| d.to_string()))
            .finish()
    }
}
