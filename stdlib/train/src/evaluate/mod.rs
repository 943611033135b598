//! CLARITY evaluation: Task 1 and Task 2 (strict, multi-annotator, majority vote) reports,
//! from predictions files and reference tables.

mod baseline;
mod clarity;
mod error;
mod files;

pub use baseline::{Baseline, collapse};
pub use clarity::{
    AnnotatorLabels, ClarityEvaluation, ClassNames, Reference, evaluate_clarity, matrix_of,
};
pub use error::EvaluateError;
pub use files::{
    PredictionRows, evaluate_predictions, read_predictions, references_from_table, write_evaluation,
};
