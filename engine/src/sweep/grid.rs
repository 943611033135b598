//! `--sweep KEY=V1,V2,...`: the axes of a sweep and the grid of points they span.

use thiserror::Error;

/// The most points one sweep may have.
pub const MAX_POINTS: usize = 256;

/// One swept param (`stage.param`) or `let` variable and its values, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Axis {
    /// `stage.param` or a `let` name.
    pub key: String,
    /// Each value as written (a quoted value keeps its quotes, as `--set` reads it).
    pub values: Vec<String>,
}

/// One point of the grid: a value for every axis, in axis order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// `(key, value as written)` per axis.
    pub values: Vec<(String, String)>,
}

impl Point {
    /// The `--set` arguments that make this point.
    pub fn sets(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }
}

/// A value shown in a stage name or a file name: without its quotes.
pub fn shown(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// A `--sweep` argument that cannot be used.
#[derive(Debug, Error, miette::Diagnostic, PartialEq, Eq)]
pub enum SweepError {
    /// No `=`, or nothing before it.
    #[error("--sweep `{0}` is not KEY=VALUE,VALUE,...")]
    #[diagnostic(
        code(clarity::sweep::syntax),
        help(
            "write --sweep stage.param=1e-5,2e-5 (or a `let` name); quote a value holding a comma: --sweep 'x=\"a,b\",c'"
        )
    )]
    Syntax(String),
    /// An empty value, or an unclosed quote.
    #[error("--sweep `{0}` has an empty value or an unclosed quote")]
    #[diagnostic(
        code(clarity::sweep::value),
        help("separate values with commas, without a trailing comma")
    )]
    Value(String),
    /// The same key swept twice.
    #[error("--sweep names `{0}` twice")]
    #[diagnostic(
        code(clarity::sweep::duplicate),
        help("give all of its values in one --sweep")
    )]
    Duplicate(String),
    /// A key both swept and `--set`.
    #[error("`{0}` is both swept and set with --set")]
    #[diagnostic(code(clarity::sweep::also_set), help("drop the --set, or the --sweep"))]
    AlsoSet(String),
    /// Too many points.
    #[error("the sweep has {0} points, more than {MAX_POINTS}")]
    #[diagnostic(code(clarity::sweep::too_large), help("sweep fewer values at once"))]
    TooLarge(usize),
}

/// Parses every `--sweep` (none of whose keys may also be in `sets`).
pub fn parse_axes(sweeps: &[String], sets: &[String]) -> Result<Vec<Axis>, SweepError> {
    let mut axes: Vec<Axis> = Vec::new();
    for arg in sweeps {
        let Some((key, list)) = arg.split_once('=').filter(|(k, _)| !k.trim().is_empty()) else {
            return Err(SweepError::Syntax(arg.clone()));
        };
        let key = key.trim().to_owned();
        if axes.iter().any(|a| a.key == key) {
            return Err(SweepError::Duplicate(key));
        }
        if sets
            .iter()
            .any(|s| s.split_once('=').is_some_and(|(k, _)| k.trim() == key))
        {
            return Err(SweepError::AlsoSet(key));
        }
        let values = split_values(list).ok_or_else(|| SweepError::Value(arg.clone()))?;
        axes.push(Axis { key, values });
    }
    let points: usize = axes.iter().map(|a| a.values.len()).product();
    if points > MAX_POINTS {
        return Err(SweepError::TooLarge(points));
    }
    Ok(axes)
}

/// The sweep of a run: the file's `sweep` axes, less those `--set` pins or `--sweep`
/// replaces, then the `--sweep` axes.
pub fn combine(file: Vec<Axis>, cli: Vec<Axis>, sets: &[String]) -> Result<Vec<Axis>, SweepError> {
    let set = |key: &str| {
        sets.iter()
            .any(|s| s.split_once('=').is_some_and(|(k, _)| k.trim() == key))
    };
    let mut axes: Vec<Axis> = file
        .into_iter()
        .filter(|a| !set(&a.key) && !cli.iter().any(|c| c.key == a.key))
        .collect();
    axes.extend(cli);
    let points: usize = axes.iter().map(|a| a.values.len()).product();
    if points > MAX_POINTS {
        return Err(SweepError::TooLarge(points));
    }
    Ok(axes)
}

/// The `sweep` block's axes of a parsed file, each value as written.
pub fn file_axes(items: &[crate::lang::Item]) -> Vec<Axis> {
    let text = |span: &crate::lang::Span| {
        let (at, len) = (span.range.offset(), span.range.len());
        span.source
            .text()
            .get(at..at + len)
            .unwrap_or_default()
            .to_owned()
    };
    items
        .iter()
        .filter_map(|item| match item {
            crate::lang::Item::Sweep(axes) => Some(axes),
            _ => None,
        })
        .flatten()
        .map(|axis| Axis {
            key: axis.key.value.clone(),
            values: axis.values.iter().map(|v| text(&v.span)).collect(),
        })
        .collect()
}

/// Splits on commas outside double quotes; `None` for an empty value or an open quote.
fn split_values(list: &str) -> Option<Vec<String>> {
    let mut values = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in list.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                values.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    values.push(current);
    let values: Vec<String> = values.into_iter().map(|v| v.trim().to_owned()).collect();
    (!quoted && values.iter().all(|v| !v.is_empty())).then_some(values)
}

/// Every point of the grid, the last axis varying fastest.
pub fn points(axes: &[Axis]) -> Vec<Point> {
    let mut points = vec![Point { values: Vec::new() }];
    for axis in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                axis.values.iter().map(move |v| {
                    let mut values = p.values.clone();
                    values.push((axis.key.clone(), v.clone()));
                    Point { values }
                })
            })
            .collect();
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axes(args: &[&str]) -> Result<Vec<Axis>, SweepError> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse_axes(&args, &["train.epochs=2".to_owned()])
    }

    #[test]
    fn values_split_on_commas_outside_quotes() {
        let parsed = axes(&["train.lr=1e-5, 2e-5,3e-5", r#"tokens.template="{a},{b}",x"#]).unwrap();
        assert_eq!(parsed[0].values, ["1e-5", "2e-5", "3e-5"]);
        assert_eq!(parsed[1].values, [r#""{a},{b}""#, "x"]);
        assert_eq!(shown(&parsed[1].values[0]), "{a},{b}");
        let grid = points(&parsed);
        assert_eq!(grid.len(), 6);
        assert_eq!(grid[1].sets(), ["train.lr=1e-5", "tokens.template=x"]);
    }

    #[test]
    fn bad_sweeps_are_refused() {
        assert_eq!(axes(&["lr"]), Err(SweepError::Syntax("lr".into())));
        assert_eq!(axes(&["a=1,"]), Err(SweepError::Value("a=1,".into())));
        assert_eq!(axes(&[r#"a="1"#]), Err(SweepError::Value(r#"a="1"#.into())));
        assert_eq!(
            axes(&["a=1", "a=2"]),
            Err(SweepError::Duplicate("a".into()))
        );
        assert_eq!(
            axes(&["train.epochs=1,2"]),
            Err(SweepError::AlsoSet("train.epochs".into()))
        );
        let wide: Vec<String> = (0..17).map(|i| i.to_string()).collect();
        let wide = format!("a={}", wide.join(","));
        assert_eq!(
            axes(&[&wide, &wide.replace("a=", "b=")]),
            Err(SweepError::TooLarge(289))
        );
    }
}
