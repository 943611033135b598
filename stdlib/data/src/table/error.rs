use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

/// A table could not be read, written or used.
#[derive(Debug, Error, Diagnostic)]
pub enum TableError {
    /// The file could not be opened, read or written.
    #[error("cannot {action} {}", path.display())]
    #[diagnostic(code(clarity::table::io))]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The extension names no known table format.
    #[error("{} is not a table file", path.display())]
    #[diagnostic(
        code(clarity::table::format),
        help("use a .parquet, .csv or .jsonl file")
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The file is not valid in its format.
    #[error("{}{}: {message}", path.display(), row.map(|r| format!(", row {r}")).unwrap_or_default())]
    #[diagnostic(
        code(clarity::table::malformed),
        help("check that the file is a valid {format} file")
    )]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The 1-based data row, when known.
        row: Option<usize>,
        /// "parquet", "CSV" or "JSONL".
        format: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A column the caller needs is absent.
    #[error("{source_name}: missing column `{column}`")]
    #[diagnostic(
        code(clarity::table::missing_column),
        help("the columns are: {available}")
    )]
    MissingColumn {
        /// The table's source file.
        source_name: String,
        /// The column wanted.
        column: String,
        /// The columns present, comma-separated.
        available: String,
    },
    /// Tables to concatenate have different columns.
    #[error("{first} and {second} have different columns")]
    #[diagnostic(
        code(clarity::table::column_mismatch),
        help("shards of one split must share their columns")
    )]
    ColumnMismatch {
        /// One table's source.
        first: String,
        /// The other's.
        second: String,
    },
}

io_error_constructors!(TableError);
