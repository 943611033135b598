//! A confusion matrix as a heat map: rows are reference classes, columns predicted classes;
//! each cell shows its count and its share of the row (the class's recall), shaded by that
//! share, with a colour scale saying so.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Drawn, FONT, PlotError};
use crate::metrics::ConfusionMatrix;

const CELL: i32 = 60;
/// Text size as plotters takes it (the SVG says `size / 1.24`).
const TEXT: f64 = 15.0;
const MARGIN: i32 = 16;
const SCALE_WIDTH: i32 = 14;
const SCALE_STEPS: i32 = 40;
/// The colour scale's caption.
pub(super) const SCALE_CAPTION: &str = "row-normalised share";

/// The heat map as an SVG document; `names` name the classes in index order.
pub fn confusion_svg(
    matrix: &ConfusionMatrix,
    names: &[&str],
    title: &str,
) -> Result<String, PlotError> {
    matrix.check_names(names)?;
    let layout = Layout::new(matrix.classes(), names, title);
    let mut svg = String::new();
    draw(matrix, names, title, &layout, &mut svg).map_err(|e| PlotError::Draw {
        what: format!("the confusion matrix `{title}`"),
        reason: e.to_string(),
    })?;
    Ok(svg)
}

/// Where things go, in pixels.
struct Layout {
    left: i32,
    top: i32,
    grid: i32,
    width: u32,
    height: u32,
}

impl Layout {
    fn new(classes: usize, names: &[&str], title: &str) -> Self {
        let longest = names.iter().map(|n| text_width(n)).max().unwrap_or(0);
        let left = MARGIN + 24 + longest + 8;
        let top = MARGIN + 40;
        let grid = CELL * classes as i32;
        let right = 24 + SCALE_WIDTH + 48 + 24 + MARGIN;
        let width = (left + grid + right).max(text_width(title) + 2 * MARGIN);
        let height = top + grid + 6 + longest + 30 + MARGIN;
        Self {
            left,
            top,
            grid,
            width: width as u32,
            height: height as u32,
        }
    }
}

fn text_width(text: &str) -> i32 {
    (text.chars().count() as f64 * TEXT / 1.24 * 0.6).ceil() as i32
}

fn draw(
    matrix: &ConfusionMatrix,
    names: &[&str],
    title: &str,
    at: &Layout,
    svg: &mut String,
) -> Drawn {
    let root = SVGBackend::with_string(svg, (at.width, at.height)).into_drawing_area();
    root.fill(&WHITE)?;
    let title_style = TextStyle::from((FONT, TEXT * 1.2).into_font().style(FontStyle::Bold))
        .pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new(
        title,
        (at.width as i32 / 2, MARGIN + 10),
        &title_style,
    ))?;
    cells(&root, matrix, at)?;
    class_names(&root, names, at)?;
    colour_scale(&root, at)?;
    root.present()?;
    Ok(())
}

fn cells(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    matrix: &ConfusionMatrix,
    at: &Layout,
) -> Drawn {
    let style = |ink: &'static RGBColor, dy: i32| {
        let font = TextStyle::from((FONT, TEXT)).color(ink);
        (font.pos(Pos::new(HPos::Center, VPos::Center)), dy)
    };
    for (r, row) in matrix.rows().iter().enumerate() {
        let total: u64 = row.iter().sum();
        for (c, &count) in row.iter().enumerate() {
            let share = if total == 0 {
                0.0
            } else {
                count as f64 / total as f64
            };
            let (x, y) = (at.left + CELL * c as i32, at.top + CELL * r as i32);
            root.draw(&Rectangle::new(
                [(x, y), (x + CELL, y + CELL)],
                shade(share).filled(),
            ))?;
            let border = RGBColor(0xcc, 0xcc, 0xcc).stroke_width(1);
            root.draw(&Rectangle::new([(x, y), (x + CELL, y + CELL)], border))?;
            let ink = if share > 0.5 { &WHITE } else { &BLACK };
            let centre = (x + CELL / 2, y + CELL / 2);
            let percent = format!("{:.0}%", share * 100.0);
            for (text, (font, dy)) in [
                (count.to_string(), style(ink, -9)),
                (percent, style(ink, 10)),
            ] {
                root.draw(&Text::new(text, (centre.0, centre.1 + dy), &font))?;
            }
        }
    }
    Ok(())
}

fn class_names(root: &DrawingArea<SVGBackend<'_>, Shift>, names: &[&str], at: &Layout) -> Drawn {
    let font = TextStyle::from((FONT, TEXT));
    let rows = font.pos(Pos::new(HPos::Right, VPos::Center));
    let columns = font
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Right, VPos::Center));
    for (i, name) in names.iter().enumerate() {
        let centre = CELL * i as i32 + CELL / 2;
        root.draw(&Text::new(*name, (at.left - 6, at.top + centre), &rows))?;
        root.draw(&Text::new(
            *name,
            (at.left + centre, at.top + at.grid + 6),
            &columns,
        ))?;
    }
    let bold = TextStyle::from((FONT, TEXT).into_font().style(FontStyle::Bold));
    let vertical = bold
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new(
        "reference",
        (MARGIN + 8, at.top + at.grid / 2),
        &vertical,
    ))?;
    let below = bold.pos(Pos::new(HPos::Center, VPos::Bottom));
    let bottom = at.height as i32 - MARGIN;
    root.draw(&Text::new(
        "predicted",
        (at.left + at.grid / 2, bottom),
        &below,
    ))?;
    Ok(())
}

