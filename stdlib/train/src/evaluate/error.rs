use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

/// Predictions and references could not be scored.
#[derive(Debug, Error, Diagnostic)]
pub enum EvaluateError {
    /// The predictions file could not be read.
    #[error("cannot read predictions {path}: {reason}")]
    #[diagnostic(
        code(clarity::evaluate::bad_predictions),
        help(
            "the file must be a CSV with the header id,clarity_pred,evasion_pred as the predict stage writes it"
        )
    )]
    BadPredictions {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A prediction names no known label.
    #[error("{path}, row {row}: unknown {kind} label {value:?}")]
    #[diagnostic(
        code(clarity::evaluate::unknown_label),
        help("expected one of: {expected}")
    )]
    UnknownLabel {
        /// The file.
        path: PathBuf,
        /// 1-based data row.
        row: usize,
        /// "clarity" or "evasion".
        kind: &'static str,
        /// The cell.
        value: String,
        /// The accepted names.
        expected: String,
    },
    /// Predictions and references cover different examples.
    #[error("{count} {what}, e.g. id `{example}`")]
    #[diagnostic(
        code(clarity::evaluate::ids_differ),
        help(
            "evaluate predictions made on the same table the references come from (ids are the `index` column, else the row number)"
        )
    )]
    IdsDiffer {
        /// How many.
        count: usize,
        /// "references have no prediction" or "predictions have no reference".
        what: &'static str,
        /// One of them.
        example: String,
    },
    /// An example id appears more than once.
    #[error("the {what} hold id `{id}` {count} times (rows {rows})")]
    #[diagnostic(
        code(clarity::evaluate::duplicate_id),
        help(
            "predictions and references must have one row per example id: make the table's `index` column unique (ids are the `index` column, else the row number)"
        )
    )]
    DuplicateId {
        /// "predictions" or "references".
        what: &'static str,
        /// The id.
        id: String,
        /// How often it appears.
        count: usize,
        /// Its 1-based data rows.
        rows: String,
    },
    /// A reference label cell is not a label.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Schema(#[from] clarity_data::clarity::SchemaError),
    /// Scoring failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    /// Drawing a confusion matrix failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plot(#[from] crate::plot::PlotError),
    /// Writing a report failed.
    #[error("cannot write {path}")]
    #[diagnostic(code(clarity::evaluate::write))]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}
