//! Checks each stage instance against its kind's schema: kind, param names, types, ranges,
//! choices, required params, rules between params, local paths; fills in defaults.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::cache::SCRATCH_DIR;
use crate::diag::Diagnostics;
use crate::fs::FileSystem;
use crate::lang::{Span, Spanned, is_name};
use crate::stage::and_list;
use crate::{
    Bound, OutputSpec, ParamProblem, ParamRule, ParamSpec, ParamType, Params, Registry, Stage,
    StageSchema, Value,
};

use super::vars::location;
use super::{EValue, Instance, ParamCheckError, StageError};

/// A stage instance whose params match its schema.
#[derive(Clone)]
pub struct Checked {
    /// Its name.
    pub name: Spanned<String>,
    /// The ensemble it belongs to, if any.
    pub ensemble: Option<String>,
    /// Its implementation.
    pub stage: Arc<dyn Stage>,
    /// Resolved params, defaults included.
    pub params: Params,
    /// Where each given param's value (each item, for lists) was written.
    pub spans: BTreeMap<String, Vec<Span>>,
    /// Its outputs.
    pub outputs: Vec<OutputSpec>,
}

/// What validation needs besides the instance.
pub struct Checker<'a> {
    /// Stage kinds.
    pub registry: &'a Registry,
    /// For path params.
    pub fs: &'a dyn FileSystem,
    /// Where relative paths resolve.
    pub project_dir: &'a Path,
}

