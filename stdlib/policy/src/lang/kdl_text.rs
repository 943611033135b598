//! KDL text -> document, guarded: size and nesting limits first (the KDL parser recurses
//! once per level), parser panics caught.

use std::panic::{AssertUnwindSafe, catch_unwind};

use clarity_engine::lang::Source;
use kdl::KdlDocument;
use miette::SourceSpan;

use super::PolicyError;
use super::parser::{MAX_DEPTH, MAX_FILE_BYTES};

/// The document of `source`, or why there is none.
pub fn parse_kdl(source: &Source) -> Result<KdlDocument, Vec<PolicyError>> {
    let text = source.text();
    if text.len() > MAX_FILE_BYTES {
        let name = source.name().to_owned();
        return Err(vec![PolicyError::TooLarge {
            name,
            size: text.len(),
            limit: MAX_FILE_BYTES,
        }]);
    }
    if let Some(offset) = too_deep_at(text) {
        let span = SourceSpan::from((offset, 1));
        return Err(vec![PolicyError::TooDeep {
            src: source.source_text(),
            span,
            limit: MAX_DEPTH,
        }]);
    }
    match catch_unwind(AssertUnwindSafe(|| KdlDocument::parse_v2(text))) {
        Ok(Ok(doc)) => Ok(doc),
        Ok(Err(error)) => Err(error
            .diagnostics
            .into_iter()
            .map(|d| PolicyError::Syntax {
                message: d.message.unwrap_or_else(|| "invalid KDL".into()),
                src: source.source_text(),
                span: clamp(d.span, text.len()),
                label: d.label.unwrap_or_else(|| "here".into()),
                help: d.help,
            })
            .collect()),
        Err(_) => Err(vec![PolicyError::Syntax {
            message: "the KDL parser failed on this file".into(),
            src: source.source_text(),
            span: SourceSpan::from((0, 0)),
            label: "here".into(),
            help: Some("check that the file is valid KDL v2".into()),
        }]),
    }
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
}
