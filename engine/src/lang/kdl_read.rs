//! What every KDL language clarity reads (pipelines, device policies) shares: the guarded
//! text -> document step (size and nesting limits first, since the `kdl` parser recurses
//! once per level; a parser panic caught), precise spans of entries, and the `expect_*`
//! helpers of a reader that collects diagnostics.

use std::panic::{AssertUnwindSafe, catch_unwind};

use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};
use miette::SourceSpan;

use super::{Source, Spanned};

/// The largest KDL file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 1 << 20;
/// The deepest nesting of `{ }` blocks accepted.
pub const MAX_DEPTH: usize = 32;

/// Why a text gave no KDL document. Each language turns these into its own diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KdlProblem {
    /// The text is longer than [`MAX_FILE_BYTES`].
    TooLarge {
        /// Its size in bytes.
        size: usize,
    },
    /// `{ }` blocks nest deeper than [`MAX_DEPTH`]; `span` is the brace that passes it.
    TooDeep {
        /// Where.
        span: SourceSpan,
    },
    /// The KDL parser rejected the text (one per error it found).
    Syntax {
        /// What is wrong.
        message: String,
        /// Where (within the text).
        span: SourceSpan,
        /// Label text.
        label: String,
        /// How to fix it.
        help: Option<String>,
    },
}

/// The KDL v2 document of `text`, or every problem that kept it from being read.
pub fn read_document(text: &str) -> Result<KdlDocument, Vec<KdlProblem>> {
    if text.len() > MAX_FILE_BYTES {
        return Err(vec![KdlProblem::TooLarge { size: text.len() }]);
    }
    if let Some(offset) = too_deep_at(text) {
        let span = SourceSpan::from((offset, 1));
        return Err(vec![KdlProblem::TooDeep { span }]);
    }
    match catch_unwind(AssertUnwindSafe(|| KdlDocument::parse_v2(text))) {
        Ok(Ok(doc)) => Ok(doc),
        Ok(Err(error)) => Err(error
            .diagnostics
            .into_iter()
            .map(|d| KdlProblem::Syntax {
                message: d.message.unwrap_or_else(|| "invalid KDL".into()),
                span: clamp(d.span, text.len()),
                label: d.label.unwrap_or_else(|| "here".into()),
                help: d.help,
            })
            .collect()),
        Err(_) => Err(vec![KdlProblem::Syntax {
            message: "the KDL parser failed on this file".into(),
            span: SourceSpan::from((0, 0)),
            label: "here".into(),
            help: Some("check that the file is valid KDL v2".into()),
        }]),
    }
}

/// A reader of KDL nodes that collects its mistakes as diagnostics; the provided methods
/// read what every clarity language reads the same way.
pub trait NodeReader {
    /// The text being read.
    fn source(&self) -> &Source;
    /// Records a malformed construct at `span`.
    fn malformed(&mut self, span: SourceSpan, message: &str, label: &str, help: &str);
    /// What the language's names name, for messages (`"name"`, `"policy name"`).
    const NAME_WHAT: &'static str = "name";
    /// A valid name of the language, for help texts.
    const NAME_EXAMPLE: &'static str;

    /// `range` clamped to the text, as a [`super::Span`].
    fn span(&self, range: SourceSpan) -> super::Span {
        let source = self.source();
        source.span(clamp(range, source.text().len()))
    }

    /// The entry's value as a string (an error when it is another type or annotated).
    fn expect_string(&mut self, entry: &KdlEntry) -> Option<Spanned<String>> {
        let span = value_span(entry);
        match entry.value() {
            KdlValue::String(s) if entry.ty().is_none() => {
                Some(Spanned::new(s.clone(), self.span(span)))
            }
            _ => {
                self.malformed(
                    span,
                    "expected a string",
                    "not a string",
                    "quote it: \"...\"",
                );
                None
            }
        }
    }

    /// The entry's value as a name: letters, digits, `-` and `_` (see [`is_name`]).
    fn expect_name(&mut self, entry: &KdlEntry) -> Option<Spanned<String>> {
        let name = self.expect_string(entry)?;
        if is_name(&name.value) {
            return Some(name);
        }
        let help = format!(
            "use letters, digits, `-` and `_`, e.g. \"{}\"",
            Self::NAME_EXAMPLE
        );
        self.malformed(
            name.span.range,
            &format!("`{}` is not a valid {}", name.value, Self::NAME_WHAT),
            "invalid name",
            &help,
        );
        None
    }

    /// Whether the node has a `(type)` annotation, which clarity's languages do not use
    /// (reported as an error).
    fn reject_annotation(&mut self, node: &KdlNode) -> bool {
        let Some(ty) = node.ty() else { return false };
        self.malformed(
            ty.span(),
            "type annotations are not supported",
            "annotation",
            "remove the `(type)` prefix",
        );
        true
    }
}

/// Whether `s` is a valid name (of a stage, variable or policy): letters, digits, `-`, `_`, not empty.
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The span of an entry's value (a property's own span covers `key=value`).
pub fn value_span(entry: &KdlEntry) -> SourceSpan {
    let whole = entry.span();
    let Some(repr) = entry
        .format()
        .map(|f| f.value_repr.len())
        .filter(|n| *n > 0)
    else {
        return whole;
    };
    let end = whole.offset() + whole.len();
    let len = repr.min(whole.len());
    SourceSpan::from((end - len, len))
}

/// `span` cut to a text of `len` bytes.
pub fn clamp(span: SourceSpan, len: usize) -> SourceSpan {
    let offset = span.offset().min(len);
    SourceSpan::from((offset, span.len().min(len - offset)))
}

/// The offset where `{` nesting first passes [`MAX_DEPTH`], outside strings and comments.
fn too_deep_at(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'"', _) => i = skip_string(bytes, i + 1),
            (b'/', Some(b'/')) => i = find(bytes, i, b"\n"),
            (b'/', Some(b'*')) => i = find(bytes, i + 2, b"*/"),
            (b'{', _) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            (b'}', _) => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the closing quote of a string whose body starts at `i` (the end of the
/// text when it is unterminated).
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'"' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i
}

/// The index of the last byte of the first `end` at or after `from` (the end of the text
/// when there is none).
fn find(bytes: &[u8], from: usize, end: &[u8]) -> usize {
    bytes[from..]
        .windows(end.len())
        .position(|w| w == end)
        .map_or(bytes.len(), |p| from + p + end.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_outside_strings_and_comments() {
        let deep = "{".repeat(MAX_DEPTH + 1);
        assert_eq!(too_deep_at(&deep), Some(MAX_DEPTH));
        let quoted = format!("a \"{deep}\" // {deep}\n/* {deep} */ b {{ }}");
        assert_eq!(too_deep_at(&quoted), None);
        assert_eq!(too_deep_at("a \"\\\"{\" { }"), None);
    }

    #[test]
    fn oversized_and_broken_texts_are_problems_not_panics() {
        let big = " ".repeat(MAX_FILE_BYTES + 1);
        assert_eq!(
            read_document(&big).unwrap_err(),
            [KdlProblem::TooLarge { size: big.len() }]
        );
        let Err(problems) = read_document("a {") else {
            panic!("an unclosed block parsed");
        };
        assert!(matches!(problems[0], KdlProblem::Syntax { .. }));
    }

    #[test]
    fn a_property_value_span_excludes_the_key() {
        let doc = read_document("node key=\"value\"").unwrap();
        let entry = &doc.nodes()[0].entries()[0];
        assert_eq!(value_span(entry), SourceSpan::from((9, 7)));
    }
}