impl Checker<'_> {
    /// Checks one instance; `None` if its kind is unknown or any param is wrong.
    pub fn check(&self, instance: &Instance, diags: &mut Diagnostics) -> Option<Checked> {
        let stage = self.expect_kind(&instance.kind, diags)?;
        let schema = stage.schema();
        let errors_before = diags.len();
        let mut params = Params::new();
        let mut spans: BTreeMap<String, Vec<Span>> = BTreeMap::new();
        let mut suppressed: Vec<&str> = Vec::new();
        for (name, value) in &instance.params {
            let spec = match self.expect_param(schema.kind, &schema.params, name, diags) {
                Ok(spec) => spec,
                Err(suggested) => {
                    suppressed.extend(suggested);
                    continue;
                }
            };
            if spans.contains_key(&name.value) {
                let (src, span) = (name.span.source.source_text(), name.span.range);
                diags.push(ParamCheckError::DuplicateParam {
                    param: name.value.clone(),
                    src,
                    span,
                });
                continue;
            }
            let item_spans = item_spans(value);
            if let Some(v) = self.check_value(spec, value, diags) {
                params.insert(spec.name, v);
            }
            spans.insert(name.value.clone(), item_spans);
        }
        for name in instance
            .invalid
            .iter()
            .map(String::as_str)
            .chain(suppressed)
        {
            spans.entry(name.to_owned()).or_default();
        }
        fill_defaults(&instance.name, &schema.params, &mut params, &spans, diags);
        check_rules(instance, schema, &params, &spans, diags);
        if diags.len() > errors_before {
            return None;
        }
        for problem in stage.check(&params) {
            stage_problem(instance, &spans, problem, diags);
        }
        let outputs = stage.outputs(&params);
        check_output_names(instance, &params, &spans, &outputs, diags);
        if diags.len() > errors_before {
            return None;
        }
        Some(Checked {
            name: instance.name.clone(),
            ensemble: instance.ensemble.clone(),
            stage: Arc::clone(stage),
            params,
            spans,
            outputs,
        })
    }

    fn expect_kind(
        &self,
        kind: &Spanned<String>,
        diags: &mut Diagnostics,
    ) -> Option<&Arc<dyn Stage>> {
        let found = self.registry.get(&kind.value);
        if found.is_none() {
            let help = match self.registry.suggest_kind(&kind.value) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "`clarity stages` lists the stage kinds".to_owned(),
            };
            let (src, span) = (kind.span.source.source_text(), kind.span.range);
            diags.push(StageError::UnknownKind {
                kind: kind.value.clone(),
                src,
                span,
                help,
            });
        }
        found
    }

    fn expect_param<'s>(
        &self,
        kind: &str,
        specs: &'s [ParamSpec],
        name: &Spanned<String>,
        diags: &mut Diagnostics,
    ) -> Result<&'s ParamSpec, Option<&'static str>> {
        let found = specs.iter().find(|p| p.name == name.value);
        let suggested = crate::suggest::closest(&name.value, specs.iter().map(|p| p.name));
        if found.is_none() {
            let help = match suggested {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("`clarity stages {kind}` lists its params"),
            };
            let (src, span) = (name.span.source.source_text(), name.span.range);
            let (kind, param) = (kind.to_owned(), name.value.clone());
            diags.push(ParamCheckError::UnknownParam {
                kind,
                param,
                src,
                span,
                help,
            });
        }
        found.ok_or(suggested)
    }

    fn check_value(
        &self,
        spec: &ParamSpec,
        value: &Spanned<EValue>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        match (&spec.ty, &value.value) {
            (ParamType::List(item), EValue::List(items)) => {
                let checked: Vec<Option<Value>> = items
                    .iter()
                    .map(|i| self.check_scalar(spec, item, i, diags))
                    .collect();
                checked
                    .into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(Value::List)
            }
            (ParamType::List(item), EValue::Scalar(v)) => {
                let one = Spanned::new(v.clone(), value.span.clone());
                self.check_scalar(spec, item, &one, diags)
                    .map(|v| Value::List(vec![v]))
            }
            (ty, EValue::List(_)) => {
                wrong_type(spec, ty, "a list", &value.span, diags);
                None
            }
            (ty, EValue::Scalar(v)) => self.check_scalar(
                spec,
                ty,
                &Spanned::new(v.clone(), value.span.clone()),
                diags,
            ),
        }
    }

    fn check_scalar(
        &self,
        spec: &ParamSpec,
        ty: &ParamType,
        value: &Spanned<Value>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let span = &value.span;
        let checked = match (ty, &value.value) {
            (ParamType::Bool, Value::Bool(_)) => value.value.clone(),
            (ParamType::Int { min, max }, Value::Int(i)) => {
                let inclusive = |end: &Option<i64>| end.map(|e| Bound::Inclusive(e as f64));
                check_range(
                    spec,
                    *i as f64,
                    inclusive(min),
                    inclusive(max),
                    &value.value,
                    span,
                    diags,
                )?;
                value.value.clone()
            }
            (ParamType::Float { min, max }, Value::Int(_) | Value::Float(_)) => {
                let f = value.value.as_f64().unwrap_or_default();
                check_range(spec, f, *min, *max, &value.value, span, diags)?;
                Value::Float(f)
            }
            (ParamType::Choice(options), Value::String(s)) => {
                check_choice(spec, options, s, span, diags)?;
                value.value.clone()
            }
            (ParamType::Path, Value::String(s)) => {
                self.check_path(s, span, diags)?;
                value.value.clone()
            }
            (ParamType::String | ParamType::Input { .. }, Value::String(_)) => value.value.clone(),
            (ty, other) => {
                wrong_type(spec, ty, &article(other.type_name()), span, diags);
                return None;
            }
        };
        Some(checked)
    }

    fn check_path(&self, path: &str, span: &Span, diags: &mut Diagnostics) -> Option<()> {
        if self.fs.exists(&self.project_dir.join(path)) {
            return Some(());
        }
        let (src, span) = (span.source.source_text(), span.range);
        diags.push(ParamCheckError::PathMissing {
            path: path.to_owned(),
            src,
            span,
        });
        None
    }
}

/// Where `param` (item `item`, when known) was written; the stage's name when it was not.
fn param_span<'a>(
    instance: &'a Instance,
    spans: &'a BTreeMap<String, Vec<Span>>,
    param: &str,
    item: Option<usize>,
) -> &'a Span {
    let written = spans.get(param).map(Vec::as_slice).unwrap_or_default();
    item.and_then(|i| written.get(i))
        .or_else(|| written.first())
        .unwrap_or(&instance.name.span)
}

