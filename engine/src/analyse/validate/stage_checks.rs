//! What the stage kind's own code says once the params fit the schema: its check of the
//! params, and the names of its outputs.

use std::collections::BTreeMap;

use crate::cache::SCRATCH_DIR;
use crate::diag::Diagnostics;
use crate::lang::{Span, Spanned, is_name};
use crate::{OutputSpec, ParamProblem, Params, Value};

use crate::analyse::{CodedParamProblem, Instance, ParamCheckError, StageError};

/// Where `param` (item `item`, when known) was written; the stage's name when it was not.
fn param_span<'a>(
    name: &'a Spanned<String>,
    spans: &'a BTreeMap<String, Vec<Span>>,
    param: &str,
    item: Option<usize>,
) -> &'a Span {
    let written = spans.get(param).map(Vec::as_slice).unwrap_or_default();
    item.and_then(|i| written.get(i))
        .or_else(|| written.first())
        .unwrap_or(&name.span)
}

/// Reports `problem` at the value of its param (the stage's name when the param was not
/// written), under its own code when it has one.
pub(super) fn stage_problem(
    name: &Spanned<String>,
    spans: &BTreeMap<String, Vec<Span>>,
    problem: ParamProblem,
    diags: &mut Diagnostics,
) {
    let at = param_span(name, spans, &problem.param, problem.item);
    let (src, span) = (at.source.source_text(), at.range);
    let (param, message, help) = (problem.param, problem.message, problem.help);
    match problem.code {
        Some(code) => diags.push(CodedParamProblem {
            code,
            param,
            message,
            src,
            span,
            help,
        }),
        None => diags.push(ParamCheckError::InvalidParam {
            param,
            message,
            src,
            span,
            help,
        }),
    }
}

/// Output names become directories of the cache entry: plain names only, not the entry's
/// reserved `scratch`, each once.
pub(super) fn check_output_names(
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
            Some(param_span(&instance.name, spans, param, Some(i)))
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
