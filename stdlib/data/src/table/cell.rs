use std::borrow::Cow;

/// One value of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A missing value (parquet/JSON null; CSV has none).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// Text.
    Str(String),
}

impl Cell {
    /// The value as text: strings as they are, numbers and booleans printed, `None` for null.
    pub fn as_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Cell::Null => None,
            Cell::Bool(b) => Some(Cow::Owned(b.to_string())),
            Cell::Int(i) => Some(Cow::Owned(i.to_string())),
            Cell::Float(f) => Some(Cow::Owned(f.to_string())),
            Cell::Str(s) => Some(Cow::Borrowed(s)),
        }
    }

    /// Whether the cell is null or text that is empty after trimming whitespace.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Null => true,
            Cell::Str(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Str(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Str(s)
    }
}

impl From<i64> for Cell {
    fn from(i: i64) -> Self {
        Cell::Int(i)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Null, Into::into)
    }
}
