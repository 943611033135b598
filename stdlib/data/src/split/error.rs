use miette::Diagnostic;
use thiserror::Error;

/// Why a stratified split cannot be made.
#[derive(Debug, Error, Diagnostic)]
pub enum SplitError {
    /// The fraction is not in (0, 1).
    #[error("the validation fraction {fraction} is not between 0 and 1")]
    #[diagnostic(code(clarity::split::fraction), help("use a fraction such as 0.15"))]
    Fraction {
        /// The fraction given.
        fraction: f64,
    },
    /// One side of the split would be empty.
    #[error(
        "splitting {rows} rows at {fraction} leaves {train} training and {test} validation rows"
    )]
    #[diagnostic(
        code(clarity::split::empty_side),
        help("use more rows or another fraction")
    )]
    EmptySide {
        /// Number of rows.
        rows: usize,
        /// The fraction given.
        fraction: f64,
        /// Training rows.
        train: usize,
        /// Validation rows.
        test: usize,
    },
    /// A class has fewer than two rows, so it cannot be on both sides.
    #[error("class {class:?} has only {count} row; stratification needs at least 2 per class")]
    #[diagnostic(
        code(clarity::split::tiny_class),
        help("merge or drop the rare class, or split by another column")
    )]
    TinyClass {
        /// The class value.
        class: String,
        /// Its row count.
        count: usize,
    },
    /// One side would have fewer rows than there are classes.
    #[error("the {side} side would have {size} rows but there are {classes} classes")]
    #[diagnostic(
        code(clarity::split::too_few_rows),
        help("change the fraction so each side can hold every class")
    )]
    TooFewRows {
        /// "training" or "validation".
        side: &'static str,
        /// Rows on that side.
        size: usize,
        /// Number of classes.
        classes: usize,
    },
}
