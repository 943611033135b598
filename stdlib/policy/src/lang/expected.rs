use std::fmt;

use crate::facts::FactValue;

/// A value a condition accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Text, compared without regard to case; `*` matches any run of characters.
    Text(String),
    /// `#true` / `#false`.
    Bool(bool),
    /// `#null`: the fact has no value (an unset variable, an unknown model).
    Unset,
}

impl Expected {
    /// Whether `value` is accepted.
    pub fn matches(&self, value: Option<&FactValue>) -> bool {
        match (self, value) {
            (Expected::Unset, None) => true,
            (Expected::Text(pattern), Some(FactValue::Text(text))) => glob(pattern, text),
            (Expected::Bool(want), Some(FactValue::Bool(have))) => want == have,
            _ => false,
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Text(s) => f.write_str(s),
            Expected::Bool(true) => f.write_str("#true"),
            Expected::Bool(false) => f.write_str("#false"),
            Expected::Unset => f.write_str("#null"),
        }
    }
}

/// Case-insensitive match of `text` against `pattern`, where `*` matches any run.
fn glob(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.to_lowercase(), text.to_lowercase());
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(pattern: &str, value: &str) -> bool {
        Expected::Text(pattern.into()).matches(Some(&FactValue::text(value)))
    }

    #[test]
    fn text_matches_ignore_case_and_expand_stars() {
        assert!(text("metal", "Metal"));
        assert!(!text("metal", "metals"));
        assert!(text("fetch-*", "fetch-model"));
        assert!(text("*", ""));
        assert!(text("microsoft/*-large", "microsoft/deberta-v3-large"));
        assert!(!text("microsoft/*-large", "microsoft/deberta-v3-base"));
        assert!(text("a*b*c", "aXbYc"));
        assert!(!text("a*b*c", "aXcYb"));
        assert!(!text("ab*ba", "aba"));
    }

    #[test]
    fn bools_and_unset_match_only_their_kind() {
        assert!(Expected::Bool(false).matches(Some(&FactValue::Bool(false))));
        assert!(!Expected::Bool(false).matches(Some(&FactValue::text("false"))));
        assert!(Expected::Unset.matches(None));
        assert!(!Expected::Unset.matches(Some(&FactValue::text(""))));
        assert!(!Expected::Text("*".into()).matches(None));
    }
}
