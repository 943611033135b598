//! References between stages (`"split.train"`): the edges of the graph.

use std::collections::BTreeMap;

use crate::diag::Diagnostics;
use crate::lang::Span;
use crate::{ArtifactKind, ParamType};

use super::{Checked, ReferenceError};

/// One resolved reference: stage `to` reads output `output` of stage `from` through `param`.
#[derive(Clone, Debug)]
pub struct Binding {
    /// Index of the producing stage.
    pub from: usize,
    /// The output read.
    pub output: String,
    /// Index of the consuming stage.
    pub to: usize,
    /// The consuming param.
    pub param: String,
    /// The reference as it resolves (`train-42.best` for an ensemble member).
    pub reference: String,
    /// Where the reference was written.
    pub span: Span,
}

/// Resolves every input reference of every stage; reports unknown stages and outputs,
/// ambiguous references and artifact-kind mismatches.
pub fn resolve(
    stages: &[Checked],
    ensembles: &BTreeMap<String, Vec<String>>,
    broken: &std::collections::BTreeSet<String>,
    diags: &mut Diagnostics,
) -> Vec<Binding> {
    let index: BTreeMap<&str, usize> = stages
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.value.as_str(), i))
        .collect();
    let resolver = Resolver {
        stages,
        ensembles,
        broken,
        index,
    };
    let mut out = Vec::new();
    for (to, stage) in stages.iter().enumerate() {
        for spec in &stage.stage.schema().params {
            let Some(expected) = spec.ty.input_kind() else {
                continue;
            };
            let Some(values) = stage.params.get(spec.name) else {
                continue;
            };
            let refs: Vec<&str> = match values.as_list() {
                Some(items) => items.iter().filter_map(|v| v.as_str()).collect(),
                None => values.as_str().into_iter().collect(),
            };
            let spans = stage.spans.get(spec.name).cloned().unwrap_or_default();
            let list = matches!(spec.ty, ParamType::List(_));
            for (i, text) in refs.into_iter().enumerate() {
                let Some(span) = spans.get(i).or(spans.last()).cloned() else {
                    continue;
                };
                let site = Site {
                    to,
                    param: spec.name,
                    expected,
                    list,
                    span,
                };
                out.extend(resolver.resolve(text, &site, diags));
            }
        }
    }
    out
}

struct Site<'a> {
    to: usize,
    param: &'a str,
    expected: ArtifactKind,
    list: bool,
    span: Span,
}

struct Resolver<'a> {
    stages: &'a [Checked],
    ensembles: &'a BTreeMap<String, Vec<String>>,
    broken: &'a std::collections::BTreeSet<String>,
    index: BTreeMap<&'a str, usize>,
}

impl Resolver<'_> {
    fn resolve(&self, text: &str, site: &Site<'_>, diags: &mut Diagnostics) -> Vec<Binding> {
        let (name, output) = match text.split_once('.') {
            Some((name, output)) => (name, Some(output)),
            None => (text, None),
        };
        let targets = self.targets(name, text, site, diags);
        targets
            .into_iter()
            .filter_map(|from| self.bind(from, output, site, diags))
            .collect()
    }

    fn targets(
        &self,
        name: &str,
        text: &str,
        site: &Site<'_>,
        diags: &mut Diagnostics,
    ) -> Vec<usize> {
        if let Some(&i) = self.index.get(name) {
            return vec![i];
        }
        if self.broken.contains(name) {
            return Vec::new();
        }
        let (src, span) = (site.span.source.source_text(), site.span.range);
        let Some(members) = self.ensembles.get(name) else {
            let names = self
                .index
                .keys()
                .copied()
                .chain(self.ensembles.keys().map(String::as_str));
            let best = if diags.is_full() {
                None
            } else {
                crate::suggest::closest(name, names)
            };
            let help = crate::suggest::help(best, || {
                "a reference is \"STAGE.OUTPUT\", naming a stage of this pipeline".to_owned()
            });
            diags.push(ReferenceError::UnknownStage {
                stage: name.to_owned(),
                src,
                span,
                help,
            });
            return Vec::new();
        };
        if !site.list {
            let help = format!(
                "name one member: {}",
                members
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let (reference, param, count) = (text.to_owned(), site.param.to_owned(), members.len());
            diags.push(ReferenceError::EnsembleInSingle {
                reference,
                param,
                count,
                src,
                span,
                help,
            });
            return Vec::new();
        }
        members
            .iter()
            .filter_map(|m| self.index.get(m.as_str()).copied())
            .collect()
    }

    fn bind(
        &self,
        from: usize,
        output: Option<&str>,
        site: &Site<'_>,
        diags: &mut Diagnostics,
    ) -> Option<Binding> {
        let stage = &self.stages[from];
        let found = match output {
            Some(o) => stage.outputs.iter().find(|s| s.name == o),
            None if stage.outputs.len() == 1 => stage.outputs.first(),
            None => None,
        };
        let (src, span) = (site.span.source.source_text(), site.span.range);
        let Some(spec) = found else {
            let names = stage.outputs.iter().map(|o| o.name.as_str());
            let help = match output.and_then(|o| crate::suggest::closest(o, names.clone())) {
                Some(best) => format!("did you mean `{}.{best}`?", stage.name.value),
                None => format!(
                    "its outputs: {}",
                    names
                        .map(|n| format!("`{}.{n}`", stage.name.value))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let output = output.unwrap_or("").to_owned();
            diags.push(ReferenceError::UnknownOutput {
                stage: stage.name.value.clone(),
                output,
                src,
                span,
                help,
            });
            return None;
        };
        let reference = format!("{}.{}", stage.name.value, spec.name);
        if !site.expected.accepts(spec.kind) {
            diags.push(ReferenceError::KindMismatch {
                reference,
                param: site.param.to_owned(),
                produced: spec.kind.to_string(),
                expected: site.expected.to_string(),
                src,
                span,
            });
            return None;
        }
        Some(Binding {
            from,
            output: spec.name.clone(),
            to: site.to,
            param: site.param.to_owned(),
            reference,
            span: site.span.clone(),
        })
    }
}
