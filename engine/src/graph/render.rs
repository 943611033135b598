use std::fmt::Write;

use crate::Pipeline;

/// The graph in Graphviz dot: one node per stage (labelled `name (kind)`), one edge per
/// reference labelled with the output, sorted so the text is deterministic.
pub fn to_dot(pipeline: &Pipeline) -> String {
    let mut out = format!("digraph {:?} {{\n    rankdir=LR;\n", pipeline.name);
    for stage in &pipeline.stages {
        let _ = writeln!(
            out,
            "    {:?} [label={:?}];",
            stage.name,
            format!("{} ({})", stage.name, stage.kind)
        );
    }
    for (from, to, label) in edges(pipeline) {
        let _ = writeln!(out, "    {from:?} -> {to:?} [label={label:?}];");
    }
    out.push_str("}\n");
    out
}

/// The graph as a Mermaid flowchart.
pub fn to_mermaid(pipeline: &Pipeline) -> String {
    let mut out = String::from("flowchart LR\n");
    let id = |i: usize| format!("s{i}");
    let index = |name: &str| {
        pipeline
            .stages
            .iter()
            .position(|s| s.name == name)
            .unwrap_or(0)
    };
    for (i, stage) in pipeline.stages.iter().enumerate() {
        let _ = writeln!(out, "    {}[\"{} ({})\"]", id(i), stage.name, stage.kind);
    }
    for (from, to, label) in edges(pipeline) {
        let _ = writeln!(
            out,
            "    {} -->|{}| {}",
            id(index(from)),
            label,
            id(index(to))
        );
    }
    out
}

fn edges(pipeline: &Pipeline) -> Vec<(&str, &str, &str)> {
    let mut edges: Vec<(&str, &str, &str)> = pipeline
        .bindings
        .iter()
        .map(|b| {
            (
                pipeline.stages[b.from].name.as_str(),
                pipeline.stages[b.to].name.as_str(),
                b.output.as_str(),
            )
        })
        .collect();
    edges.sort();
    edges.dedup();
    edges
}
