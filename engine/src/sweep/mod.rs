//! Sweeps: `--sweep stage.param=V1,V2` (several flags span a grid) and the pipeline's
//! `sweep { stage.param V1 V2 }` block. Each point is analysed
//! as the pipeline with those `--set`s, and the points' graphs are merged into one, sharing
//! every stage that does not depend on a swept value.

mod grid;
mod merge;

pub use grid::{Axis, MAX_POINTS, Point, SweepError, combine, file_axes, parse_axes, points};
pub use merge::{ShapeError, merge};
