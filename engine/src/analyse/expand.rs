//! Variables, ensemble expansion and `--set` overrides: items -> stage instances.

use std::collections::BTreeMap;

use crate::Value;
use crate::diag::Diagnostics;
use crate::lang::{Item, LetDecl, Span, Spanned, StageDecl, is_name};

use super::resources::{Settings, take_resources};
use super::vars::location;
use super::{ArgError, EValue, ResourceError, Scope, SetArg, SetTarget, StageError, VarError};

/// One stage after expansion, its params evaluated but not yet checked.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Its name (`train-42` for an ensemble member).
    pub name: Spanned<String>,
    /// The ensemble it belongs to (the declared name), if any.
    pub ensemble: Option<String>,
    /// Its kind.
    pub kind: Spanned<String>,
    /// Params in the order written, then overrides.
    pub params: Vec<(Spanned<String>, Spanned<EValue>)>,
    /// Params written but invalid (already reported): not to be reported missing.
    pub invalid: Vec<String>,
    /// Its `resources` settings (taken out of the params), unchecked.
    pub resources: Settings,
}

/// The stage instances and ensembles of a pipeline.
#[derive(Debug, Default)]
pub struct Expanded {
    /// Every instance, in declaration order.
    pub instances: Vec<Instance>,
    /// Ensemble name -> member names, in order.
    pub ensembles: BTreeMap<String, Vec<String>>,
    /// The pipeline's `executor` block: its kind and settings, unchecked.
    pub executor: Option<(Spanned<String>, Settings)>,
}

/// Evaluates variables (with `--set` variable overrides), expands `foreach` stages and
/// applies `--set` param overrides.
pub fn expand(items: &[Item], sets: &[SetArg], diags: &mut Diagnostics) -> Expanded {
    let scope = define_vars(items, sets, diags);
    let mut out = Expanded::default();
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    for decl in items.iter().filter_map(|i| {
        if let Item::Stage(s) = i {
            Some(s)
        } else {
            None
        }
    }) {
        for instance in expand_stage(decl, &scope, diags) {
            if let Some(first) = seen.get(&instance.name.value) {
                duplicate_stage(&instance.name, first, diags);
                continue;
            }
            seen.insert(instance.name.value.clone(), instance.name.span.clone());
            if let Some(group) = &instance.ensemble {
                out.ensembles
                    .entry(group.clone())
                    .or_default()
                    .push(instance.name.value.clone());
            }
            out.instances.push(instance);
        }
    }
    apply_param_sets(&mut out, sets, &scope, diags);
    for instance in &mut out.instances {
        instance.resources = take_resources(&mut instance.params);
    }
    out.executor = executor(items, &scope, diags);
    out
}

/// The `executor` block's kind and evaluated settings (one block at most).
fn executor(
    items: &[Item],
    scope: &Scope,
    diags: &mut Diagnostics,
) -> Option<(Spanned<String>, Settings)> {
    let mut decls = items.iter().filter_map(|i| match i {
        Item::Executor(e) => Some(e),
        _ => None,
    });
    let first = decls.next()?;
    for extra in decls {
        let (src, span) = (extra.kind.span.source.source_text(), extra.kind.span.range);
        diags.push(ResourceError::DuplicateExecutor { src, span });
    }
    let settings = first
        .settings
        .iter()
        .filter_map(|s| Some((s.name.clone(), scope.eval(&s.value, diags)?)))
        .collect();
    Some((first.kind.clone(), settings))
}

fn define_vars(items: &[Item], sets: &[SetArg], diags: &mut Diagnostics) -> Scope {
    let overrides: BTreeMap<&str, &SetArg> = sets
        .iter()
        .filter_map(|s| {
            if let SetTarget::Var(name) = &s.target {
                Some((name.value.as_str(), s))
            } else {
                None
            }
        })
        .collect();
    let mut scope = Scope::default();
    for decl in items
        .iter()
        .filter_map(|i| if let Item::Let(l) = i { Some(l) } else { None })
    {
        match overrides.get(decl.name.value.as_str()) {
            Some(set) => scope.define(
                &LetDecl {
                    name: decl.name.clone(),
                    value: set.value.clone(),
                },
                diags,
            ),
            None => scope.define(decl, diags),
        }
    }
    for (name, set) in overrides {
        if !scope.contains(name) {
            let SetTarget::Var(target) = &set.target else {
                continue;
            };
            let help =
                "--set NAME=VALUE overrides a `let`; use --set STAGE.PARAM=VALUE for a param"
                    .to_owned();
            let (src, span) = (target.span.source.source_text(), target.span.range);
            diags.push(VarError::UnknownVariable {
                name: name.to_owned(),
                src,
                span,
                help,
            });
        }
    }
    scope
}

