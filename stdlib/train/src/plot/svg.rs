use std::fmt::Write as _;

/// A minimal SVG document writer: elements are appended as text.
pub(crate) struct Svg {
    width: f64,
    height: f64,
    body: String,
}

/// Rough width of `text` in pixels at `size` (sans-serif averages ~0.6 em per glyph).
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

/// Escapes the XML special characters.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(ch),
        }
    }
    out
}

impl Svg {
    pub(crate) fn new(width: f64, height: f64) -> Self {
        Self {
            width,
            height,
            body: String::new(),
        }
    }

    pub(crate) fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, stroke: &str) {
        let _ = writeln!(
            self.body,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}" stroke="{stroke}"/>"#
        );
    }

    pub(crate) fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str) {
        let _ = writeln!(
            self.body,
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{stroke}"/>"#
        );
    }

    pub(crate) fn polyline(&mut self, points: &[(f64, f64)], stroke: &str) {
        let coords: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = writeln!(
            self.body,
            r#"<polyline points="{}" fill="none" stroke="{stroke}" stroke-width="2"/>"#,
            coords.join(" ")
        );
    }

    pub(crate) fn circle(&mut self, (x, y): (f64, f64), r: f64, fill: &str) {
        let _ = writeln!(
            self.body,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{fill}"/>"#
        );
    }

    /// Text anchored at (`x`, `y`); `anchor` is start, middle or end; `rotate` in degrees.
    pub(crate) fn text(&mut self, (x, y): (f64, f64), text: &str, style: TextStyle) {
        let transform = if style.rotate == 0.0 {
            String::new()
        } else {
            format!(r#" transform="rotate({:.1} {x:.1} {y:.1})""#, style.rotate)
        };
        let weight = if style.bold {
            r#" font-weight="bold""#
        } else {
            ""
        };
        let _ = writeln!(
            self.body,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{:.1}" text-anchor="{}" dominant-baseline="middle" fill="{}"{weight}{transform}>{}</text>"#,
            style.size,
            style.anchor,
            style.fill,
            escape(text)
        );
    }

    pub(crate) fn finish(self) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{}</svg>\n",
            self.body,
            w = self.width,
            h = self.height
        )
    }
}

/// How a text element looks.
#[derive(Clone, Copy)]
pub(crate) struct TextStyle {
    pub size: f64,
    pub anchor: &'static str,
    pub fill: &'static str,
    pub rotate: f64,
    pub bold: bool,
}

impl TextStyle {
    pub(crate) fn new(size: f64, anchor: &'static str) -> Self {
        Self {
            size,
            anchor,
            fill: "black",
            rotate: 0.0,
            bold: false,
        }
    }

    pub(crate) fn fill(mut self, fill: &'static str) -> Self {
        self.fill = fill;
        self
    }

    pub(crate) fn rotate(mut self, degrees: f64) -> Self {
        self.rotate = degrees;
        self
    }

    pub(crate) fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn writes_a_document() {
        let mut svg = Svg::new(10.0, 20.0);
        svg.rect(1.0, 2.0, 3.0, 4.0, "red", "none");
        let doc = svg.finish();
        assert!(
            doc.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"20\"")
        );
        assert!(doc.contains(
            r#"<rect x="1.0" y="2.0" width="3.0" height="4.0" fill="red" stroke="none"/>"#
        ));
        assert!(doc.trim_end().ends_with("</svg>"));
    }
}
