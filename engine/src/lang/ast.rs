use super::{Span, Spanned};

/// A parsed pipeline file (or included fragment): its items in order.
#[derive(Clone, Debug)]
pub struct FileAst {
    /// The name given by a `pipeline "NAME" { .. }` wrapper, if any.
    pub name: Option<Spanned<String>>,
    /// The items, in file order.
    pub items: Vec<Item>,
}

/// A top-level item.
#[derive(Clone, Debug)]
pub enum Item {
    /// `let NAME=VALUE ...` or `let NAME VALUE VALUE ...`.
    Let(LetDecl),
    /// `include "fragment.kdl"`: the fragment's items, in place.
    Include(Spanned<String>),
    /// `use "std/policies"`: a policy library.
    Use(Spanned<String>),
    /// `device "metal"`: the device for device-bound stages, unless `--device` names one.
    Device(Spanned<String>),
    /// `stage "NAME" KIND ...`.
    Stage(StageDecl),
    /// `sweep { stage.param V1 V2 ... }`: run once per point of the grid.
    Sweep(Vec<SweepAxis>),
    /// `executor "slurm" { partition "gpu" … }`: where stages run, and resource defaults.
    Executor(ExecutorDecl),
    /// `cache { remote "URL" }`: cache settings.
    Cache(CacheSettings),
}

/// The settings of a `cache` block.
#[derive(Clone, Debug, Default)]
pub struct CacheSettings {
    /// `remote "URL"`: the remote cache (`--remote` and `CLARITY_REMOTE` win over it).
    pub remote: Option<Spanned<String>>,
}

/// The remote cache the file's `cache` block names (its last `remote`), if any.
pub fn file_remote(items: &[Item]) -> Option<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Cache(settings) => settings.remote.as_ref(),
            _ => None,
        })
        .next_back()
        .map(|remote| remote.value.clone())
}

/// A pipeline's `executor "KIND" { KEY VALUE … }` block.
#[derive(Debug, Clone)]
pub struct ExecutorDecl {
    /// The executor kind.
    pub kind: Spanned<String>,
    /// Its settings, as written.
    pub settings: Vec<ParamAst>,
}

/// One line of a `sweep` block.
#[derive(Clone, Debug)]
pub struct SweepAxis {
    /// `stage.param` or a `let` name.
    pub key: Spanned<String>,
    /// Its values.
    pub values: Vec<Spanned<Expr>>,
}

/// One variable definition.
#[derive(Clone, Debug)]
pub struct LetDecl {
    /// Variable name.
    pub name: Spanned<String>,
    /// Its value.
    pub value: Spanned<Expr>,
}

/// One stage declaration (before ensemble expansion).
#[derive(Clone, Debug)]
pub struct StageDecl {
    /// Stage name.
    pub name: Spanned<String>,
    /// Stage kind.
    pub kind: Spanned<String>,
    /// Params, as written (group members dotted: `early-stopping.patience`).
    pub params: Vec<ParamAst>,
    /// `foreach "VAR" VALUES...`: one stage per value.
    pub foreach: Option<ForEach>,
    /// Params written but unreadable (already reported): not "missing" later.
    pub invalid: Vec<String>,
    /// The whole node.
    pub span: Span,
}

/// One param as written.
#[derive(Clone, Debug)]
pub struct ParamAst {
    /// Param name.
    pub name: Spanned<String>,
    /// Its value.
    pub value: Spanned<Expr>,
}

/// An ensemble expansion: the stage is repeated once per value, with `var` bound to it.
#[derive(Clone, Debug)]
pub struct ForEach {
    /// The variable bound in each copy.
    pub var: Spanned<String>,
    /// The values (a `$list` variable is spliced in).
    pub values: Vec<Spanned<Expr>>,
    /// The `foreach` node.
    pub span: Span,
}

/// A value expression.
#[derive(Clone, Debug)]
pub enum Expr {
    /// `#true` / `#false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number.
    Float(f64),
    /// A string; `${name}` inside it interpolates a variable.
    String(String),
    /// `$name`: a variable's value.
    Var(String),
    /// Several values.
    List(Vec<Spanned<Expr>>),
}
