//! `sweep { train.lr 1e-5 2e-5; seed 1 2 }`: the axes of a sweep, one child per param (or
//! `let` name) with its values.

use kdl::KdlNode;

use super::Parser;
use crate::lang::kdl_read::NodeReader;
use crate::lang::{Expr, Spanned, SweepAxis};

const HELP: &str =
    "write `sweep { train.lr 1e-5 2e-5 }`: one line per param (or `let`), then its values";

impl Parser<'_> {
    pub(super) fn parse_sweep(&mut self, node: &KdlNode) -> Vec<SweepAxis> {
        let Some(children) = node.children().filter(|_| node.entries().is_empty()) else {
            self.malformed(node.span(), "malformed `sweep`", "here", HELP);
            return Vec::new();
        };
        let mut axes = Vec::new();
        for child in children.nodes() {
            let entries = child.entries();
            if entries.is_empty()
                || child.children().is_some()
                || entries.iter().any(|e| e.name().is_some())
            {
                self.malformed(child.span(), "a sweep line takes values only", "here", HELP);
                continue;
            }
            let values: Vec<Spanned<Expr>> =
                entries.iter().filter_map(|e| self.parse_value(e)).collect();
            if values.len() != entries.len() {
                continue;
            }
            axes.push(SweepAxis {
                key: Spanned::new(
                    child.name().value().to_owned(),
                    self.span(child.name().span()),
                ),
                values,
            });
        }
        axes
    }
}
