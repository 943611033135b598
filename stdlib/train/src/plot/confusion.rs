use crate::metrics::{ConfusionMatrix, MetricsError};

use super::svg::{Svg, TextStyle, text_width};

const CELL: f64 = 56.0;
const FONT: f64 = 12.0;
const MARGIN: f64 = 16.0;

/// The confusion matrix as an SVG heat map: rows are reference classes, columns predicted
/// classes; each cell shows its count, shaded by its share of the row (the class's recall).
pub fn confusion_svg(
    matrix: &ConfusionMatrix,
    names: &[&str],
    title: &str,
) -> Result<String, MetricsError> {
    matrix.check_names(names)?;
    let n = matrix.classes();
    let longest = names
        .iter()
        .map(|name| text_width(name, FONT))
        .fold(0.0, f64::max);
    let left = MARGIN + FONT * 2.0 + longest + 8.0;
    let top = MARGIN + FONT * 3.0;
    let grid = CELL * n as f64;
    // Column names are written at -45 degrees below the grid.
    let bottom = longest * std::f64::consts::FRAC_1_SQRT_2 + FONT * 4.0 + MARGIN;
    let width = (left + grid + MARGIN).max(text_width(title, FONT * 1.2) + 2.0 * MARGIN);
    let mut svg = Svg::new(width, top + grid + bottom);

    svg.text(
        (width / 2.0, MARGIN + FONT / 2.0),
        title,
        TextStyle::new(FONT * 1.2, "middle").bold(),
    );
    let rows = matrix.rows();
    for (r, row) in rows.iter().enumerate() {
        let row_total: u64 = row.iter().sum();
        for (c, &count) in row.iter().enumerate() {
            let share = if row_total == 0 {
                0.0
            } else {
                count as f64 / row_total as f64
            };
            let (x, y) = (left + CELL * c as f64, top + CELL * r as f64);
            svg.rect(x, y, CELL, CELL, &shade(share), "#cccccc");
            let ink = if share > 0.5 { "white" } else { "black" };
            svg.text(
                (x + CELL / 2.0, y + CELL / 2.0),
                &count.to_string(),
                TextStyle::new(FONT, "middle").fill(ink),
            );
        }
    }
    for (i, name) in names.iter().enumerate() {
        let centre = CELL * i as f64 + CELL / 2.0;
        svg.text(
            (left - 6.0, top + centre),
            name,
            TextStyle::new(FONT, "end"),
        );
        svg.text(
            (left + centre, top + grid + 8.0),
            name,
            TextStyle::new(FONT, "end").rotate(-45.0),
        );
    }
    svg.text(
        (MARGIN + FONT / 2.0, top + grid / 2.0),
        "reference",
        TextStyle::new(FONT, "middle").rotate(-90.0).bold(),
    );
    svg.text(
        (left + grid / 2.0, top + grid + bottom - MARGIN - FONT / 2.0),
        "predicted",
        TextStyle::new(FONT, "middle").bold(),
    );
    Ok(svg.finish())
}

/// White (0) to dark blue (1).
fn shade(share: f64) -> String {
    let s = share.clamp(0.0, 1.0);
    let mix = |from: f64, to: f64| (from + (to - from) * s).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(255.0, 8.0),
        mix(255.0, 48.0),
        mix(255.0, 107.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_shaded_cell_per_pair_with_its_count() {
        // rows: [3 1], [0 0] -> shares 0.75, 0.25, 0 (empty row), 0
        let m = ConfusionMatrix::from_pairs(2, &[0, 0, 0, 0], &[0, 0, 0, 1]).unwrap();
        let svg = confusion_svg(&m, &["Yes", "No & maybe"], "Task <1>").unwrap();
        assert_eq!(svg.matches("<rect x=").count(), 4);
        assert!(svg.contains(&format!("fill=\"{}\"", shade(0.75))));
        assert!(svg.contains(&format!("fill=\"{}\"", shade(0.25))));
        assert!(svg.contains(">3</text>"));
        assert!(svg.contains(">No &amp; maybe</text>"));
        assert!(svg.contains(">Task &lt;1&gt;</text>"));
    }

    #[test]
    fn shades_from_white_to_blue() {
        assert_eq!(shade(0.0), "#ffffff");
        assert_eq!(shade(1.0), "#08306b");
    }

    #[test]
    fn needs_one_name_per_class() {
        let m = ConfusionMatrix::new(3);
        assert!(confusion_svg(&m, &["a"], "t").is_err());
    }
}
