use std::io::IsTerminal;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// How diagnostics look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Colour and Unicode art, for a terminal.
    Fancy,
    /// No colour (Unicode art kept), for logs, `NO_COLOR`, CI and tests.
    Plain,
}

impl Style {
    /// `Fancy` when stderr is a terminal and neither `NO_COLOR` nor `CI` is set.
    pub fn from_env() -> Self {
        let quiet = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
            || std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        if quiet || !std::io::stderr().is_terminal() {
            Self::Plain
        } else {
            Self::Fancy
        }
    }
}

/// Renders one diagnostic (code, message, labelled source, help), 100 columns wide.
pub fn render(diagnostic: &dyn Diagnostic, style: Style) -> String {
    let theme = match style {
        Style::Fancy => GraphicalTheme::unicode(),
        Style::Plain => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = format!("error: {diagnostic}\n");
    }
    out
}