fn stage_problem(
    instance: &Instance,
    spans: &BTreeMap<String, Vec<Span>>,
    problem: ParamProblem,
    diags: &mut Diagnostics,
) {
    let at = param_span(instance, spans, &problem.param, problem.item);
    let (src, span) = (at.source.source_text(), at.range);
    diags.push(ParamCheckError::InvalidParam {
        param: problem.param,
        message: problem.message,
        src,
        span,
        help: problem.help,
    });
}

/// Output names become directories of the cache entry: plain names only, not the entry's
/// reserved `scratch`, each once.
fn check_output_names(
    instance: &Instance,
    params: &Params,
    spans: &BTreeMap<String, Vec<Span>>,
    outputs: &[OutputSpec],
    diags: &mut Diagnostics,
) {
    let mut seen = std::collections::BTreeSet::new();
    for output in outputs {
        let reason = if !is_name(&output.name) {
            "not a plain name (no paths, dots or spaces)"
        } else if output.name == SCRATCH_DIR {
            "`scratch` is reserved for the stage's scratch space"
        } else if !seen.insert(output.name.as_str()) {
            "the name is used twice"
        } else {
            continue;
        };
        // Point at the param item that named it, if a param did (exec's `outputs`).
        let named_at = params.iter().find_map(|(param, value)| {
            let items: Vec<&Value> = match value {
                Value::List(items) => items.iter().collect(),
                other => vec![other],
            };
            let i = items
                .iter()
                .rposition(|v| v.as_str() == Some(&output.name))?;
            Some(param_span(instance, spans, param, Some(i)))
        });
        let at = named_at.unwrap_or(&instance.name.span);
        let (src, span) = (at.source.source_text(), at.range);
        diags.push(StageError::OutputName {
            stage: instance.name.value.clone(),
            output: output.name.clone(),
            reason,
            src,
            span,
        });
    }
}

fn item_spans(value: &Spanned<EValue>) -> Vec<Span> {
    match &value.value {
        EValue::List(items) => items.iter().map(|i| i.span.clone()).collect(),
        EValue::Scalar(_) => vec![value.span.clone()],
    }
}

fn article(type_name: &str) -> String {
    if type_name.starts_with("one of") {
        type_name.to_owned()
    } else if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {type_name}")
    } else {
        format!("a {type_name}")
    }
}

fn wrong_type(spec: &ParamSpec, ty: &ParamType, found: &str, span: &Span, diags: &mut Diagnostics) {
    let (src, range) = (span.source.source_text(), span.range);
    diags.push(ParamCheckError::WrongType {
        param: spec.name.to_owned(),
        expected: article(&ty.describe()),
        found: found.to_owned(),
        src,
        span: range,
        help: format!("`{}`: {}", spec.name, spec.doc),
    });
}

fn check_range(
    spec: &ParamSpec,
    x: f64,
    min: Option<Bound>,
    max: Option<Bound>,
    value: &Value,
    span: &Span,
    diags: &mut Diagnostics,
) -> Option<()> {
    let inside = min.is_none_or(|lo| lo.admits_above(x)) && max.is_none_or(|hi| hi.admits_below(x));
    if inside {
        return Some(());
    }
    let (src, range) = (span.source.source_text(), span.range);
    let help = format!(
        "`{}` must be {}",
        spec.name,
        article(spec.ty.describe().trim_start_matches("list of "))
    );
    diags.push(ParamCheckError::OutOfRange {
        param: spec.name.to_owned(),
        value: value.to_string(),
        src,
        span: range,
        help,
    });
    None
}

