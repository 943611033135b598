//! A validated pipeline: stages with checked params, resolved references, a topological
//! order and device placements. Only a `Pipeline` can be planned, drawn or run.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::analyse::{AnalyseError, Binding};
use crate::diag::Diagnostics;
use crate::lang::Span;
use crate::{OutputSpec, Params, Placement, PolicySource, StageKind};

/// One stage of a validated pipeline.
#[derive(Clone)]
pub struct PlannedStage {
    /// Its name.
    pub name: String,
    /// The ensemble it belongs to, if any.
    pub ensemble: Option<String>,
    /// Its kind.
    pub kind: &'static str,
    /// Its implementation.
    pub stage: Arc<StageKind>,
    /// Resolved params (defaults filled in; paths as written).
    pub params: Params,
    /// Its outputs.
    pub outputs: Vec<OutputSpec>,
    /// Device, precision and attention path, with the policies that fired.
    pub placement: Placement,
    /// Where its name was written.
    pub span: Span,
}

/// A validated pipeline.
#[derive(Clone)]
pub struct Pipeline {
    /// Its name (from `pipeline "NAME"`, else the file name).
    pub name: String,
    /// Stages in declaration order.
    pub stages: Vec<PlannedStage>,
    /// Every reference: the graph's edges.
    pub bindings: Vec<Binding>,
    /// Stage indices in a topological order (ties in declaration order).
    pub order: Vec<usize>,
    /// Policy libraries imported with `use`.
    pub policies: Vec<PolicySource>,
    /// The device asked for: `--device`, else the pipeline's `device`, else `auto`.
    pub device: String,
}

impl PlannedStage {
    /// The params as recorded in `stage.json` and the run manifest: secrets the stage
    /// declares are replaced ([`crate::Stage::recorded_params`]).
    pub fn recorded_params(&self) -> Params {
        self.stage.recorded_params(&self.params)
    }
}

impl Pipeline {
    /// The index of stage `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.name == name)
    }

    /// The bindings that feed stage `i`.
    pub fn inputs_of(&self, i: usize) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.to == i)
    }

    /// The stages `i` reads from directly.
    pub fn dependencies(&self, i: usize) -> BTreeSet<usize> {
        self.inputs_of(i).map(|b| b.from).collect()
    }

    /// The stages named in `only` (stage or ensemble names) and everything they need;
    /// every stage when `only` is empty.
    pub fn select(&self, only: &[String]) -> Result<BTreeSet<usize>, Diagnostics> {
        if only.is_empty() {
            return Ok((0..self.stages.len()).collect());
        }
        let mut diags = Diagnostics::new();
        let mut todo = Vec::new();
        for name in only {
            let hits: Vec<usize> = (0..self.stages.len())
                .filter(|&i| {
                    self.stages[i].name == *name || self.stages[i].ensemble.as_deref() == Some(name)
                })
                .collect();
            if hits.is_empty() {
                let help = match crate::suggest::closest(
                    name,
                    self.stages.iter().map(|s| s.name.as_str()),
                ) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => "`clarity plan` lists the stages".to_owned(),
                };
                diags.push(AnalyseError::OnlyUnknownStage {
                    stage: name.clone(),
                    help,
                });
            }
            todo.extend(hits);
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let mut selected = BTreeSet::new();
        while let Some(i) = todo.pop() {
            if selected.insert(i) {
                todo.extend(self.dependencies(i));
            }
        }
        Ok(selected)
    }
}
