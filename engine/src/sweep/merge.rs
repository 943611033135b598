//! One graph from the pipelines of every sweep point: a stage whose params and inputs are
//! the same at every point is shared (tokenize once); one that differs is copied per point,
//! named `STAGE[param=value,…]` after the swept values it depends on.

use serde::Serialize;
use thiserror::Error;

use crate::analyse::Binding;
use crate::{Pipeline, PlannedStage, Value};

use super::grid::{Point, shown};

/// The points' pipelines differ in their stages (a swept value changed the graph itself).
#[derive(Debug, Error, miette::Diagnostic)]
#[error("swept values change the pipeline's stages ({0}), not only their params")]
#[diagnostic(
    code(clarity::sweep::shape),
    help(
        "sweep params and `let`s that do not decide which stages exist (e.g. not a `foreach` list)"
    )
)]
pub struct ShapeError(String);

/// What a stage's copy is made of, at one point: equal at two points, the copy is shared.
#[derive(Serialize)]
struct Identity<'a> {
    kind: &'a str,
    params: &'a crate::Params,
    device: &'a str,
    precision: &'a str,
    attention: &'a str,
    /// `(param, output, upstream copy)` per binding.
    inputs: Vec<(&'a str, &'a str, usize)>,
}

/// Merges `pipelines[p]` (the pipeline at `points[p]`, all analysed from one file).
pub fn merge(points: &[Point], pipelines: &[Pipeline]) -> Result<Pipeline, ShapeError> {
    let first = &pipelines[0];
    check_shape(pipelines)?;
    let mut merged = Pipeline {
        stages: Vec::new(),
        bindings: Vec::new(),
        order: Vec::new(),
        ..first.clone()
    };
    // copy[p][s]: the merged index of stage `s` at point `p`.
    let mut copy = vec![vec![usize::MAX; first.stages.len()]; pipelines.len()];
    for &s in &first.order {
        let keys: Vec<String> = pipelines
            .iter()
            .enumerate()
            .map(|(p, pipeline)| identity(pipeline, s, &copy[p]))
            .collect();
        let mut classes: Vec<&String> = Vec::new();
        for key in &keys {
            if !classes.contains(&key) {
                classes.push(key);
            }
        }
        let relevant = relevant_axes(points, &keys);
        for class in classes {
            let members: Vec<usize> = (0..keys.len()).filter(|&p| keys[p] == *class).collect();
            let rep = members[0];
            let label = (keys.iter().any(|k| k != class)).then(|| label(&points[rep], &relevant));
            let index = merged.stages.len();
            merged
                .stages
                .push(stage_copy(&pipelines[rep].stages[s], label.as_deref()));
            for b in pipelines[rep].inputs_of(s) {
                let from = copy[rep][b.from];
                merged.bindings.push(Binding {
                    from,
                    to: index,
                    reference: format!("{}.{}", merged.stages[from].name, b.output),
                    ..b.clone()
                });
            }
            merged.order.push(index);
            for p in members {
                copy[p][s] = index;
            }
        }
    }
    Ok(merged)
}

/// Every point's pipeline has the same stages in the same order.
fn check_shape(pipelines: &[Pipeline]) -> Result<(), ShapeError> {
    let names = |p: &Pipeline| p.stages.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    let first = names(&pipelines[0]);
    for pipeline in &pipelines[1..] {
        let other = names(pipeline);
        if other != first || pipeline.order != pipelines[0].order {
            let differing = first
                .iter()
                .filter(|n| !other.contains(n))
                .chain(other.iter().filter(|n| !first.contains(n)))
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>();
            return Err(ShapeError(if differing.is_empty() {
                "their order".to_owned()
            } else {
                differing.join(", ")
            }));
        }
    }
    Ok(())
}

/// Stage `s`'s identity at a point, given the merged copies of its upstream stages.
fn identity(pipeline: &Pipeline, s: usize, copies: &[usize]) -> String {
    let stage = &pipeline.stages[s];
    let mut inputs: Vec<(&str, &str, usize)> = pipeline
        .inputs_of(s)
        .map(|b| (b.param.as_str(), b.output.as_str(), copies[b.from]))
        .collect();
    inputs.sort_unstable();
    let identity = Identity {
        kind: stage.kind,
        params: &stage.params,
        device: &stage.placement.device,
        precision: &stage.placement.precision,
        attention: &stage.placement.attention,
        inputs,
    };
    serde_json::to_string(&identity).unwrap_or_default()
}

/// The axes a stage depends on: those where two points differing only there give it
/// different identities.
fn relevant_axes(points: &[Point], keys: &[String]) -> Vec<usize> {
    let axes = points.first().map_or(0, |p| p.values.len());
    (0..axes)
        .filter(|&a| {
            (0..points.len()).any(|p| {
                (0..points.len()).any(|q| {
                    keys[p] != keys[q]
                        && (0..axes)
                            .all(|b| (b == a) != (points[p].values[b] == points[q].values[b]))
                })
            })
        })
        .collect()
}

/// `param=value,…` over the relevant axes (the param's last dotted part, or a `let` name).
fn label(point: &Point, axes: &[usize]) -> String {
    axes.iter()
        .map(|&a| {
            let (key, value) = &point.values[a];
            let name = key.rsplit('.').next().unwrap_or(key);
            format!("{name}={}", shown(value))
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A stage at one point: named `NAME[label]` when copied, its `out` file (where it
/// publishes) given the label too, so points do not overwrite each other.
fn stage_copy(stage: &PlannedStage, label: Option<&str>) -> PlannedStage {
    let mut copy = stage.clone();
    let Some(label) = label else { return copy };
    copy.name = format!("{}[{label}]", stage.name);
    if let Some(Value::String(out)) = stage.params.get("out") {
        copy.params
            .insert("out", Value::String(labelled_file(out, label)));
    }
    copy
}

/// `dir/name.ext` -> `dir/name-label.ext` (commas of the label as `-`).
fn labelled_file(path: &str, label: &str) -> String {
    let label = label.replace(',', "-");
    let (dir, file) = path.rsplit_once('/').map_or(("", path), |(d, f)| (d, f));
    let file = match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}-{label}.{ext}"),
        _ => format!("{file}-{label}"),
    };
    if dir.is_empty() {
        file
    } else {
        format!("{dir}/{file}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_file_gets_the_points_values() {
        assert_eq!(
            labelled_file("subs/demo.csv", "lr=1e-5,seed=2"),
            "subs/demo-lr=1e-5-seed=2.csv"
        );
        assert_eq!(labelled_file("out", "lr=1"), "out-lr=1");
    }

    #[test]
    fn an_axis_is_relevant_where_it_changes_the_identity() {
        let point = |a: &str, b: &str| Point {
            values: vec![("x.a".into(), a.into()), ("x.b".into(), b.into())],
        };
        let points = [
            point("1", "1"),
            point("1", "2"),
            point("2", "1"),
            point("2", "2"),
        ];
        let by_a: Vec<String> = ["p", "p", "q", "q"].map(String::from).to_vec();
        assert_eq!(relevant_axes(&points, &by_a), [0]);
        assert_eq!(label(&points[2], &[0]), "a=2");
        let by_both: Vec<String> = ["p", "q", "r", "s"].map(String::from).to_vec();
        assert_eq!(relevant_axes(&points, &by_both), [0, 1]);
    }
}