fn check_choice(
    spec: &ParamSpec,
    options: &[&str],
    s: &str,
    span: &Span,
    diags: &mut Diagnostics,
) -> Option<()> {
    if options.contains(&s) {
        return Some(());
    }
    let listed = options
        .iter()
        .map(|o| format!("\"{o}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let help = match crate::suggest::closest(s, options.iter().copied()) {
        Some(best) => format!("did you mean \"{best}\"? (one of {listed})"),
        None => format!("use one of {listed}"),
    };
    let (src, range) = (span.source.source_text(), span.range);
    diags.push(ParamCheckError::NotAChoice {
        param: spec.name.to_owned(),
        value: s.to_owned(),
        src,
        span: range,
        help,
    });
    None
}

fn fill_defaults(
    stage: &Spanned<String>,
    specs: &[ParamSpec],
    params: &mut Params,
    given: &BTreeMap<String, Vec<Span>>,
    diags: &mut Diagnostics,
) {
    let given = |name: &str| {
        given.contains_key(name)
            || name
                .split_once('.')
                .is_some_and(|(group, _)| given.contains_key(group))
    };
    for spec in specs.iter().filter(|s| !given(s.name)) {
        match (&spec.default, spec.required) {
            (Some(default), _) => params.insert(spec.name, default.clone()),
            (None, true) => {
                let (src, span) = (stage.span.source.source_text(), stage.span.range);
                diags.push(ParamCheckError::MissingParam {
                    stage: stage.value.clone(),
                    param: spec.name.to_owned(),
                    src,
                    span,
                    help: format!(
                        "add `{} VALUE` ({}): {}",
                        spec.name,
                        spec.ty.describe(),
                        spec.doc
                    ),
                });
            }
            (None, false) => {}
        }
    }
}

/// Checks the schema's rules between params. More than one written (in the pipeline or by
/// `--set`) is a conflict; none written and none with a default is missing. One written but
/// invalid (already reported) counts as written, so it is not also reported missing.
fn check_rules(
    instance: &Instance,
    schema: &StageSchema,
    params: &Params,
    spans: &BTreeMap<String, Vec<Span>>,
    diags: &mut Diagnostics,
) {
    for rule in &schema.rules {
        let names = rule.params();
        let mut written: Vec<&Spanned<String>> = Vec::new();
        for (name, _) in &instance.params {
            let first = !written.iter().any(|w| w.value == name.value);
            if first && names.contains(&name.value.as_str()) {
                written.push(name);
            }
        }
        if written.len() > 1 {
            conflict(&instance.name.value, rule, &written, diags);
        }
        let absent = names
            .iter()
            .all(|n| !spans.contains_key(*n) && params.get(n).is_none());
        if absent && matches!(rule, ParamRule::ExactlyOne(_)) {
            missing_one_of(&instance.name, schema, rule, diags);
        }
    }
}

fn conflict(stage: &str, rule: &ParamRule, written: &[&Spanned<String>], diags: &mut Diagnostics) {
    let Some(last) = written.last() else {
        return;
    };
    let source = &last.span.source;
    let here = |w: &&&Spanned<String>| {
        w.span.source.name() == source.name() && w.span.source.text() == source.text()
    };
    let labels = written
        .iter()
        .filter(here)
        .map(|w| miette::LabeledSpan::at(w.span.range, format!("`{}` given here", w.value)))
        .collect();
    let elsewhere: Vec<String> = written
        .iter()
        .filter(|w| !here(w))
        .map(|w| format!("`{}` is given at {}", w.value, location(&w.span)))
        .collect();
    let quoted: Vec<String> = written.iter().map(|w| format!("`{}`", w.value)).collect();
    let mut help = match quoted.as_slice() {
        [a, b] => format!("keep {a} or {b}, not both"),
        _ => format!("keep only one of {}", and_list(quoted.iter().cloned())),
    };
    if !elsewhere.is_empty() {
        help = format!("{help} ({})", elsewhere.join(", "));
    }
    diags.push(ParamCheckError::ParamConflict {
        stage: stage.to_owned(),
        given: if quoted.len() == 2 && rule.params().len() == 2 {
            "both".to_owned()
        } else {
            and_list(quoted)
        },
        rule: rule.describe(),
        src: source.source_text(),
        labels,
        help,
    });
}

fn missing_one_of(
    stage: &Spanned<String>,
    schema: &StageSchema,
    rule: &ParamRule,
    diags: &mut Diagnostics,
) {
    let options: Vec<String> = rule
        .params()
        .iter()
        .map(|name| match schema.param(name) {
            Some(spec) => format!("`{name}` ({})", spec.doc),
            None => format!("`{name}`"),
        })
        .collect();
    let (src, span) = (stage.span.source.source_text(), stage.span.range);
    diags.push(ParamCheckError::MissingOneOf {
        stage: stage.value.clone(),
        rule: rule.describe(),
        src,
        span,
        help: format!("add {}", options.join(" or ")),
    });
}
