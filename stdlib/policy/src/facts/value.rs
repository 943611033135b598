use std::fmt;

/// The value of a fact (a fact that is unknown or unset has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactValue {
    /// A name, a path, a variable's value.
    Text(String),
    /// A yes/no fact.
    Bool(bool),
}

impl FactValue {
    /// A text value.
    pub fn text(s: impl Into<String>) -> Self {
        FactValue::Text(s.into())
    }
}

impl fmt::Display for FactValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FactValue::Text(s) => f.write_str(s),
            FactValue::Bool(true) => f.write_str("#true"),
            FactValue::Bool(false) => f.write_str("#false"),
        }
    }
}