/// A vertical bar from white (0%) to dark blue (100%), with ticks and its caption.
fn colour_scale(root: &DrawingArea<SVGBackend<'_>, Shift>, at: &Layout) -> Drawn {
    let x = at.left + at.grid + 24;
    let step = at.grid as f64 / SCALE_STEPS as f64;
    for k in 0..SCALE_STEPS {
        let share = 1.0 - (k as f64 + 0.5) / SCALE_STEPS as f64;
        let y0 = at.top + (step * k as f64).round() as i32;
        let y1 = at.top + (step * (k + 1) as f64).round() as i32;
        root.draw(&Rectangle::new(
            [(x, y0), (x + SCALE_WIDTH, y1)],
            shade(share).filled(),
        ))?;
    }
    let frame = [(x, at.top), (x + SCALE_WIDTH, at.top + at.grid)];
    root.draw(&Rectangle::new(
        frame,
        RGBColor(0x88, 0x88, 0x88).stroke_width(1),
    ))?;
    let ticks = TextStyle::from((FONT, TEXT * 0.9)).pos(Pos::new(HPos::Left, VPos::Center));
    for (share, label) in [(1.0, "100%"), (0.5, "50%"), (0.0, "0%")] {
        let y = at.top + ((1.0 - share) * at.grid as f64).round() as i32;
        root.draw(&PathElement::new(
            vec![(x + SCALE_WIDTH, y), (x + SCALE_WIDTH + 4, y)],
            BLACK,
        ))?;
        root.draw(&Text::new(label, (x + SCALE_WIDTH + 6, y), &ticks))?;
    }
    let caption = TextStyle::from((FONT, TEXT * 0.9))
        .transform(FontTransform::Rotate90)
        .pos(Pos::new(HPos::Center, VPos::Center));
    let caption_x = x + SCALE_WIDTH + 48 + 12;
    root.draw(&Text::new(
        SCALE_CAPTION,
        (caption_x, at.top + at.grid / 2),
        &caption,
    ))?;
    Ok(())
}

/// White (0) to dark blue (1).
fn shade(share: f64) -> RGBColor {
    let s = share.clamp(0.0, 1.0);
    let mix = |from: f64, to: f64| (from + (to - from) * s).round() as u8;
    RGBColor(mix(255.0, 8.0), mix(255.0, 48.0), mix(255.0, 107.0))
}

#[cfg(test)]
mod tests {
    use super::super::svg_text::texts;
    use super::*;

    fn hex(c: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    #[test]
    fn shades_each_cell_by_its_row_share_and_writes_count_and_percent() {
        // rows: [3 1], [0 0] -> shares 0.75, 0.25, 0 (empty row), 0
        let m = ConfusionMatrix::from_pairs(2, &[0, 0, 0, 0], &[0, 0, 0, 1]).unwrap();
        let svg = confusion_svg(&m, &["Yes", "No & maybe"], "Task <1>").unwrap();
        for share in [0.75, 0.25, 0.0] {
            let fill = format!("fill=\"{}\"", hex(shade(share)));
            assert!(svg.contains(&fill), "{fill}");
        }
        let texts: Vec<String> = texts(&svg).into_iter().map(|t| t.content).collect();
        for text in [
            "3",
            "75%",
            "1",
            "25%",
            "0%",
            "No &amp; maybe",
            "Task &lt;1&gt;",
        ] {
            assert!(texts.iter().any(|t| t == text), "{text} in {texts:?}");
        }
        assert!(texts.iter().any(|t| t == "reference") && texts.iter().any(|t| t == "predicted"));
    }

    #[test]
    fn has_a_colour_scale_that_says_it_is_row_normalised() {
        let m = ConfusionMatrix::from_pairs(3, &[0, 1, 2], &[0, 1, 1]).unwrap();
        let svg = confusion_svg(&m, &["a", "b", "c"], "t").unwrap();
        let texts = texts(&svg);
        let caption = texts.iter().find(|t| t.content == SCALE_CAPTION).unwrap();
        let layout = Layout::new(3, &["a", "b", "c"], "t");
        let grid_right = f64::from(layout.left + layout.grid);
        assert!(caption.x > grid_right, "the scale is right of the grid");
        for tick in ["0%", "50%", "100%"] {
            assert!(
                texts.iter().any(|t| t.content == tick && t.x > grid_right),
                "{tick}"
            );
        }
        assert!(svg.contains(&format!(
            "fill=\"{}\"",
            hex(shade(1.0 - 0.5 / f64::from(SCALE_STEPS)))
        )));
    }

    #[test]
    fn shades_from_white_to_blue() {
        assert_eq!(hex(shade(0.0)), "#FFFFFF");
        assert_eq!(hex(shade(1.0)), "#08306B");
    }

    #[test]
    fn needs_one_name_per_class() {
        let m = ConfusionMatrix::new(3);
        assert!(confusion_svg(&m, &["a"], "t").is_err());
    }
}
