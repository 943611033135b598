//! The table a sweep ends with: for each stage copied per point that reported metrics, one
//! row per point.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::run::Manifest;

/// A point's label and the metrics its copy reported.
type Row<'a> = (&'a str, &'a BTreeMap<String, f64>);

/// One block per swept stage (`evaluate[lr=1e-5]`, `evaluate[lr=2e-5]`, …): the point, then
/// each metric.
pub fn table(manifest: &Manifest) -> String {
    let mut blocks: BTreeMap<&str, Vec<Row<'_>>> = BTreeMap::new();
    for record in &manifest.stages {
        let Some((base, rest)) = record.name.split_once('[') else {
            continue;
        };
        if !record.metrics.is_empty() {
            let point = rest.strip_suffix(']').unwrap_or(rest);
            blocks
                .entry(base)
                .or_default()
                .push((point, &record.metrics));
        }
    }
    let mut out = String::new();
    for (base, mut rows) in blocks {
        rows.sort_by_key(|(point, _)| *point);
        let metrics: BTreeSet<&str> = rows
            .iter()
            .flat_map(|(_, m)| m.keys().map(String::as_str))
            .collect();
        let width = rows.iter().map(|(p, _)| p.len()).max().unwrap_or(0).max(5);
        let _ = write!(out, "\nsweep: {base}\n  {:width$}", "point");
        for metric in &metrics {
            let _ = write!(out, "  {metric:>w$}", w = metric.len().max(8));
        }
        out.push('\n');
        for (point, values) in rows {
            let _ = write!(out, "  {point:width$}");
            for metric in &metrics {
                let w = metric.len().max(8);
                match values.get(*metric) {
                    Some(v) => _ = write!(out, "  {v:>w$.4}"),
                    None => _ = write!(out, "  {:>w$}", "-"),
                }
            }
            out.push('\n');
        }
    }
    out
}
