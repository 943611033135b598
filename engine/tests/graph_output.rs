//! `clarity graph` output: deterministic dot and mermaid.
mod common;

use clarity_engine::graph::{to_dot, to_mermaid};
use common::analyse;

const TEXT: &str = "pipeline \"g\" {\n    stage \"a\" produce text=\"x\"\n    stage \"b\" concat {\n        inputs \"a.out\" \"a.out\"\n    }\n    stage \"c\" use-table table=\"a.extra\"\n}\n";

#[test]
fn dot_lists_nodes_and_sorted_edges() {
    let dot = to_dot(&analyse(TEXT).unwrap());
    assert_eq!(
        dot,
        "digraph \"g\" {\n    rankdir=LR;\n    \"a\" [label=\"a (produce)\"];\n    \"b\" [label=\"b (concat)\"];\n    \"c\" [label=\"c (use-table)\"];\n    \"a\" -> \"b\" [label=\"out\"];\n    \"a\" -> \"c\" [label=\"extra\"];\n}\n"
    );
}

#[test]
fn mermaid_lists_nodes_and_sorted_edges() {
    let mermaid = to_mermaid(&analyse(TEXT).unwrap());
    assert_eq!(
        mermaid,
        "flowchart LR\n    s0[\"a (produce)\"]\n    s1[\"b (concat)\"]\n    s2[\"c (use-table)\"]\n    s0 -->|out| s1\n    s0 -->|extra| s2\n"
    );
}