/// The most stages one `foreach` may make.
pub const MAX_FOREACH_MEMBERS: usize = 4096;

fn expand_stage(decl: &StageDecl, scope: &Scope, diags: &mut Diagnostics) -> Vec<Instance> {
    let Some(foreach) = &decl.foreach else {
        return instance(decl, decl.name.clone(), None, scope, diags)
            .into_iter()
            .collect();
    };
    let list = foreach
        .values
        .iter()
        .filter_map(|v| scope.eval(v, diags))
        .flat_map(|v| match v.value {
            EValue::Scalar(s) => vec![Spanned::new(s, v.span)],
            EValue::List(items) => items,
        });
    let list: Vec<_> = list.collect();
    if list.len() > MAX_FOREACH_MEMBERS {
        let (src, span) = (foreach.span.source.source_text(), foreach.span.range);
        diags.push(StageError::ForeachTooLarge {
            count: list.len(),
            limit: MAX_FOREACH_MEMBERS,
            src,
            span,
        });
        return Vec::new();
    }
    let mut out = Vec::new();
    for value in list {
        let Some(suffix) = member_suffix(&value, diags) else {
            continue;
        };
        let name = Spanned::new(
            format!("{}-{suffix}", decl.name.value),
            decl.name.span.clone(),
        );
        let mut member_scope = scope.clone();
        member_scope.bind(
            &foreach.var.value,
            Spanned::new(EValue::Scalar(value.value), value.span),
        );
        out.extend(instance(
            decl,
            name,
            Some(decl.name.value.clone()),
            &member_scope,
            diags,
        ));
    }
    out
}

fn member_suffix(value: &Spanned<Value>, diags: &mut Diagnostics) -> Option<String> {
    let text = match &value.value {
        Value::Int(i) => i.to_string(),
        Value::String(s) if is_name(s) => s.clone(),
        other => {
            let (src, span) = (value.span.source.source_text(), value.span.range);
            diags.push(StageError::ForeachValue {
                value: other.to_string(),
                src,
                span,
            });
            return None;
        }
    };
    Some(text)
}

fn instance(
    decl: &StageDecl,
    name: Spanned<String>,
    ensemble: Option<String>,
    scope: &Scope,
    diags: &mut Diagnostics,
) -> Option<Instance> {
    let mut params = Vec::with_capacity(decl.params.len());
    let mut invalid = decl.invalid.clone();
    for param in &decl.params {
        match scope.eval(&param.value, diags) {
            Some(value) => params.push((param.name.clone(), value)),
            None => invalid.push(param.name.value.clone()),
        }
    }
    Some(Instance {
        name,
        ensemble,
        kind: decl.kind.clone(),
        params,
        invalid,
        resources: Settings::new(),
    })
}

fn duplicate_stage(name: &Spanned<String>, first: &Span, diags: &mut Diagnostics) {
    let help = format!(
        "stage `{}` is first defined at {}; stage names must be unique",
        name.value,
        location(first)
    );
    let (src, span) = (name.span.source.source_text(), name.span.range);
    diags.push(StageError::DuplicateStage {
        name: name.value.clone(),
        src,
        span,
        help,
    });
}

fn apply_param_sets(out: &mut Expanded, sets: &[SetArg], scope: &Scope, diags: &mut Diagnostics) {
    for set in sets {
        let SetTarget::Param { stage, param } = &set.target else {
            continue;
        };
        let Some(value) = scope.eval(&set.value, diags) else {
            continue;
        };
        let targets: Vec<&mut Instance> = out
            .instances
            .iter_mut()
            .filter(|i| i.name.value == stage.value || i.ensemble.as_deref() == Some(&stage.value))
            .collect();
        if targets.is_empty() {
            set_unknown_stage(stage, out, diags);
            continue;
        }
        for instance in targets {
            instance
                .params
                .retain(|(name, _)| name.value != param.value);
            instance.params.push((param.clone(), value.clone()));
        }
    }
}

fn set_unknown_stage(stage: &Spanned<String>, out: &Expanded, diags: &mut Diagnostics) {
    let names = out
        .instances
        .iter()
        .map(|i| i.name.value.as_str())
        .chain(out.ensembles.keys().map(String::as_str));
    let help = crate::suggest::did_you_mean(&stage.value, names, || {
        "name a stage of the pipeline (see `clarity plan`)".to_owned()
    });
    let (src, span) = (stage.span.source.source_text(), stage.span.range);
    diags.push(ArgError::SetUnknownStage {
        stage: stage.value.clone(),
        src,
        span,
        help,
    });
}
