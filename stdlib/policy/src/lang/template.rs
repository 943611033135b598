use std::fmt;

use crate::facts::{FactValue, fact_spec};

/// Text that quotes facts as `{fact}` (`{{` and `}}` are literal braces), as in a `warn`
/// message or an `env` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    raw: String,
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Fact(String),
}

/// A placeholder that is not a fact, or not closed: where it is in the text (in bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    /// Offset of the `{`.
    pub offset: usize,
    /// Length up to and including the `}` (to the end when unclosed).
    pub len: usize,
    /// The name inside the braces, `None` when unclosed.
    pub fact: Option<String>,
}

impl Template {
    /// Parses `text`, checking that every placeholder names a fact.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text.char_indices().peekable();
        while let Some((at, c)) = rest.next() {
            match (c, rest.peek().map(|(_, n)| *n)) {
                ('{', Some('{')) | ('}', Some('}')) => {
                    literal.push(c);
                    rest.next();
                }
                ('{', _) => {
                    let Some(close) = text[at..].find('}') else {
                        return Err(TemplateError {
                            offset: at,
                            len: text.len() - at,
                            fact: None,
                        });
                    };
                    let name = &text[at + 1..at + close];
                    if fact_spec(name).is_none() {
                        return Err(TemplateError {
                            offset: at,
                            len: close + 1,
                            fact: Some(name.to_owned()),
                        });
                    }
                    parts.push(Part::Text(std::mem::take(&mut literal)));
                    parts.push(Part::Fact(name.to_owned()));
                    while rest.next_if(|(i, _)| *i <= at + close).is_some() {}
                }
                _ => literal.push(c),
            }
        }
        parts.push(Part::Text(literal));
        parts.retain(|p| !matches!(p, Part::Text(t) if t.is_empty()));
        Ok(Self {
            raw: text.to_owned(),
            parts,
        })
    }

    /// The text with each fact's value in place (`unknown` for a fact without one).
    pub fn render(&self, fact: &dyn Fn(&str) -> Option<FactValue>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Fact(name) => match fact(name) {
                    Some(FactValue::Text(t)) => out.push_str(&t),
                    Some(FactValue::Bool(b)) => out.push_str(if b { "true" } else { "false" }),
                    None => out.push_str("unknown"),
                },
            }
        }
        out
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str) -> String {
        let facts = |name: &str| match name {
            "device" => Some(FactValue::text("metal")),
            "hf-cache-writable" => Some(FactValue::Bool(false)),
            _ => None,
        };
        Template::parse(text).unwrap().render(&facts)
    }

    #[test]
    fn placeholders_are_replaced_by_fact_values() {
        assert_eq!(
            render("on {device}, writable: {hf-cache-writable}"),
            "on metal, writable: false"
        );
        assert_eq!(render("model {model}"), "model unknown");
        assert_eq!(render("HOME is {env.HOME}!"), "HOME is unknown!");
        assert_eq!(render("{{literal}} and }"), "{literal} and }");
        assert_eq!(render("ünïcode {device} ✓"), "ünïcode metal ✓");
    }

    #[test]
    fn unknown_and_unclosed_placeholders_are_errors_with_their_place() {
        let error = Template::parse("on {devcie} now").unwrap_err();
        assert_eq!(
            error,
            TemplateError {
                offset: 3,
                len: 8,
                fact: Some("devcie".into())
            }
        );
        let error = Template::parse("on {device").unwrap_err();
        assert_eq!(
            error,
            TemplateError {
                offset: 3,
                len: 7,
                fact: None
            }
        );
    }
}
