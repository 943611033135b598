use std::borrow::Cow;

use crate::clarity::{SchemaError, require_text};
use crate::table::Table;

use super::error::TokenizeError;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Column(String),
}

/// A text template over table columns, e.g. `"Question: {interview_question}\nAnswer: {interview_answer}"`.
/// `{{` and `}}` stand for literal braces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextTemplate {
    text: String,
    parts: Vec<Part>,
}

impl TextTemplate {
    /// The template QEvasion models are trained with.
    pub const QEVASION: &'static str = "Question: {interview_question}\nAnswer: {interview_answer}";

    /// Parses a template.
    pub fn parse(text: &str) -> Result<Self, TokenizeError> {
        let parts = parse_parts(text).map_err(|message| TokenizeError::Template {
            template: text.to_string(),
            message: message.to_string(),
        })?;
        Ok(Self {
            text: text.to_string(),
            parts,
        })
    }

    /// The template text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The columns it uses, in order of first use.
    pub fn columns(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for part in &self.parts {
            if let Part::Column(name) = part
                && !names.contains(&name.as_str())
            {
                names.push(name);
            }
        }
        names
    }

    /// The text of row `row` (0-based). A missing column or a blank cell is a diagnostic naming
    /// the file, row and column.
    pub fn render(&self, table: &Table, row: usize) -> Result<String, SchemaError> {
        let mut out = String::new();
        for part in &self.parts {
            let piece: Cow<'_, str> = match part {
                Part::Literal(text) => Cow::Borrowed(text),
                Part::Column(name) => require_text(table, name, row)?,
            };
            out.push_str(&piece);
        }
        Ok(out)
    }
}

/// The literal and column parts of a template, `{{`/`}}` unescaped (at least one column);
/// the error message names what is malformed.
fn parse_parts(text: &str) -> Result<Vec<Part>, &'static str> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                literal.push('}');
            }
            '{' => {
                let name = column_name(&mut chars)?;
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                parts.push(Part::Column(name));
            }
            '}' => return Err("a `}` has no matching `{`"),
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        parts.push(Part::Literal(literal));
    }
    if !parts.iter().any(|p| matches!(p, Part::Column(_))) {
        return Err("the template uses no column");
    }
    Ok(parts)
}

/// The trimmed column name after a `{`, through its closing `}`.
fn column_name(chars: &mut impl Iterator<Item = char>) -> Result<String, &'static str> {
    let mut name = String::new();
    loop {
        match chars.next() {
            Some('}') => break,
            Some('{') | None => return Err("a `{` is not closed"),
            Some(c) => name.push(c),
        }
    }
    let name = name.trim();
    if name.is_empty() {
        return Err("`{}` names no column");
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::TextTemplate;
    use crate::table::{Cell, Column, Table};

    #[test]
    fn renders_columns_and_escaped_braces() {
        let t = TextTemplate::parse("Q: {q} {{lit}} A: { a }").unwrap();
        assert_eq!(t.columns(), ["q", "a"]);
        let table = Table::new(
            "x.csv",
            vec![
                Column {
                    name: "q".into(),
                    cells: vec!["Why?".into()],
                },
                Column {
                    name: "a".into(),
                    cells: vec![Cell::Int(42)],
                },
            ],
        );
        assert_eq!(t.render(&table, 0).unwrap(), "Q: Why? {lit} A: 42");
    }

    #[test]
    fn rejects_malformed_templates() {
        for bad in ["{q", "q}", "{}", "no columns", "{a{b}}"] {
            assert!(TextTemplate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn qevasion_template_uses_question_and_answer() {
        let t = TextTemplate::parse(TextTemplate::QEVASION).unwrap();
        assert_eq!(t.columns(), ["interview_question", "interview_answer"]);
    }
}
