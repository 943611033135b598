use super::svg::{Svg, TextStyle};

/// One line of a chart: a name for the legend and its (x, y) points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Points in drawing order; non-finite points are skipped.
    pub points: Vec<(f64, f64)>,
}

/// One chart of a figure, with its own y axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Title above the chart.
    pub title: String,
    /// Lines drawn on it.
    pub series: Vec<Series>,
}

const WIDTH: f64 = 640.0;
const PANEL_HEIGHT: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 44.0;
const FONT: f64 = 12.0;
const COLOURS: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
];

/// Panels stacked vertically, sharing the x-axis label (e.g. "epoch"): the learning curves of a
/// run (losses in one panel, validation metrics in another).
pub fn learning_curves_svg(panels: &[Panel], x_label: &str) -> String {
    let mut svg = Svg::new(WIDTH, PANEL_HEIGHT * panels.len().max(1) as f64);
    for (i, panel) in panels.iter().enumerate() {
        draw_panel(&mut svg, panel, x_label, PANEL_HEIGHT * i as f64);
    }
    svg.finish()
}

fn draw_panel(svg: &mut Svg, panel: &Panel, x_label: &str, y0: f64) {
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = PANEL_HEIGHT - TOP - BOTTOM;
    let (x_min, x_max, y_min, y_max) = bounds(&panel.series);
    let to_px = |(x, y): (f64, f64)| {
        (
            LEFT + (x - x_min) / (x_max - x_min) * plot_w,
            y0 + TOP + plot_h - (y - y_min) / (y_max - y_min) * plot_h,
        )
    };
    svg.text(
        (WIDTH / 2.0, y0 + TOP / 2.0),
        &panel.title,
        TextStyle::new(FONT * 1.2, "middle").bold(),
    );
    svg.rect(LEFT, y0 + TOP, plot_w, plot_h, "none", "#888888");
    for k in 0..=4 {
        let frac = k as f64 / 4.0;
        let y_value = y_min + frac * (y_max - y_min);
        let (_, py) = to_px((x_min, y_value));
        svg.line((LEFT - 4.0, py), (LEFT, py), "#888888");
        svg.text(
            (LEFT - 6.0, py),
            &tick(y_value),
            TextStyle::new(FONT * 0.9, "end"),
        );
        let x_value = x_min + frac * (x_max - x_min);
        let (px, _) = to_px((x_value, y_min));
        let base = y0 + TOP + plot_h;
        svg.line((px, base), (px, base + 4.0), "#888888");
        svg.text(
            (px, base + 14.0),
            &tick(x_value),
            TextStyle::new(FONT * 0.9, "middle"),
        );
    }
    svg.text(
        (LEFT + plot_w / 2.0, y0 + PANEL_HEIGHT - 10.0),
        x_label,
        TextStyle::new(FONT, "middle"),
    );
    for (i, series) in panel.series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let points: Vec<(f64, f64)> = finite(&series.points).map(to_px).collect();
        if points.len() == 1 {
            svg.circle(points[0], 3.0, colour);
        } else {
            svg.polyline(&points, colour);
        }
        let legend_y = y0 + TOP + 12.0 + 16.0 * i as f64;
        svg.line((LEFT + 10.0, legend_y), (LEFT + 30.0, legend_y), colour);
        svg.text(
            (LEFT + 36.0, legend_y),
            &series.name,
            TextStyle::new(FONT, "start"),
        );
    }
}

fn finite(points: &[(f64, f64)]) -> impl Iterator<Item = (f64, f64)> + '_ {
    points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
}

/// Data bounds with a margin; degenerate ranges are widened so nothing divides by zero.
fn bounds(series: &[Series]) -> (f64, f64, f64, f64) {
    let mut b = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for (x, y) in series.iter().flat_map(|s| finite(&s.points)) {
        b = (b.0.min(x), b.1.max(x), b.2.min(y), b.3.max(y));
    }
    if !b.0.is_finite() {
        return (0.0, 1.0, 0.0, 1.0);
    }
    let widen = |lo: f64, hi: f64| {
        if hi - lo < 1e-12 {
            (lo - 0.5, hi + 0.5)
        } else {
            let pad = (hi - lo) * 0.05;
            (lo - pad, hi + pad)
        }
    };
    let (x0, x1) = if b.1 - b.0 < 1e-12 {
        (b.0 - 0.5, b.1 + 0.5)
    } else {
        (b.0, b.1)
    };
    let (y0, y1) = widen(b.2, b.3);
    (x0, x1, y0, y1)
}

fn tick(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-3..1e4).contains(&magnitude) {
        format!("{value:.1e}")
    } else if magnitude >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loss_panel() -> Panel {
        Panel {
            title: "loss".into(),
            series: vec![
                Series {
                    name: "train".into(),
                    points: vec![(1.0, 1.0), (2.0, 0.5), (3.0, f64::NAN), (4.0, 0.25)],
                },
                Series {
                    name: "validation".into(),
                    points: vec![(1.0, 0.8)],
                },
            ],
        }
    }

    #[test]
    fn draws_each_series_and_skips_non_finite_points() {
        let svg = learning_curves_svg(&[loss_panel()], "epoch");
        // Three finite training points -> one polyline of three; one validation point -> a dot.
        let polyline = svg.lines().find(|l| l.starts_with("<polyline")).unwrap();
        let points = polyline.split('"').nth(1).unwrap();
        assert_eq!(points.split(' ').count(), 3);
        assert_eq!(svg.matches("<circle").count(), 1);
        assert!(svg.contains(">validation</text>"));
        assert!(svg.contains(">epoch</text>"));
    }

    #[test]
    fn maps_extremes_to_the_plot_edges() {
        // x from 1 to 4 spans the plot width; the first point sits at the left edge.
        let svg = learning_curves_svg(&[loss_panel()], "epoch");
        let polyline = svg.lines().find(|l| l.starts_with("<polyline")).unwrap();
        let first = polyline
            .split('"')
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        assert!(first.starts_with(&format!("{LEFT:.1},")), "{first}");
    }

    #[test]
    fn stacks_panels_and_survives_empty_data() {
        let empty = Panel {
            title: "metric".into(),
            series: vec![],
        };
        let svg = learning_curves_svg(&[loss_panel(), empty], "epoch");
        assert!(svg.contains(&format!("height=\"{:.0}\"", 2.0 * PANEL_HEIGHT)));
        assert!(svg.contains(">metric</text>"));
    }

    #[test]
    fn formats_ticks_by_magnitude() {
        assert_eq!(tick(0.5), "0.500");
        assert_eq!(tick(2e-5), "2.0e-5");
        assert_eq!(tick(250.0), "250");
        assert_eq!(tick(0.0), "0.000");
    }
}
