use miette::Diagnostic;
use thiserror::Error;

/// A table does not fit the CLARITY schema. Every variant names the file, and where it applies
/// the 1-based row (header excluded) and the column.
#[derive(Debug, Error, Diagnostic)]
pub enum SchemaError {
    /// A required column is absent.
    #[error("{file}: missing column `{column}`")]
    #[diagnostic(
        code(clarity::data::missing_column),
        help("the columns are: {available}")
    )]
    MissingColumn {
        /// The table's file.
        file: String,
        /// The column wanted.
        column: String,
        /// The columns present, comma-separated.
        available: String,
    },
    /// A label cell holds no known label.
    #[error("{file}, row {row}, column `{column}`: unknown {kind} label {value:?}")]
    #[diagnostic(
        code(clarity::data::unknown_label),
        help("expected one of: {expected}")
    )]
    UnknownLabel {
        /// The table's file.
        file: String,
        /// 1-based row.
        row: usize,
        /// The column.
        column: String,
        /// "evasion" or "clarity".
        kind: &'static str,
        /// The cell's text.
        value: String,
        /// The accepted spellings, comma-separated.
        expected: String,
    },
    /// A text cell is null or only whitespace.
    #[error("{file}, row {row}, column `{column}`: empty text")]
    #[diagnostic(
        code(clarity::data::empty_text),
        help("fill in the text or drop the row")
    )]
    EmptyText {
        /// The table's file.
        file: String,
        /// 1-based row.
        row: usize,
        /// The column.
        column: String,
    },
}
