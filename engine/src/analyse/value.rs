use crate::Value;
use crate::lang::Spanned;

/// An evaluated expression: one value, or a list whose items keep their spans.
#[derive(Clone, Debug)]
pub enum EValue {
    /// A single value (never `Value::List`).
    Scalar(Value),
    /// Several values.
    List(Vec<Spanned<Value>>),
}

impl EValue {
    /// The type name for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Scalar(v) => v.type_name(),
            Self::List(_) => "list",
        }
    }

    /// As a plain value.
    pub fn to_value(&self) -> Value {
        match self {
            Self::Scalar(v) => v.clone(),
            Self::List(items) => Value::List(items.iter().map(|i| i.value.clone()).collect()),
        }
    }
}
