use miette::Diagnostic;
use thiserror::Error;

/// Metrics were asked of inconsistent predictions and references.
#[derive(Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum MetricsError {
    /// Predictions and references differ in number.
    #[error("{predictions} predictions for {references} references")]
    #[diagnostic(
        code(clarity::metrics::length_mismatch),
        help("score predictions made on the same examples as the references")
    )]
    LengthMismatch {
        /// Number of predictions.
        predictions: usize,
        /// Number of references.
        references: usize,
    },
    /// A class index is not below the number of classes.
    #[error("class index {index} is out of range for {classes} classes")]
    #[diagnostic(
        code(clarity::metrics::class_out_of_range),
        help("the model's head and the label set disagree on the number of classes")
    )]
    ClassOutOfRange {
        /// The offending index.
        index: usize,
        /// Number of classes.
        classes: usize,
    },
    /// A multi-annotator reference has no label.
    #[error("example {example} has no annotator label")]
    #[diagnostic(
        code(clarity::metrics::empty_label_set),
        help("drop examples without annotations before multi-annotator scoring")
    )]
    EmptyLabelSet {
        /// 0-based position of the example.
        example: usize,
    },
    /// Class names and classes differ in number.
    #[error("{names} class names for {classes} classes")]
    #[diagnostic(code(clarity::metrics::names_mismatch))]
    NamesMismatch {
        /// Number of names given.
        names: usize,
        /// Number of classes.
        classes: usize,
    },
}

pub(crate) fn check_class(index: usize, classes: usize) -> Result<(), MetricsError> {
    if index < classes {
        Ok(())
    } else {
        Err(MetricsError::ClassOutOfRange { index, classes })
    }
}

pub(crate) fn check_lengths(predictions: usize, references: usize) -> Result<(), MetricsError> {
    if predictions == references {
        Ok(())
    } else {
        Err(MetricsError::LengthMismatch {
            predictions,
            references,
        })
    }
}
