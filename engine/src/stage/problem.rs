/// Something a stage kind finds wrong with its params at check time, beyond what its
/// [`StageSchema`](super::StageSchema) can say (e.g. `exec`'s `env` items must be
/// `NAME=VALUE` with a valid variable name). Reported by `clarity check` at the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamProblem {
    /// The param.
    pub param: String,
    /// Which item of a list param, if one.
    pub item: Option<usize>,
    /// What is wrong, e.g. "`1X` is not a valid environment variable name".
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// The diagnostic code, e.g. `clarity::tokenize::unknown_column` (default:
    /// `clarity::param::invalid`); see [`ParamProblem::with_code`].
    pub code: Option<&'static str>,
}

impl ParamProblem {
    /// A problem with item `item` (or the whole value) of `param`.
    pub fn new(
        param: impl Into<String>,
        item: Option<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Self {
            param: param.into(),
            item,
            message: message.into(),
            help: help.into(),
            code: None,
        }
    }

    /// The same problem under its own stable diagnostic code.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }
}
