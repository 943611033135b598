//! Learning curves: panels stacked vertically over one x axis (e.g. the epoch), each with a
//! grid, its legend to the right of the curves, and the best epoch marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::legend::{self, Entry, Sample};
use super::{COLOURS, Drawn, FONT, PlotError};

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
    /// The y axis's label.
    pub y_label: String,
    /// A fixed y range (e.g. 0–1 for scores); `None` fits the data.
    pub y_range: Option<(f64, f64)>,
    /// Lines drawn on it.
    pub series: Vec<Series>,
}

/// Where the best model is: a dashed vertical line in every panel, a ring on the monitored
/// series' point, and a legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct BestMark {
    /// Its x (e.g. the best epoch).
    pub x: f64,
    /// The monitored series, ringed at `x` in the panel that holds it.
    pub series: String,
    /// Legend text, e.g. "best: epoch 3".
    pub label: String,
}

/// A figure of panels sharing the x axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The panels, top to bottom.
    pub panels: Vec<Panel>,
    /// The x axis's label.
    pub x_label: String,
    /// The best point, if there is one.
    pub best: Option<BestMark>,
}

/// Width of the SVG; the legend column takes [`LEGEND_WIDTH`] on the right.
pub(super) const WIDTH: u32 = 760;
const LEGEND_WIDTH: u32 = 220;
const PANEL_HEIGHT: u32 = 300;
/// Series with more points than this get no dot per point (the log-point loss curve).
const MAX_DOTTED_POINTS: usize = 60;

/// The figure as an SVG document.
pub fn learning_curves_svg(figure: &Figure) -> Result<String, PlotError> {
    let mut svg = String::new();
    draw(figure, &mut svg).map_err(|e| PlotError::Draw {
        what: "the learning curves".into(),
        reason: e.to_string(),
    })?;
    Ok(svg)
}

fn draw(figure: &Figure, svg: &mut String) -> Drawn {
    let rows = figure.panels.len().max(1);
    let root =
        SVGBackend::with_string(svg, (WIDTH, PANEL_HEIGHT * rows as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    for (area, panel) in root.split_evenly((rows, 1)).iter().zip(&figure.panels) {
        draw_panel(area, panel, figure)?;
    }
    root.present()?;
    Ok(())
}

fn draw_panel(area: &DrawingArea<SVGBackend<'_>, Shift>, panel: &Panel, figure: &Figure) -> Drawn {
    let (plot, side) = area.split_horizontally(WIDTH - LEGEND_WIDTH);
    let best_x = figure.best.as_ref().map(|b| b.x);
    let (x, y) = (x_range(panel, best_x), y_range(panel));
    let mut chart = ChartBuilder::on(&plot)
        .caption(&panel.title, (FONT, 18))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(64)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
    chart
        .configure_mesh()
        .x_desc(&figure.x_label)
        .y_desc(&panel.y_label)
        .label_style((FONT, 13))
        .bold_line_style(RGBColor(0xd0, 0xd0, 0xd0))
        .light_line_style(RGBColor(0xf0, 0xf0, 0xf0))
        .max_light_lines(1)
        .draw()?;
    let mut entries = Vec::new();
    for (i, series) in panel.series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let points: Vec<(f64, f64)> = finite(&series.points).collect();
        chart.draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?;
        if points.len() <= MAX_DOTTED_POINTS {
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
        }
        entries.push(Entry {
            label: series.name.clone(),
            sample: Sample::Line(colour),
        });
    }
    if let Some(best) = &figure.best {
        let line = [(best.x, y.0), (best.x, y.1)];
        chart.draw_series(DashedLineSeries::new(
            line,
            6,
            4,
            legend::BEST.stroke_width(1),
        ))?;
        let ringed = panel.series.iter().filter(|s| s.name == best.series);
        let at_best = ringed.flat_map(|s| finite(&s.points).filter(|(x, _)| *x == best.x));
        chart.draw_series(at_best.map(|p| Circle::new(p, 7, legend::BEST.stroke_width(2))))?;
        entries.push(Entry {
            label: best.label.clone(),
            sample: Sample::Best,
        });
    }
    legend::draw(&side, &entries)
}

fn finite(points: &[(f64, f64)]) -> impl Iterator<Item = (f64, f64)> + '_ {
    points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
}

/// From 0 (or the smallest x, if negative) to the largest x (the best mark included), with a
/// little room on the right for the last point's dot.
fn x_range(panel: &Panel, best: Option<f64>) -> (f64, f64) {
    let xs = panel
        .series
        .iter()
        .flat_map(|s| finite(&s.points).map(|p| p.0));
    let (lo, hi) = xs
        .chain(best)
        .fold((0.0f64, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        });
    let hi = if hi.is_finite() && hi > lo {
        hi
    } else {
        lo + 1.0
    };
    (lo, hi + (hi - lo) * 0.03)
}

