//! `--set` arguments: `STAGE.PARAM=VALUE` or `VARIABLE=VALUE`.

use miette::SourceSpan;

use crate::lang::is_name;
use crate::lang::{Expr, Source, Spanned};

use super::{AnalyseError, ArgError};

/// What a `--set` changes.
#[derive(Clone, Debug)]
pub enum SetTarget {
    /// A `let` variable.
    Var(Spanned<String>),
    /// A param of a stage (or of every stage of an ensemble).
    Param {
        /// Stage (or ensemble) name.
        stage: Spanned<String>,
        /// Param name (dotted for group members).
        param: Spanned<String>,
    },
}

/// One parsed `--set`.
#[derive(Clone, Debug)]
pub struct SetArg {
    /// What it changes.
    pub target: SetTarget,
    /// The new value; its spans point into the argument.
    pub value: Spanned<Expr>,
}

/// Parses one `--set` argument. Values: `#true`/`true`, integers, numbers, `"quoted"` or
/// bare strings, `$var`; several space-separated values make a list.
pub fn parse_set(arg: &str) -> Result<SetArg, Box<AnalyseError>> {
    let bad = |message: &str| {
        Box::<AnalyseError>::new(
            ArgError::BadSet {
                arg: arg.to_owned(),
                message: message.to_owned(),
            }
            .into(),
        )
    };
    let source = Source::new("--set", None, arg);
    let (path, value) = arg.split_once('=').ok_or_else(|| bad("missing `=`"))?;
    let value_at = path.len() + 1;
    let target = match path.split_once('.') {
        None if is_name(path) => {
            SetTarget::Var(Spanned::new(path.to_owned(), source.span((0, path.len()))))
        }
        Some((stage, param)) if is_name(stage) && !param.is_empty() => SetTarget::Param {
            stage: Spanned::new(stage.to_owned(), source.span((0, stage.len()))),
            param: Spanned::new(
                param.to_owned(),
                source.span((stage.len() + 1, param.len())),
            ),
        },
        _ => return Err(bad("the left side must be STAGE.PARAM or VARIABLE")),
    };
    let tokens = tokens(value, value_at);
    let value = match tokens.as_slice() {
        [] => return Err(bad("missing value after `=`")),
        [(text, at)] => Spanned::new(scalar(text), source.span(*at)),
        many => {
            let items = many
                .iter()
                .map(|(t, at)| Spanned::new(scalar(t), source.span(*at)))
                .collect();
            Spanned::new(Expr::List(items), source.span((value_at, value.len())))
        }
    };
    Ok(SetArg { target, value })
}

fn tokens(text: &str, base: usize) -> Vec<(String, SourceSpan)> {
    let trimmed = text.trim();
    let quoted = trimmed.len() >= 2 && trimmed.starts_with('"') && trimmed.ends_with('"');
    if quoted || !trimmed.contains(char::is_whitespace) {
        let start = base + (text.len() - text.trim_start().len());
        return if trimmed.is_empty() {
            Vec::new()
        } else {
            vec![(trimmed.to_owned(), SourceSpan::from((start, trimmed.len())))]
        };
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for word in text.split_whitespace() {
        let at = offset + text[offset..].find(word).unwrap_or(0);
        out.push((word.to_owned(), SourceSpan::from((base + at, word.len()))));
        offset = at + word.len();
    }
    out
}

fn scalar(text: &str) -> Expr {
    match text {
        "#true" | "true" => return Expr::Bool(true),
        "#false" | "false" => return Expr::Bool(false),
        _ => {}
    }
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        return Expr::String(inner.to_owned());
    }
    if let Some(var) = text.strip_prefix('$').filter(|v| is_name(v)) {
        return Expr::Var(var.to_owned());
    }
    if let Ok(i) = text.parse::<i64>() {
        return Expr::Int(i);
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() && text.chars().any(|c| c.is_ascii_digit()) => Expr::Float(f),
        _ => Expr::String(text.to_owned()),
    }
}
