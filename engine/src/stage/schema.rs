use super::{ArtifactKind, Value};

/// Static description of a stage kind.
#[derive(Clone, Debug)]
pub struct StageSchema {
    /// Kind name, kebab-case (`fetch-model`).
    pub kind: &'static str,
    /// Implementation version; bump it when the implementation changes results (it is part
    /// of every fingerprint, so old cached outputs stop matching).
    pub version: u32,
    /// One line, shown by `clarity stages`.
    pub summary: &'static str,
    /// The params this kind accepts.
    pub params: Vec<ParamSpec>,
    /// Constraints between params (`exactly one of repo, path`), checked with the params.
    pub rules: Vec<ParamRule>,
    /// The outputs it produces (unless [`crate::Stage::outputs`] says otherwise).
    pub outputs: Vec<OutputSpec>,
    /// Device-bound stages share a device without oversubscribing it (one at a time).
    pub uses_device: bool,
}

impl StageSchema {
    /// The spec of the param called `name`.
    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// One declared parameter.
#[derive(Clone, Debug)]
pub struct ParamSpec {
    /// Kebab-case name; a member of a group is dotted: `early-stopping.patience`.
    pub name: &'static str,
    /// Its type (and range or allowed values).
    pub ty: ParamType,
    /// Value used when the pipeline gives none.
    pub default: Option<Value>,
    /// A pipeline must give it (ignored when a default exists).
    pub required: bool,
    /// One-line doc, shown by `clarity stages KIND`.
    pub doc: &'static str,
}

impl ParamSpec {
    /// An optional param with no default.
    pub fn optional(name: &'static str, ty: ParamType, doc: &'static str) -> Self {
        Self {
            name,
            ty,
            default: None,
            required: false,
            doc,
        }
    }

    /// A required param.
    pub fn required(name: &'static str, ty: ParamType, doc: &'static str) -> Self {
        Self {
            name,
            ty,
            default: None,
            required: true,
            doc,
        }
    }

    /// An optional param with a default value.
    pub fn with_default(
        name: &'static str,
        ty: ParamType,
        default: Value,
        doc: &'static str,
    ) -> Self {
        Self {
            name,
            ty,
            default: Some(default),
            required: false,
            doc,
        }
    }
}

/// The type of a param.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamType {
    /// `true` / `false` (`#true` / `#false` in KDL v2).
    Bool,
    /// An integer, optionally bounded (inclusive).
    Int {
        /// Smallest allowed value.
        min: Option<i64>,
        /// Largest allowed value.
        max: Option<i64>,
    },
    /// A number, optionally bounded; integers are accepted.
    Float {
        /// Lower end of the range.
        min: Option<Bound>,
        /// Upper end of the range.
        max: Option<Bound>,
    },
    /// Any string.
    String,
    /// One of a fixed set of strings.
    Choice(&'static [&'static str]),
    /// A local file or directory (relative to the project directory); its content hash goes
    /// into the fingerprint. Stages get it resolved to an absolute path.
    Path,
    /// A reference to another stage's output: `"stage.output"`, or `"stage"` for a stage
    /// with a single output. It makes a graph edge; `kind` is the artifact kind expected.
    Input {
        /// The artifact kind this input accepts.
        kind: ArtifactKind,
    },
    /// A list of values of one type (`seeds 42 123 2026`, `inputs "a.x" "b.y"`).
    List(Box<ParamType>),
}

impl ParamType {
    /// An unbounded integer.
    pub const INT: Self = Self::Int {
        min: None,
        max: None,
    };
    /// An unbounded number.
    pub const FLOAT: Self = Self::Float {
        min: None,
        max: None,
    };

    /// An integer of at least `min`.
    pub const fn int_at_least(min: i64) -> Self {
        Self::Int {
            min: Some(min),
            max: None,
        }
    }

    /// An integer in `min..=max`.
    pub const fn int_in(min: i64, max: i64) -> Self {
        Self::Int {
            min: Some(min),
            max: Some(max),
        }
    }

    /// A number of at least `min`.
    pub const fn float_at_least(min: f64) -> Self {
        Self::Float {
            min: Some(Bound::Inclusive(min)),
            max: None,
        }
    }

    /// A number in `min..=max`.
    pub const fn float_in(min: f64, max: f64) -> Self {
        Self::Float {
            min: Some(Bound::Inclusive(min)),
            max: Some(Bound::Inclusive(max)),
        }
    }

    /// A number above 0.
    pub const POSITIVE: Self = Self::Float {
        min: Some(Bound::Exclusive(0.0)),
        max: None,
    };

    /// Whether values of this type name project files (a path, or a list of them).
    pub fn names_paths(&self) -> bool {
        match self {
            Self::Path => true,
            Self::List(item) => item.names_paths(),
            _ => false,
        }
    }

