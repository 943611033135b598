use miette::{Diagnostic, LabeledSpan, SourceSpan};
use thiserror::Error;

type Src = crate::lang::SourceText;

/// Errors found while resolving and validating a pipeline against the stage schemas.
#[derive(Debug, Error, Diagnostic)]
pub enum AnalyseError {
    /// An included file cannot be read.
    #[error("cannot read included file `{path}`: {reason}")]
    #[diagnostic(
        code(clarity::include::missing),
        help("paths are relative to the including file")
    )]
    IncludeMissing {
        /// The path as resolved.
        path: String,
        /// The OS error.
        reason: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The include's path.
        #[label("included here")]
        span: SourceSpan,
    },
    /// A file includes itself, directly or through others.
    #[error("`{path}` includes itself: {chain}")]
    #[diagnostic(
        code(clarity::include::cycle),
        help("remove one of the includes on this chain")
    )]
    IncludeCycle {
        /// The file included again.
        path: String,
        /// The include chain, `a.kdl -> b.kdl -> a.kdl`.
        chain: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The include that closes the cycle.
        #[label("included again here")]
        span: SourceSpan,
    },
    /// `use` names a library this binary does not have.
    #[error("unknown library `{name}`")]
    #[diagnostic(code(clarity::library::unknown))]
    UnknownLibrary {
        /// The name.
        name: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The name's span.
        #[label("no such library")]
        span: SourceSpan,
        /// Did you mean / what exists.
        #[help]
        help: String,
    },
    /// A variable is defined twice.
    #[error("variable `{name}` is defined twice")]
    #[diagnostic(code(clarity::var::duplicate))]
    DuplicateVariable {
        /// The name.
        name: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The second definition.
        #[label("defined again here")]
        span: SourceSpan,
        /// Where the first is.
        #[help]
        help: String,
    },
    /// A pipeline names its device twice.
    #[error("the pipeline's `device` is given twice")]
    #[diagnostic(code(clarity::device::duplicate))]
    DuplicateDevice {
        /// Source text.
        #[source_code]
        src: Src,
        /// The second `device`.
        #[label("given again here")]
        span: SourceSpan,
        /// What the first says.
        #[help]
        help: String,
    },
    /// `$name` or `${name}` refers to no variable.
    #[error("unknown variable `{name}`")]
    #[diagnostic(code(clarity::var::unknown))]
    UnknownVariable {
        /// The name.
        name: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The use.
        #[label("not defined")]
        span: SourceSpan,
        /// Did you mean / how to define it.
        #[help]
        help: String,
    },
    /// A list variable used inside a string.
    #[error("variable `{name}` is a list and cannot be put into a string")]
    #[diagnostic(
        code(clarity::var::list_in_string),
        help("use `${name}` only for single values")
    )]
    ListInString {
        /// The name.
        name: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The string.
        #[label("in this string")]
        span: SourceSpan,
    },
    /// Variables expand to more than [`MAX_EXPANDED_BYTES`](crate::analyse::MAX_EXPANDED_BYTES).
    #[error("variables expand to more than {limit} bytes")]
    #[diagnostic(
        code(clarity::var::too_large),
        help(
            "a `let` that repeats another (`\"${{v}}${{v}}\"`) doubles it; no real pipeline needs values this large"
        )
    )]
    ExpansionTooLarge {
        /// The limit.
        limit: usize,
        /// Source text.
        #[source_code]
        src: Src,
        /// Where the limit was passed.
        #[label("the limit was passed here")]
        span: SourceSpan,
    },
    /// Two stages share a name.
    #[error("stage `{name}` is defined twice")]
    #[diagnostic(code(clarity::stage::duplicate))]
    DuplicateStage {
        /// The name.
        name: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The second stage's name.
        #[label("second definition")]
        span: SourceSpan,
        /// Where the first is.
        #[help]
        help: String,
    },
    /// A `foreach` value cannot be part of a stage name.
    #[error("`foreach` value {value} cannot name a stage")]
    #[diagnostic(
        code(clarity::stage::foreach),
        help("use integers or names of letters, digits, `-` and `_`")
    )]
    ForeachValue {
        /// The value.
        value: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value's span.
        #[label("not usable in a name")]
        span: SourceSpan,
    },
    /// A `foreach` with more members than [`MAX_FOREACH_MEMBERS`](crate::analyse::MAX_FOREACH_MEMBERS).
    #[error("`foreach` makes {count} stages; at most {limit} are allowed")]
    #[diagnostic(
        code(clarity::stage::foreach_size),
        help(
            "an ensemble or sweep this large is almost certainly a mistake (a list variable repeated into itself?)"
        )
    )]
    ForeachTooLarge {
        /// Members it would make.
        count: usize,
        /// The limit.
        limit: usize,
        /// Source text.
        #[source_code]
        src: Src,
        /// The `foreach`.
        #[label("here")]
        span: SourceSpan,
    },
    /// No stage kind of that name.
    #[error("unknown stage kind `{kind}`")]
    #[diagnostic(code(clarity::stage::unknown_kind))]
    UnknownKind {
        /// The kind.
        kind: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The kind's span.
        #[label("no such kind")]
        span: SourceSpan,
        /// Did you mean / `clarity stages`.
        #[help]
        help: String,
    },
    /// A param the kind does not declare.
    #[error("stage kind `{kind}` has no param `{param}`")]
    #[diagnostic(code(clarity::param::unknown))]
    UnknownParam {
        /// The kind.
        kind: String,
        /// The param.
        param: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The param's name.
        #[label("unknown param")]
        span: SourceSpan,
        /// Did you mean / `clarity stages KIND`.
        #[help]
        help: String,
    },
    /// A stage kind's own check of its params failed.
    #[error("param `{param}`: {message}")]
    #[diagnostic(code(clarity::param::invalid))]
    InvalidParam {
        /// The param.
        param: String,
        /// What is wrong.
        message: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value.
        #[label("here")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },
    /// An output name that is not a plain name, is reserved, or is used twice.
    #[error("stage `{stage}` cannot have an output called `{output}`: {reason}")]
    #[diagnostic(
        code(clarity::stage::output_name),
        help(
            "output names are single names of letters, digits, `-` and `_` (not `scratch`), each used once: they become directories in the cache"
        )
    )]
    OutputName {
        /// The stage.
        stage: String,
        /// The name.
        output: String,
        /// Why not.
        reason: &'static str,
        /// Source text.
        #[source_code]
        src: Src,
        /// Where it was named.
        #[label("here")]
        span: SourceSpan,
    },
    /// A param given twice in one stage.
    #[error("param `{param}` is given twice")]
    #[diagnostic(code(clarity::param::duplicate), help("keep one of them"))]
    DuplicateParam {
        /// The param.
        param: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The second one.
        #[label("given again here")]
        span: SourceSpan,
    },
    /// A value of the wrong type.
    #[error("param `{param}` expects {expected}, found {found}")]
    #[diagnostic(code(clarity::param::wrong_type))]
    WrongType {
        /// The param.
        param: String,
        /// The expected type.
        expected: String,
        /// The type found.
        found: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value.
        #[label("{found}")]
        span: SourceSpan,
        /// The param's doc.
        #[help]
        help: String,
    },
    /// A number out of its allowed range.
    #[error("param `{param}` is {value}, outside its range")]
    #[diagnostic(code(clarity::param::range))]
    OutOfRange {
        /// The param.
        param: String,
        /// The value.
        value: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value.
        #[label("out of range")]
        span: SourceSpan,
        /// The allowed range.
        #[help]
        help: String,
    },
    /// A string not among the allowed choices.
    #[error("param `{param}` cannot be \"{value}\"")]
    #[diagnostic(code(clarity::param::choice))]
    NotAChoice {
        /// The param.
        param: String,
        /// The value.
        value: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value.
        #[label("not allowed")]
        span: SourceSpan,
        /// Did you mean / the choices.
        #[help]
        help: String,
    },
    /// A required param is missing.
    #[error("stage `{stage}` is missing required param `{param}`")]
    #[diagnostic(code(clarity::param::missing))]
    MissingParam {
        /// The stage.
        stage: String,
        /// The param.
        param: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The stage's name.
        #[label("needs `{param}`")]
        span: SourceSpan,
        /// How to add it.
        #[help]
        help: String,
    },
    /// Params of which at most one may be given are given together.
    #[error("stage `{stage}` takes {rule}, but gives {given}")]
    #[diagnostic(code(clarity::param::conflict))]
    ParamConflict {
        /// The stage.
        stage: String,
        /// The params given: `both`, or `` `a`, `b` and `c` ``.
        given: String,
        /// The rule, `` exactly one of `repo`, `path` ``.
        rule: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// One label per conflicting param.
        #[label(collection)]
        labels: Vec<LabeledSpan>,
        /// Which to keep.
        #[help]
        help: String,
    },
    /// None of the params of which exactly one is needed is given.
    #[error("stage `{stage}` needs {rule}")]
    #[diagnostic(code(clarity::param::one_of))]
    MissingOneOf {
        /// The stage.
        stage: String,
        /// The rule, `` exactly one of `repo`, `path` ``.
        rule: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The stage's name.
        #[label("gives none of them")]
        span: SourceSpan,
        /// The params, with their docs.
        #[help]
        help: String,
    },
    /// A local path that does not exist.
    #[error("path `{path}` does not exist")]
    #[diagnostic(
        code(clarity::param::path),
        help("relative paths resolve against the directory clarity runs in")
    )]
    PathMissing {
        /// The path.
        path: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The value.
        #[label("not found")]
        span: SourceSpan,
    },
    /// A reference to an unknown stage.
    #[error("reference to unknown stage `{stage}`")]
    #[diagnostic(code(clarity::reference::unknown_stage))]
    UnknownStage {
        /// The stage named.
        stage: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The reference.
        #[label("no such stage")]
        span: SourceSpan,
        /// Did you mean.
        #[help]
        help: String,
    },
    /// A reference to an output the stage does not have (or `stage` alone for a stage with
    /// several outputs).
    #[error("stage `{stage}` has no output `{output}`")]
    #[diagnostic(code(clarity::reference::unknown_output))]
    UnknownOutput {
        /// The stage.
        stage: String,
        /// The output named.
        output: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The reference.
        #[label("no such output")]
        span: SourceSpan,
        /// Did you mean / the outputs.
        #[help]
        help: String,
    },
    /// A reference to an output of the wrong artifact kind.
    #[error("`{reference}` is a {produced} output, but param `{param}` expects a {expected}")]
    #[diagnostic(
        code(clarity::reference::kind),
        help("pick an output of kind {expected}")
    )]
    KindMismatch {
        /// The reference.
        reference: String,
        /// The param.
        param: String,
        /// Kind produced.
        produced: String,
        /// Kind expected.
        expected: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The reference.
        #[label("{produced}")]
        span: SourceSpan,
    },
    /// An ensemble referenced where a single artifact is expected.
    #[error("`{reference}` names the {count} stages of an ensemble, but param `{param}` takes one")]
    #[diagnostic(code(clarity::reference::ensemble))]
    EnsembleInSingle {
        /// The reference.
        reference: String,
        /// The param.
        param: String,
        /// Number of members.
        count: usize,
        /// Source text.
        #[source_code]
        src: Src,
        /// The reference.
        #[label("an ensemble")]
        span: SourceSpan,
        /// Members.
        #[help]
        help: String,
    },
    /// The stages depend on each other in a cycle.
    #[error("dependency cycle: {path}")]
    #[diagnostic(
        code(clarity::graph::cycle),
        help("a stage cannot depend on its own outputs; remove one of these references")
    )]
    Cycle {
        /// `a -> b -> a`.
        path: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// One label per edge of the cycle.
        #[label(collection)]
        edges: Vec<LabeledSpan>,
    },
    /// A malformed `--set`.
    #[error("bad --set `{arg}`: {message}")]
    #[diagnostic(
        code(clarity::set::syntax),
        help("write --set STAGE.PARAM=VALUE or --set VARIABLE=VALUE")
    )]
    BadSet {
        /// The argument.
        arg: String,
        /// What is wrong.
        message: String,
    },
    /// `--set` names an unknown stage.
    #[error("--set names unknown stage `{stage}`")]
    #[diagnostic(code(clarity::set::unknown_stage))]
    SetUnknownStage {
        /// The stage.
        stage: String,
        /// Source text (the argument).
        #[source_code]
        src: Src,
        /// The stage part.
        #[label("no such stage")]
        span: SourceSpan,
        /// Did you mean.
        #[help]
        help: String,
    },
    /// `--only` names an unknown stage.
    #[error("--only names unknown stage `{stage}`")]
    #[diagnostic(code(clarity::only::unknown_stage))]
    OnlyUnknownStage {
        /// The stage.
        stage: String,
        /// Did you mean.
        #[help]
        help: String,
    },
    /// The placement hook (device policies) rejected a stage.
    #[error("cannot place stage `{stage}`: {reason}")]
    #[diagnostic(code(clarity::placement))]
    Placement {
        /// The stage.
        stage: String,
        /// The hook's message.
        reason: String,
        /// Source text.
        #[source_code]
        src: Src,
        /// The stage.
        #[label("this stage")]
        span: SourceSpan,
        /// The hook's help.
        #[help]
        help: Option<String>,
    },
}
