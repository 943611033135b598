//! A legend drawn in its own area beside a chart, so it never covers a curve.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Drawn, FONT};

/// The colour of the best-epoch mark.
pub(super) const BEST: RGBColor = RGBColor(0x33, 0x33, 0x33);

/// What an entry shows left of its text.
pub(super) enum Sample {
    /// A series' line.
    Line(RGBColor),
    /// The best-epoch mark: a dashed line through a ring.
    Best,
}

/// One legend line.
pub(super) struct Entry {
    /// Its text.
    pub label: String,
    /// Its sample.
    pub sample: Sample,
}

const TOP: i32 = 48;
const ROW: i32 = 22;
const SAMPLE: (i32, i32) = (8, 34);

/// The entries top to bottom, from the area's left edge.
pub(super) fn draw(area: &DrawingArea<SVGBackend<'_>, Shift>, entries: &[Entry]) -> Drawn {
    let text = TextStyle::from((FONT, 13)).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, entry) in entries.iter().enumerate() {
        let y = TOP + ROW * i as i32;
        let line = vec![(SAMPLE.0, y), (SAMPLE.1, y)];
        match entry.sample {
            Sample::Line(colour) => {
                area.draw(&PathElement::new(line, colour.stroke_width(2)))?;
            }
            Sample::Best => {
                let ring = ((SAMPLE.0 + SAMPLE.1) / 2, y);
                area.draw(&DashedPathElement::new(line, 4, 3, BEST.stroke_width(1)))?;
                area.draw(&Circle::new(ring, 5, BEST.stroke_width(2)))?;
            }
        }
        area.draw(&Text::new(entry.label.as_str(), (SAMPLE.1 + 8, y), &text))?;
    }
    Ok(())
}
