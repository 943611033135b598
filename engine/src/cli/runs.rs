//! `clarity runs [PIPELINE] [--format table|json]`: the runs recorded under
//! `.clarity/runs/` of the current directory, newest first — when, pipeline, status, the
//! `--set` overrides and every stage's metrics (a cached stage's as it reported them when it
//! ran).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::Style;

use super::load::print_error;
use super::recorded::{RecordedRun, read_runs, runs_dir};
use super::{EXIT_RUNTIME, RunsArgs};

/// One run, as `runs --format json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// The run directory's name.
    pub id: String,
    /// Pipeline name.
    pub pipeline: String,
    /// `ok`, `failed` or `cancelled`.
    pub status: String,
    /// Start, milliseconds since the Unix epoch.
    pub started_unix_ms: u64,
    /// `"stage.param"` (or a `let` name) to the value as given to `--set`.
    pub overrides: BTreeMap<String, String>,
    /// `"stage.metric"` to its value, for every stage that reported metrics.
    pub metrics: BTreeMap<String, f64>,
    /// `"stage: warning"` for every warning a stage recorded about its result.
    pub warnings: Vec<String>,
}

/// `clarity runs`.
pub fn runs(args: &RunsArgs, style: Style) -> u8 {
    let dir = match runs_dir() {
        Ok(dir) => dir,
        Err(e) => return print_error(e, style).unwrap_or(EXIT_RUNTIME),
    };
    let runs: Vec<RunSummary> = read_runs(&dir)
        .iter()
        .filter(|r| args.pipeline.as_ref().is_none_or(|p| *p == r.pipeline))
        .map(RunSummary::of)
        .collect();
    super::recorded::print_as(args.format, &runs, |v| table(v))
}

impl RunSummary {
    fn of(run: &RecordedRun) -> Self {
        Self {
            id: run.id.clone(),
            pipeline: run.pipeline.clone(),
            status: run.status.clone(),
            started_unix_ms: run.started_unix_ms,
            overrides: run.overrides(),
            metrics: run.metrics(),
            warnings: run.warnings(),
        }
    }
}

/// Aligned columns: id, start (UTC), pipeline, status, overrides, and the headline scores
/// (macro-F1s).
fn table(runs: &[RunSummary]) -> String {
    if runs.is_empty() {
        return "no runs recorded in .clarity/runs of this directory\n".to_owned();
    }
    let rows: Vec<[String; 6]> = runs
        .iter()
        .map(|r| {
            let overrides: Vec<String> = r
                .overrides
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let scores: Vec<String> = r
                .metrics
                .iter()
                .filter(|(k, _)| k.ends_with("macro-f1"))
                .map(|(k, v)| format!("{k} {v:.4}"))
                .collect();
            [
                r.id.clone(),
                utc(r.started_unix_ms),
                r.pipeline.clone(),
                r.status.clone(),
                if overrides.is_empty() {
                    "-".to_owned()
                } else {
                    overrides.join(" ")
                },
                scores.join(", "),
            ]
        })
        .collect();
    let header = [
        "id",
        "started (UTC)",
        "pipeline",
        "status",
        "overrides",
        "scores",
    ];
    let widths: Vec<usize> = (0..6)
        .map(|c| {
            rows.iter()
                .map(|r| r[c].len())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(&header);
    for row in &rows {
        out.push_str(&line(&row.each_ref().map(String::as_str)));
    }
    out
}

/// `YYYY-MM-DD HH:MM` of milliseconds since the Unix epoch, in UTC.
pub fn utc(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00");
        assert_eq!(utc(1_795_824_755_553), "2026-11-28 00:12");
    }
}
