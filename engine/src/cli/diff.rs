//! `clarity diff ID_A ID_B [--format table|json]`: what differs between two runs — their
//! `--set` overrides and resolved params — and their metrics side by side with the change.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::diag::Style;

use super::load::print_error;
use super::recorded::{RecordedRun, pick, read_runs, runs_dir};
use super::{DiffArgs, EXIT_CONFIG};

/// Two runs compared, as `diff --format json` prints it.
#[derive(Debug, Serialize)]
struct Diff {
    a: String,
    b: String,
    /// `--set` overrides that differ: name to `[a, b]` (`null` where a run has none).
    overrides: BTreeMap<String, [Option<String>; 2]>,
    /// Resolved params that differ: `"stage.param"` to `[a, b]` (`null` where absent).
    params: BTreeMap<String, [Option<String>; 2]>,
    /// Every metric of either run: `"stage.metric"` to its values and `b - a`.
    metrics: BTreeMap<String, MetricPair>,
}

#[derive(Debug, Serialize)]
struct MetricPair {
    a: Option<f64>,
    b: Option<f64>,
    delta: Option<f64>,
}

/// `clarity diff`.
pub fn diff(args: &DiffArgs, style: Style) -> u8 {
    let diff = runs_dir().and_then(|dir| {
        let runs = read_runs(&dir);
        let a = pick(&runs, Some(&args.a), None)?;
        let b = pick(&runs, Some(&args.b), None)?;
        Ok(compare(a, b))
    });
    let diff = match diff {
        Ok(diff) => diff,
        Err(e) => return print_error(e, style).unwrap_or(EXIT_CONFIG),
    };
    super::recorded::print_as(args.format, &diff, text)
}

fn compare(a: &RecordedRun, b: &RecordedRun) -> Diff {
    let (ma, mb) = (a.metrics(), b.metrics());
    let names: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
    let metrics = names
        .into_iter()
        .map(|name| {
            let (a, b) = (ma.get(name).copied(), mb.get(name).copied());
            let delta = a.zip(b).map(|(a, b)| b - a);
            (name.clone(), MetricPair { a, b, delta })
        })
        .collect();
    Diff {
        a: a.id.clone(),
        b: b.id.clone(),
        overrides: differing(&a.overrides(), &b.overrides()),
        params: differing(&params(a), &params(b)),
        metrics,
    }
}

/// `"stage.param"` to the value as text, for every stage of the run.
fn params(run: &RecordedRun) -> BTreeMap<String, String> {
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    run.stages
        .iter()
        .flat_map(|s| {
            s.params
                .iter()
                .map(move |(k, v)| (format!("{}.{k}", s.name), text(v)))
        })
        .collect()
}

/// The keys whose values differ between `a` and `b` (or that only one has).
fn differing(
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
) -> BTreeMap<String, [Option<String>; 2]> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| ((*k).clone(), [a.get(k).cloned(), b.get(k).cloned()]))
        .collect()
}

/// Sections of aligned columns: overrides and params that differ, then every metric.
fn text(diff: &Diff) -> String {
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    let mut out = format!("A = {}\nB = {}\n", diff.a, diff.b);
    for (title, changed) in [("overrides", &diff.overrides), ("params", &diff.params)] {
        if changed.is_empty() {
            out.push_str(&format!("\n{title}: no difference\n"));
            continue;
        }
        let mut rows = vec![[title.to_owned(), "A".to_owned(), "B".to_owned()]];
        rows.extend(
            changed
                .iter()
                .map(|(k, [a, b])| [format!("  {k}"), dash(a), dash(b)]),
        );
        out.push('\n');
        out.push_str(&super::columns::align(&rows, ""));
    }
    if diff.metrics.is_empty() {
        out.push_str("\nmetrics: none recorded\n");
        return out;
    }
    let number = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.4}"));
    let mut rows = vec![[
        "metrics".to_owned(),
        "A".to_owned(),
        "B".to_owned(),
        "B - A".to_owned(),
    ]];
    rows.extend(diff.metrics.iter().map(|(k, m)| {
        let delta = m
            .delta
            .map_or_else(|| "-".to_owned(), |d| format!("{d:+.4}"));
        [format!("  {k}"), number(m.a), number(m.b), delta]
    }));
    out.push('\n');
    out.push_str(&super::columns::align(&rows, ""));
    out
}
