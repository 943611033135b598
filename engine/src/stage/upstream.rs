//! What a stage kind sees of the stages upstream of it at check time
//! ([`Stage::check_upstream`](super::Stage::check_upstream)).

use std::path::{Path, PathBuf};

use super::Params;
use crate::analyse::{Binding, Checked};

/// The checked stages and the bindings between them, indexed by consuming stage.
pub(crate) struct UpstreamGraph<'a> {
    stages: &'a [Checked],
    bindings: &'a [Binding],
    /// For each stage, the indices of the bindings it consumes, in the order written.
    feeds: Vec<Vec<usize>>,
    project_dir: &'a Path,
}

impl<'a> UpstreamGraph<'a> {
    /// The graph of `stages` bound by `bindings`; local paths resolve against `project_dir`.
    pub(crate) fn new(
        stages: &'a [Checked],
        bindings: &'a [Binding],
        project_dir: &'a Path,
    ) -> Self {
        let mut feeds = vec![Vec::new(); stages.len()];
        for (i, b) in bindings.iter().enumerate() {
            if let Some(feed) = feeds.get_mut(b.to) {
                feed.push(i);
            }
        }
        Self {
            stages,
            bindings,
            feeds,
            project_dir,
        }
    }

    /// The view from stage `at`.
    pub(crate) fn at(&self, at: usize) -> Upstream<'_> {
        Upstream { graph: self, at }
    }
}

/// The stages one stage instance reads from, as bound at check time: for each input param,
/// the stage and output it reads, whose own inputs can be asked in turn. The pipeline has
/// no cycles when a stage is given one.
#[derive(Clone, Copy)]
pub struct Upstream<'a> {
    graph: &'a UpstreamGraph<'a>,
    at: usize,
}

/// One input of a stage as bound at check time: the upstream stage and the output it reads.
#[derive(Clone, Copy)]
pub struct BoundInput<'a> {
    /// The reference as it resolves, e.g. `split.train`.
    pub reference: &'a str,
    /// The upstream stage's name.
    pub stage: &'a str,
    /// Its kind, e.g. `fetch-dataset`.
    pub kind: &'static str,
    /// Its resolved params (local paths as written: see [`Upstream::local_path`]).
    pub params: &'a Params,
    /// The output read, e.g. `train`.
    pub output: &'a str,
    /// The upstream stage's own inputs.
    pub upstream: Upstream<'a>,
}

impl<'a> Upstream<'a> {
    /// The directory relative paths resolve against.
    pub fn project_dir(&self) -> &'a Path {
        self.graph.project_dir
    }

    /// A path param's value (as written) as the stage will read it.
    pub fn local_path(&self, path: &str) -> PathBuf {
        self.graph.project_dir.join(path)
    }

    /// What `param` is bound to, one entry per reference (in the order written; an ensemble
    /// reference gives one per member). Empty when the param is not an input, not given, or
    /// its reference did not resolve.
    pub fn inputs(&self, param: &str) -> Vec<BoundInput<'a>> {
        let graph = self.graph;
        let feed = graph
            .feeds
            .get(self.at)
            .map(Vec::as_slice)
            .unwrap_or_default();
        feed.iter()
            .filter_map(|&i| graph.bindings.get(i))
            .filter(|b| b.param == param)
            .filter_map(|b| {
                let from = graph.stages.get(b.from)?;
                Some(BoundInput {
                    reference: &b.reference,
                    stage: &from.name.value,
                    kind: from.stage.schema().kind,
                    params: &from.params,
                    output: &b.output,
                    upstream: Upstream { graph, at: b.from },
                })
            })
            .collect()
    }

    /// The first of [`Upstream::inputs`], for a param that takes one reference.
    pub fn input(&self, param: &str) -> Option<BoundInput<'a>> {
        self.inputs(param).into_iter().next()
    }
}
