//! CLARITY evaluation: Task 1 and Task 2 (strict, multi-annotator, majority vote) reports.

mod clarity;

pub use clarity::{
    AnnotatorLabels, ClarityEvaluation, ClassNames, Reference, evaluate_clarity, matrix_of,
};
