//! The pipeline as a petgraph DAG: cycle detection, topological order, dot/mermaid output.

mod cycles;
mod dag;
mod render;

pub use cycles::find_cycles;
pub use dag::{StageGraph, build, topological_order};
pub use render::{to_dot, to_mermaid};
