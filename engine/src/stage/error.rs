use miette::Diagnostic;
use thiserror::Error;

/// A stage asked for a param that is missing or of another type.
///
/// The engine validates params against the schema before a stage runs, so this means the
/// stage asked for a name or type its schema does not declare.
#[derive(Debug, Error, Diagnostic)]
pub enum ParamError {
    /// No value for the param.
    #[error("param `{name}` has no value")]
    #[diagnostic(
        code(clarity::param::missing),
        help("declare it in the stage's schema as required or with a default")
    )]
    Missing {
        /// Param name.
        name: String,
    },
    /// The value has another type.
    #[error("param `{name}` is a {found}, not a {expected}")]
    #[diagnostic(
        code(clarity::param::wrong_type),
        help("the stage's schema and the accessor it uses disagree")
    )]
    WrongType {
        /// Param name.
        name: String,
        /// Type the stage asked for.
        expected: &'static str,
        /// Type of the stored value.
        found: &'static str,
    },
    /// `input`/`inputs`/`output_dir` was called with a name the stage does not have.
    #[error("stage has no {what} called `{name}`")]
    #[diagnostic(code(clarity::param::unknown_slot))]
    UnknownSlot {
        /// "input" or "output".
        what: &'static str,
        /// The name asked for.
        name: String,
    },
    /// The value does not fit the type the stage reads it as (a count below zero, a choice
    /// the stage does not know): the stage's schema is looser than its accessor.
    #[error("param `{name}` = {value} is not {expected}")]
    #[diagnostic(
        code(clarity::param::unbounded),
        help(
            "bound the param in the stage's schema (`ParamType::Int {{ min, max }}`, `ParamType::Choice`), so `clarity check` refuses it"
        )
    )]
    Unbounded {
        /// Param name.
        name: String,
        /// The value, as written.
        value: String,
        /// What the stage reads it as, e.g. "a count (0 or more)".
        expected: String,
    },
}
