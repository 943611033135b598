//! SVG figures written directly: confusion matrices and learning curves.

mod confusion;
mod curves;
mod svg;

pub use confusion::confusion_svg;
pub use curves::{Panel, Series, learning_curves_svg};
