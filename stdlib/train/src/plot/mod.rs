//! SVG figures drawn with `plotters`: learning curves and confusion matrices.

mod confusion;
mod curves;
mod legend;

pub use confusion::confusion_svg;
pub use curves::{BestMark, Figure, Panel, Series, learning_curves_svg};

use plotters::style::RGBColor;

use crate::metrics::MetricsError;

/// Why a figure could not be drawn.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PlotError {
    /// The class names do not fit the matrix.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Names(#[from] MetricsError),
    /// The drawing library failed.
    #[error("cannot draw {what}: {reason}")]
    #[diagnostic(
        code(clarity::plot::draw),
        help("an internal error of the plotting code; report it with the run's metrics.json")
    )]
    Draw {
        /// The figure.
        what: String,
        /// The library's error.
        reason: String,
    },
}

/// The result of drawing steps; any backend error, rendered into a [`PlotError`] once.
type Drawn = Result<(), Box<dyn std::error::Error>>;

/// Line colours, in legend order (matplotlib's "tab10").
const COLOURS: [RGBColor; 6] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
];

/// Font family of every text (SVG text is laid out by the viewer).
const FONT: &str = "sans-serif";

/// Reading the SVG back in tests.
#[cfg(test)]
mod svg_text {
    /// A `<text>` element: its `x`, `y` and content (entities as written).
    #[derive(Debug)]
    pub(super) struct Text {
        pub x: f64,
        pub y: f64,
        pub content: String,
    }

    /// Every `<text>` element of `svg`, in document order.
    pub(super) fn texts(svg: &str) -> Vec<Text> {
        svg.split("<text ")
            .skip(1)
            .map(|element| {
                let (attributes, rest) = element.split_once('>').expect("a tag");
                let content = rest.split_once("</text>").expect("closed").0;
                Text {
                    x: attribute(attributes, "x"),
                    y: attribute(attributes, "y"),
                    content: content.trim().to_owned(),
                }
            })
            .collect()
    }

    fn attribute(attributes: &str, name: &str) -> f64 {
        let value = attributes
            .split_once(&format!(" {name}=\""))
            .or_else(|| attributes.split_once(&format!("{name}=\"")))
            .expect("the attribute")
            .1;
        value.split('"').next().unwrap().parse().unwrap()
    }
}
