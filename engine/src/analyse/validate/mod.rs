//! Checks each stage instance against its kind's schema: kind, param names, types, ranges,
//! choices, required params, rules between params, local paths; fills in defaults.

mod rules;
mod stage_checks;
mod upstream;
mod values;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::diag::Diagnostics;
use crate::fs::FileSystem;
use crate::lang::{Span, Spanned};
use crate::{OutputSpec, ParamSpec, Params, Registry, StageKind};

use super::{EValue, Instance, ParamCheckError, StageError};
use rules::{check_rules, fill_defaults};
use stage_checks::{check_output_names, stage_problem};

/// A stage instance whose params match its schema.
#[derive(Clone)]
pub struct Checked {
    /// Its name.
    pub name: Spanned<String>,
    /// The ensemble it belongs to, if any.
    pub ensemble: Option<String>,
    /// Its implementation.
    pub stage: Arc<StageKind>,
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
            stage_problem(&instance.name, &spans, problem, diags);
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
    ) -> Option<&Arc<StageKind>> {
        let found = self.registry.get(&kind.value);
        if found.is_none() {
            let help = crate::suggest::help(self.registry.suggest_kind(&kind.value), || {
                "`clarity stages` lists the stage kinds".to_owned()
            });
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
            let help = crate::suggest::help(suggested, || {
                format!("`clarity stages {kind}` lists its params")
            });
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
}

fn item_spans(value: &Spanned<EValue>) -> Vec<Span> {
    match &value.value {
        EValue::List(items) => items.iter().map(|i| i.span.clone()).collect(),
        EValue::Scalar(_) => vec![value.span.clone()],
    }
}
