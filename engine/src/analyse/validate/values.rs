//! Values against their param's type: types, ranges, choices, local paths.

use crate::diag::Diagnostics;
use crate::lang::{Span, Spanned};
use crate::{Bound, ParamSpec, ParamType, Value};

use super::Checker;
use crate::analyse::{EValue, ParamCheckError};

impl Checker<'_> {
    pub(super) fn check_value(
        &self,
        spec: &ParamSpec,
        value: &Spanned<EValue>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        match (&spec.ty, &value.value) {
            (ParamType::List(item), EValue::List(items)) => {
                let checked: Vec<Option<Value>> = items
                    .iter()
                    .map(|i| self.check_scalar(spec, item, i, diags))
                    .collect();
                checked
                    .into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(Value::List)
            }
            (ParamType::List(item), EValue::Scalar(v)) => {
                let one = Spanned::new(v.clone(), value.span.clone());
                self.check_scalar(spec, item, &one, diags)
                    .map(|v| Value::List(vec![v]))
            }
            (ty, EValue::List(_)) => {
                wrong_type(spec, ty, "a list", &value.span, diags);
                None
            }
            (ty, EValue::Scalar(v)) => self.check_scalar(
                spec,
                ty,
                &Spanned::new(v.clone(), value.span.clone()),
                diags,
            ),
        }
    }

    fn check_scalar(
        &self,
        spec: &ParamSpec,
        ty: &ParamType,
        value: &Spanned<Value>,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let span = &value.span;
        let checked = match (ty, &value.value) {
            (ParamType::Bool, Value::Bool(_)) => value.value.clone(),
            (ParamType::Int { min, max }, Value::Int(i)) => {
                let inclusive = |end: &Option<i64>| end.map(|e| Bound::Inclusive(e as f64));
                check_range(
                    spec,
                    *i as f64,
                    inclusive(min),
                    inclusive(max),
                    &value.value,
                    span,
                    diags,
                )?;
                value.value.clone()
            }
            (ParamType::Float { min, max }, Value::Int(_) | Value::Float(_)) => {
                let f = value.value.as_f64().unwrap_or_default();
                check_range(spec, f, *min, *max, &value.value, span, diags)?;
                Value::Float(f)
            }
            (ParamType::Choice(options), Value::String(s)) => {
                check_choice(spec, options, s, span, diags)?;
                value.value.clone()
            }
            (ParamType::Path, Value::String(s)) => {
                self.check_path(s, span, diags)?;
                value.value.clone()
            }
            (ParamType::String | ParamType::Input { .. }, Value::String(_)) => value.value.clone(),
            (ty, other) => {
                wrong_type(spec, ty, &article(other.type_name()), span, diags);
                return None;
            }
        };
        Some(checked)
    }

    fn check_path(&self, path: &str, span: &Span, diags: &mut Diagnostics) -> Option<()> {
        if self.fs.exists(&self.project_dir.join(path)) {
            return Some(());
        }
        let (src, span) = (span.source.source_text(), span.range);
        diags.push(ParamCheckError::PathMissing {
            path: path.to_owned(),
            src,
            span,
        });
        None
    }
}

fn article(type_name: &str) -> String {
    if type_name.starts_with("one of") {
        type_name.to_owned()
    } else if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {type_name}")
    } else {
        format!("a {type_name}")
    }
}

fn wrong_type(spec: &ParamSpec, ty: &ParamType, found: &str, span: &Span, diags: &mut Diagnostics) {
    let (src, range) = (span.source.source_text(), span.range);
    diags.push(ParamCheckError::WrongType {
        param: spec.name.to_owned(),
        expected: article(&ty.describe()),
        found: found.to_owned(),
        src,
        span: range,
        help: format!("`{}`: {}", spec.name, spec.doc),
    });
}

fn check_range(
    spec: &ParamSpec,
    x: f64,
    min: Option<Bound>,
    max: Option<Bound>,
    value: &Value,
    span: &Span,
    diags: &mut Diagnostics,
) -> Option<()> {
    let inside = min.is_none_or(|lo| lo.admits_above(x)) && max.is_none_or(|hi| hi.admits_below(x));
    if inside {
        return Some(());
    }
    let (src, range) = (span.source.source_text(), span.range);
    let help = format!(
        "`{}` must be {}",
        spec.name,
        article(spec.ty.describe().trim_start_matches("list of "))
    );
    diags.push(ParamCheckError::OutOfRange {
        param: spec.name.to_owned(),
        value: value.to_string(),
        src,
        span: range,
        help,
    });
    None
}

fn check_choice(
    spec: &ParamSpec,
    options: &[&str],
    s: &str,
    span: &Span,
    diags: &mut Diagnostics,
) -> Option<()> {
    if options.contains(&s) {
        return Some(());
    }
    let listed = options
        .iter()
        .map(|o| format!("\"{o}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let help = match crate::suggest::closest(s, options.iter().copied()) {
        Some(best) => format!("did you mean \"{best}\"? (one of {listed})"),
        None => format!("use one of {listed}"),
    };
    let (src, range) = (span.source.source_text(), span.range);
    diags.push(ParamCheckError::NotAChoice {
        param: spec.name.to_owned(),
        value: s.to_owned(),
        src,
        span: range,
        help,
    });
    None
}
