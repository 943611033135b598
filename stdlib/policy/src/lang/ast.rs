use std::fmt;

use clarity_device::{Attention, DeviceName, Precision};
use clarity_engine::lang::{Source, Span, Spanned};

use super::{Expected, Template};

/// A parsed policy file: its items in order.
#[derive(Clone, Debug)]
pub struct PolicyFile {
    /// The file.
    pub source: Source,
    /// Its items, in file order.
    pub items: Vec<FileItem>,
}

/// An item of a policy file.
#[derive(Clone, Debug)]
pub enum FileItem {
    /// `policy "NAME" { .. }`: a rule (replacing an earlier one of the same name).
    Policy(Policy),
    /// `disable "NAME"`: removes an earlier policy.
    Disable(Spanned<String>),
}

/// One rule: when its conditions hold, its actions apply.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Its name, unique among the policies loaded.
    pub name: Spanned<String>,
    /// What it is for.
    pub doc: Option<String>,
    /// Every one must hold (`when { .. }`).
    pub when: Vec<Condition>,
    /// None may hold (`unless { .. }`).
    pub unless: Vec<Condition>,
    /// What it does, in file order.
    pub actions: Vec<Spanned<Action>>,
    /// The whole `policy` node.
    pub span: Span,
}

impl Policy {
    /// Whether it sets the device, precision or attention path (so it applies only to
    /// stages that use a device).
    pub fn places(&self) -> bool {
        self.actions.iter().any(|a| {
            matches!(
                a.value,
                Action::Device(_) | Action::Precision(_) | Action::Attention(_)
            )
        })
    }
}

/// `FACT VALUE...`: the fact has one of the values.
#[derive(Clone, Debug)]
pub struct Condition {
    /// The fact's name.
    pub fact: Spanned<String>,
    /// The values that satisfy it.
    pub expected: Vec<Spanned<Expected>>,
}

impl Condition {
    /// Whether the fact's value is one of the expected ones.
    pub fn holds(&self, value: Option<&crate::facts::FactValue>) -> bool {
        self.expected.iter().any(|e| e.value.matches(value))
    }
}

/// Something a policy does.
#[derive(Clone, Debug)]
pub enum Action {
    /// `device "cpu"`: place the stage on that device.
    Device(DeviceName),
    /// `precision "f32"`.
    Precision(Precision),
    /// `attention "eager"`.
    Attention(Attention),
    /// `env "NAME" "VALUE"`: the stage runs with that environment variable.
    Env {
        /// The variable.
        name: String,
        /// Its value (may quote facts).
        value: Template,
    },
    /// `warn "MESSAGE"`.
    Warn(Template),
    /// `refuse "MESSAGE" help="..."`: the stage cannot be placed.
    Refuse {
        /// What is wrong.
        message: Template,
        /// What to do.
        help: Option<Template>,
    },
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Device(d) => write!(f, "device={d}"),
            Action::Precision(p) => write!(f, "precision={p}"),
            Action::Attention(a) => write!(f, "attention={a}"),
            Action::Env { name, value } => write!(f, "env {name}={value}"),
            Action::Warn(_) => f.write_str("warn"),
            Action::Refuse { .. } => f.write_str("refuse"),
        }
    }
}