/// The panel's fixed range, or the data's with a 5% margin (never below 0 for data that is
/// not); a flat or empty series gets a unit-wide range.
fn y_range(panel: &Panel) -> (f64, f64) {
    if let Some(range) = panel.y_range {
        return range;
    }
    let ys = panel
        .series
        .iter()
        .flat_map(|s| finite(&s.points).map(|p| p.1));
    let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
        (lo.min(y), hi.max(y))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let floor = if lo >= 0.0 { 0.0 } else { f64::NEG_INFINITY };
    let pad = if hi - lo < 1e-12 {
        0.5
    } else {
        (hi - lo) * 0.05
    };
    ((lo - pad).max(floor), hi + pad)
}

#[cfg(test)]
mod tests {
    use super::super::svg_text::texts;
    use super::*;

    fn figure() -> Figure {
        let series = |name: &str, points: &[(f64, f64)]| Series {
            name: name.into(),
            points: points.to_vec(),
        };
        Figure {
            panels: vec![
                Panel {
                    title: "loss".into(),
                    y_label: "loss".into(),
                    y_range: None,
                    series: vec![
                        series(
                            "train",
                            &[(1.0, 1.93), (2.0, 0.61), (3.0, f64::NAN), (4.0, 0.27)],
                        ),
                        series("validation", &[(1.0, 1.2), (2.0, 0.8)]),
                    ],
                },
                Panel {
                    title: "validation macro-F1".into(),
                    y_label: "macro-F1".into(),
                    y_range: Some((0.0, 1.0)),
                    series: vec![series("evasion-macro-f1", &[(1.0, 0.31), (2.0, 0.47)])],
                },
            ],
            x_label: "epoch".into(),
            best: Some(BestMark {
                x: 2.0,
                series: "evasion-macro-f1".into(),
                label: "best epoch: 2".into(),
            }),
        }
    }

    #[test]
    fn the_legend_sits_right_of_the_curves_and_names_every_series_and_the_best_epoch() {
        let svg = learning_curves_svg(&figure()).unwrap();
        let texts = texts(&svg);
        let legend_left = f64::from(WIDTH - LEGEND_WIDTH);
        for entry in ["train", "validation", "evasion-macro-f1", "best epoch: 2"] {
            let text = texts.iter().find(|t| t.content == entry).expect(entry);
            assert!(text.x > legend_left, "{entry} at x {}", text.x);
        }
        for label in ["loss", "validation macro-F1", "macro-F1", "epoch"] {
            assert!(texts.iter().any(|t| t.content == label), "{label}");
        }
    }

    #[test]
    fn the_score_axis_runs_from_0_to_1_and_ticks_are_round_numbers() {
        let svg = learning_curves_svg(&figure()).unwrap();
        let numbers: Vec<(f64, f64)> = texts(&svg)
            .iter()
            .filter_map(|t| t.content.parse::<f64>().ok().map(|v| (t.y, v)))
            .collect();
        let lower: Vec<f64> = numbers
            .iter()
            .filter(|(y, _)| *y > f64::from(PANEL_HEIGHT))
            .map(|(_, v)| *v)
            .collect();
        assert!(lower.contains(&0.0) && lower.contains(&1.0), "{lower:?}");
        for (_, value) in numbers {
            let tenths = value * 10.0;
            assert!((tenths - tenths.round()).abs() < 1e-9, "tick {value}");
        }
    }

    #[test]
    fn the_best_epoch_is_ringed_on_the_monitored_series_and_non_finite_points_are_skipped() {
        let svg = learning_curves_svg(&figure()).unwrap();
        // The ring on evasion-macro-f1 at epoch 2 (the legend's sample ring is smaller).
        assert_eq!(svg.matches(r#"r="7""#).count(), 1, "{svg}");
        let polylines: Vec<&str> = svg.split("<polyline").skip(1).collect();
        let train = polylines
            .iter()
            .find(|p| p.contains("#1F77B4"))
            .expect("the train line");
        let points = train
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(points.split_whitespace().count(), 3, "{points}");
    }

    #[test]
    fn stacks_panels_and_survives_empty_data() {
        let empty = Figure {
            panels: vec![
                Panel {
                    title: "metric".into(),
                    y_label: "score".into(),
                    y_range: None,
                    series: vec![],
                };
                2
            ],
            x_label: "epoch".into(),
            best: None,
        };
        let svg = learning_curves_svg(&empty).unwrap();
        assert!(svg.contains(&format!("height=\"{}\"", 2 * PANEL_HEIGHT)));
        assert_eq!(
            texts(&svg).iter().filter(|t| t.content == "metric").count(),
            2
        );
    }
}
