//! Required params and defaults, and the schema's rules between params.

use std::collections::BTreeMap;

use crate::diag::Diagnostics;
use crate::lang::{Span, Spanned};
use crate::stage::and_list;
use crate::{ParamRule, ParamSpec, Params, StageSchema};

use crate::analyse::vars::location;
use crate::analyse::{Instance, ParamCheckError};

pub(super) fn fill_defaults(
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
pub(super) fn check_rules(
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
