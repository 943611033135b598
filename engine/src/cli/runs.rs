//! `clarity runs [PIPELINE] [--format table|json]`: the runs recorded under
//! `.clarity/runs/` of the current directory, newest first — when, pipeline, status, the
//! `--set` overrides and every stage's metrics (a cached stage's as it reported them when it
//! ran).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::diag::Style;

use super::load::print_error;
use super::{CliError, EXIT_OK, EXIT_RUNTIME, RunsArgs, RunsFormat};

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
}

/// `clarity runs`.
pub fn runs(args: &RunsArgs, style: Style) -> u8 {
    let dir = match std::env::current_dir() {
        Ok(dir) => dir.join(".clarity").join("runs"),
        Err(e) => return print_error(CliError::Cwd(e), style).unwrap_or(EXIT_RUNTIME),
    };
    let runs: Vec<RunSummary> = read_runs(&dir)
        .into_iter()
        .filter(|r| args.pipeline.as_ref().is_none_or(|p| *p == r.pipeline))
        .collect();
    match args.format {
        RunsFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&runs).unwrap_or_default()
        ),
        RunsFormat::Table => print!("{}", table(&runs)),
    }
    EXIT_OK
}

/// Every readable `manifest.json` under `dir`, newest first (unreadable ones are skipped).
pub fn read_runs(dir: &Path) -> Vec<RunSummary> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut runs: Vec<RunSummary> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path().join("manifest.json")).ok()?;
            let json: Value = serde_json::from_str(&text).ok()?;
            Some(summary(e.file_name().to_string_lossy().into_owned(), &json))
        })
        .collect();
    runs.sort_by(|a, b| (b.started_unix_ms, &b.id).cmp(&(a.started_unix_ms, &a.id)));
    runs
}

fn summary(id: String, json: &Value) -> RunSummary {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let overrides = json["overrides"]
        .as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), text(v))).collect())
        .unwrap_or_default();
    let mut metrics = BTreeMap::new();
    for stage in json["stages"].as_array().into_iter().flatten() {
        for (name, value) in stage["metrics"].as_object().into_iter().flatten() {
            if let Some(value) = value.as_f64() {
                metrics.insert(format!("{}.{name}", text(&stage["name"])), value);
            }
        }
    }
    RunSummary {
        id,
        pipeline: text(&json["pipeline"]),
        status: text(&json["status"]),
        started_unix_ms: json["started_unix_ms"].as_u64().unwrap_or_default(),
        overrides,
        metrics,
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
fn utc(unix_ms: u64) -> String {
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
