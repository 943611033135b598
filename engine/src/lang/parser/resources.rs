//! Resource blocks: a stage's `resources { gpus 1; mem "16G" }` (its lines become the params
//! `resources.gpus`, `resources.mem`, which the analyser takes out of the stage's params) and
//! the pipeline's `executor "slurm" { partition "gpu" }`.

use kdl::{KdlEntry, KdlNode};

use super::Parser;
use crate::lang::kdl_read::NodeReader;
use crate::lang::{ExecutorDecl, ParamAst};

const RESOURCES_HELP: &str =
    "write `resources { gpus 1; cpus 8; mem \"32G\"; time \"4:00:00\" }`: one line per setting";
const EXECUTOR_HELP: &str =
    "write `executor \"slurm\" { partition \"gpu\"; account \"lab\" }` (the block is optional)";

impl Parser<'_> {
    /// The lines of a stage's `resources { … }` block, as params named `resources.KEY`.
    pub(super) fn parse_resources_block(&mut self, node: &KdlNode) -> Vec<ParamAst> {
        let Some(children) = node.children().filter(|_| node.entries().is_empty()) else {
            self.malformed(node.span(), "malformed `resources`", "here", RESOURCES_HELP);
            return Vec::new();
        };
        let mut params = self.parse_settings(children.nodes(), RESOURCES_HELP);
        for param in &mut params {
            param.name.value = format!("resources.{}", param.name.value);
        }
        params
    }

    /// `executor "KIND" { KEY VALUE … }`.
    pub(super) fn parse_executor(&mut self, node: &KdlNode) -> Option<ExecutorDecl> {
        let kind = match node.entries() {
            [kind] if kind.name().is_none() => kind,
            _ => {
                let message = "`executor` takes one kind";
                self.malformed(node.span(), message, "here", EXECUTOR_HELP);
                return None;
            }
        };
        let kind = self.expect_string(kind)?;
        let nodes = node.children().map(|c| c.nodes()).unwrap_or(&[]);
        let settings = self.parse_settings(nodes, EXECUTOR_HELP);
        Some(ExecutorDecl { kind, settings })
    }

    /// `KEY VALUE …` lines (several values make a list).
    fn parse_settings(&mut self, nodes: &[KdlNode], help: &str) -> Vec<ParamAst> {
        let mut out = Vec::new();
        for child in nodes {
            let entries = child.entries();
            if entries.is_empty()
                || child.children().is_some()
                || entries.iter().any(|e| e.name().is_some())
            {
                self.malformed(child.span(), "a setting takes values only", "here", help);
                continue;
            }
            let args: Vec<&KdlEntry> = entries.iter().collect();
            out.extend(self.parse_args_param(child, &args));
        }
        out
    }
}

/// Whether `name` is a stage's resources block (not a param).
pub(super) fn is_resources(node: &KdlNode) -> bool {
    node.name().value() == "resources" && node.children().is_some()
}
