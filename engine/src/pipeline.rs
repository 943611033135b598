//! A validated pipeline: stages with checked params, resolved references, a topological
//! order and device placements. Only a `Pipeline` can be planned, drawn or run.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::analyse::{ArgError, Binding};
use crate::diag::Diagnostics;
use crate::lang::Span;
use crate::resources::{ExecutorConfig, Resources};
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
    /// What it asks of a cluster executor (not part of its fingerprint).
    pub resources: Resources,
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
    /// The pipeline's `executor` block, if any.
    pub executor: Option<ExecutorConfig>,
}

impl PlannedStage {
    /// The project files its path params name, as written.
    pub fn project_paths(&self) -> Vec<String> {
        fn strings(value: &crate::Value, out: &mut Vec<String>) {
            match value {
                crate::Value::String(s) => out.push(s.clone()),
                crate::Value::List(items) => items.iter().for_each(|v| strings(v, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for spec in self
            .stage
            .schema()
            .params
            .iter()
            .filter(|p| p.ty.names_paths())
        {
            if let Some(value) = self.params.get(spec.name) {
                strings(value, &mut out);
            }
        }
        out
    }

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

    /// The stages that read `i`'s outputs directly.
    pub fn dependents(&self, i: usize) -> BTreeSet<usize> {
        self.bindings
            .iter()
            .filter(|b| b.from == i)
            .map(|b| b.to)
            .collect()
    }

    /// The stages named in `only` (stage or ensemble names) and everything they need;
    /// every stage when `only` is empty.
    pub fn select(&self, only: &[String]) -> Result<BTreeSet<usize>, Diagnostics> {
        if only.is_empty() {
            return Ok((0..self.stages.len()).collect());
        }
        let named = self.named(only, |stage, help| ArgError::OnlyUnknownStage {
            stage,
            help,
        })?;
        Ok(self.closure(named, |i| self.dependencies(i)))
    }

    /// `--force=STAGE`: the stages named (stage or ensemble names) — not what they read, and
    /// not what reads them (those re-run only if the forced stages' outputs change).
    pub fn forced(&self, names: &[String]) -> Result<BTreeSet<usize>, Diagnostics> {
        let named = self.named(names, |stage, help| ArgError::ForceUnknownStage {
            stage,
            help,
        })?;
        Ok(named.into_iter().collect())
    }

    /// The stages called `names` (or in ensembles of those names, or their sweep copies
    /// `NAME[…]`); a diagnostic made by
    /// `unknown` for each name that matches none.
    fn named(
        &self,
        names: &[String],
        unknown: impl Fn(String, String) -> ArgError,
    ) -> Result<Vec<usize>, Diagnostics> {
        let mut diags = Diagnostics::new();
        let mut found = Vec::new();
        for name in names {
            let hits: Vec<usize> = (0..self.stages.len())
                .filter(|&i| {
                    let stage = &self.stages[i];
                    stage.name == *name
                        || stage.ensemble.as_deref() == Some(name)
                        || is_sweep_copy(&stage.name, name)
                })
                .collect();
            if hits.is_empty() {
                let help = crate::suggest::did_you_mean(
                    name,
                    self.stages.iter().map(|s| s.name.as_str()),
                    || "`clarity plan` lists the stages".to_owned(),
                );
                diags.push(unknown(name.clone(), help));
            }
            found.extend(hits);
        }
        if diags.is_empty() {
            Ok(found)
        } else {
            Err(diags)
        }
    }

    /// `start` and everything reached from it through `next`.
    fn closure(
        &self,
        start: Vec<usize>,
        next: impl Fn(usize) -> BTreeSet<usize>,
    ) -> BTreeSet<usize> {
        let mut reached = BTreeSet::new();
        let mut todo = start;
        while let Some(i) = todo.pop() {
            if reached.insert(i) {
                todo.extend(next(i));
            }
        }
        reached
    }
}

/// Whether `stage` is a sweep point's copy of stage `name` (`train[lr=1e-5]` of `train`).
fn is_sweep_copy(stage: &str, name: &str) -> bool {
    stage
        .strip_prefix(name)
        .is_some_and(|rest| rest.starts_with('[') && rest.ends_with(']'))
}
