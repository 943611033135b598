use std::collections::{BTreeSet, VecDeque};

use miette::LabeledSpan;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use crate::analyse::{AnalyseError, Binding, ReferenceError};

use super::StageGraph;

/// One error per cycle: every stage on it named in order, each edge labelled at the
/// reference that makes it.
pub fn find_cycles(graph: &StageGraph, names: &[&str], bindings: &[Binding]) -> Vec<AnalyseError> {
    let mut errors = Vec::new();
    for component in kosaraju_scc(graph) {
        let members: BTreeSet<usize> = component.iter().map(|n| n.index()).collect();
        let Some(&start) = members.first() else {
            continue;
        };
        let looped =
            members.len() > 1 || graph.contains_edge(NodeIndex::new(start), NodeIndex::new(start));
        if !looped {
            continue;
        }
        let edges = cycle_edges(graph, start, &members);
        errors.push(cycle_error(&edges, names, bindings));
    }
    errors.sort_by_key(|e| e.to_string());
    errors
}

/// The binding indices along a shortest cycle through `start`, inside `members`.
fn cycle_edges(graph: &StageGraph, start: usize, members: &BTreeSet<usize>) -> Vec<usize> {
    let mut via: Vec<Option<(usize, usize)>> = vec![None; graph.node_count()];
    let mut queue = VecDeque::from([start]);
    let mut seen = BTreeSet::from([start]);
    while let Some(node) = queue.pop_front() {
        let mut out: Vec<_> = graph
            .edges(NodeIndex::new(node))
            .map(|e| (e.target().index(), *e.weight()))
            .collect();
        out.sort();
        for (next, binding) in out.into_iter().filter(|(n, _)| members.contains(n)) {
            if next == start {
                return unwind(&via, node, start, binding);
            }
            if seen.insert(next) {
                via[next] = Some((node, binding));
                queue.push_back(next);
            }
        }
    }
    Vec::new()
}

fn unwind(via: &[Option<(usize, usize)>], last: usize, start: usize, closing: usize) -> Vec<usize> {
    let mut edges = vec![closing];
    let mut node = last;
    while node != start {
        let Some((prev, binding)) = via[node] else {
            break;
        };
        edges.push(binding);
        node = prev;
    }
    edges.reverse();
    edges
}

fn cycle_error(edges: &[usize], names: &[&str], bindings: &[Binding]) -> AnalyseError {
    let first = &bindings[edges[0]];
    let mut path: Vec<&str> = edges.iter().map(|&b| names[bindings[b].from]).collect();
    path.push(names[first.from]);
    let labels = edges
        .iter()
        .map(|&b| &bindings[b])
        .filter(|b| b.span.source.name() == first.span.source.name())
        .map(|b| {
            let text = format!("`{}` reads `{}`", names[b.to], b.reference);
            LabeledSpan::new_with_span(Some(text), b.span.range)
        })
        .collect();
    ReferenceError::Cycle {
        path: path.join(" -> "),
        src: first.span.source.source_text(),
        edges: labels,
    }
    .into()
}
