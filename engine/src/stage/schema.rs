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
    /// A number, optionally bounded (inclusive); integers are accepted.
    Float {
        /// Smallest allowed value.
        min: Option<f64>,
        /// Largest allowed value.
        max: Option<f64>,
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
            Self::Float { min, max } => format!("number{}", range_text(min, max)),
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
