use std::collections::BTreeSet;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::analyse::Binding;

/// Stage indices as nodes; an edge `from -> to` per binding (weight: binding index).
pub type StageGraph = DiGraph<usize, usize>;

/// The graph of `count` stages joined by `bindings`.
pub fn build(count: usize, bindings: &[Binding]) -> StageGraph {
    let mut graph = StageGraph::with_capacity(count, bindings.len());
    for i in 0..count {
        graph.add_node(i);
    }
    for (b, binding) in bindings.iter().enumerate() {
        graph.add_edge(NodeIndex::new(binding.from), NodeIndex::new(binding.to), b);
    }
    graph
}

/// Kahn's algorithm, ties broken by declaration order (so plans are deterministic).
/// `None` if the graph has a cycle.
pub fn topological_order(graph: &StageGraph) -> Option<Vec<usize>> {
    let mut indegree: Vec<usize> = graph
        .node_indices()
        .map(|n| graph.neighbors_directed(n, Direction::Incoming).count())
        .collect();
    let mut ready: BTreeSet<usize> = (0..indegree.len()).filter(|&i| indegree[i] == 0).collect();
    let mut order = Vec::with_capacity(indegree.len());
    while let Some(next) = ready.pop_first() {
        order.push(next);
        for succ in graph.neighbors_directed(NodeIndex::new(next), Direction::Outgoing) {
            indegree[succ.index()] -= 1;
            if indegree[succ.index()] == 0 {
                ready.insert(succ.index());
            }
        }
    }
    (order.len() == indegree.len()).then_some(order)
}