    /// A reference to an output of kind `kind`.
    pub fn input(kind: ArtifactKind) -> Self {
        Self::Input { kind }
    }

    /// A list of `item`.
    pub fn list(item: ParamType) -> Self {
        Self::List(Box::new(item))
    }

    /// A short human name: `integer in 1..=100`, `one of "a", "b"`, `list of string`.
    pub fn describe(&self) -> String {
        match self {
            Self::Bool => "boolean".into(),
            Self::Int { min, max } => format!("integer{}", range_text(min, max)),
            Self::Float { min, max } => format!("number{}", float_range_text(*min, *max)),
            Self::String => "string".into(),
            Self::Choice(options) => {
                let quoted: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
                format!("one of {}", quoted.join(", "))
            }
            Self::Path => "path".into(),
            Self::Input { kind } => format!("reference to a {kind} output"),
            Self::List(item) => format!("list of {}", item.describe()),
        }
    }

    /// The artifact kind this type references, if it is an input or a list of inputs.
    pub fn input_kind(&self) -> Option<ArtifactKind> {
        match self {
            Self::Input { kind } => Some(*kind),
            Self::List(item) => item.input_kind(),
            _ => None,
        }
    }
}

fn range_text<T: std::fmt::Display>(min: &Option<T>, max: &Option<T>) -> String {
    match (min, max) {
        (None, None) => String::new(),
        (Some(lo), None) => format!(" >= {lo}"),
        (None, Some(hi)) => format!(" <= {hi}"),
        (Some(lo), Some(hi)) => format!(" in {lo}..={hi}"),
    }
}

fn float_range_text(min: Option<Bound>, max: Option<Bound>) -> String {
    use Bound::{Exclusive, Inclusive};
    match (min, max) {
        (None | Some(Inclusive(_)), None | Some(Inclusive(_))) => {
            range_text(&min.map(Bound::value), &max.map(Bound::value))
        }
        (Some(Exclusive(lo)), None) => format!(" > {lo}"),
        (None, Some(Exclusive(hi))) => format!(" < {hi}"),
        (Some(lo), Some(hi)) => {
            let open = if matches!(lo, Exclusive(_)) { '(' } else { '[' };
            let close = if matches!(hi, Exclusive(_)) { ')' } else { ']' };
            format!(" in {open}{}, {}{close}", lo.value(), hi.value())
        }
    }
}

/// One end of a number's range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// The end itself is allowed (`validation 0..=1` accepts 0).
    Inclusive(f64),
    /// Only values strictly beyond the end are allowed (`lr > 0`).
    Exclusive(f64),
}

impl Bound {
    /// The end's value.
    pub fn value(self) -> f64 {
        match self {
            Self::Inclusive(v) | Self::Exclusive(v) => v,
        }
    }

    /// Whether `x` is on the allowed side of this lower end.
    pub fn admits_above(self, x: f64) -> bool {
        match self {
            Self::Inclusive(lo) => x >= lo,
            Self::Exclusive(lo) => x > lo,
        }
    }

    /// Whether `x` is on the allowed side of this upper end.
    pub fn admits_below(self, x: f64) -> bool {
        match self {
            Self::Inclusive(hi) => x <= hi,
            Self::Exclusive(hi) => x < hi,
        }
    }
}

/// A constraint between params of one stage, checked before anything runs.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamRule {
    /// Exactly one of these params must be given (`repo` or `path`).
    ExactlyOne(&'static [&'static str]),
    /// At most one of these params may be given (`tokenizer` or `vocab-from`, or neither).
    AtMostOne(&'static [&'static str]),
}

impl ParamRule {
    /// The params the rule is about.
    pub fn params(&self) -> &'static [&'static str] {
        match self {
            Self::ExactlyOne(names) | Self::AtMostOne(names) => names,
        }
    }

    /// A short human text: ``exactly one of `repo` and `path` ``.
    pub fn describe(&self) -> String {
        let names = and_list(self.params().iter().map(|n| format!("`{n}`")));
        match self {
            Self::ExactlyOne(_) => format!("exactly one of {names}"),
            Self::AtMostOne(_) => format!("at most one of {names}"),
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn and_list(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    match items.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => items.concat(),
    }
}

/// One named output of a stage.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputSpec {
    /// Output name (`train`, `best`), referenced as `"stage.name"`.
    pub name: String,
    /// What the output directory holds.
    pub kind: ArtifactKind,
    /// One-line doc.
    pub doc: &'static str,
}

impl OutputSpec {
    /// An output called `name`.
    pub fn new(name: impl Into<String>, kind: ArtifactKind, doc: &'static str) -> Self {
        Self {
            name: name.into(),
            kind,
            doc,
        }
    }
}
